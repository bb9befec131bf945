"""Secretariat exports of the facility renewal (C-W02): the CSV for Japanese Excel, the document-number
check (verification page) and the ZIP of a window's sealed scans (an rq job, or inline)."""
from __future__ import annotations

import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import jobs, objectstore, observability
from portal.blueprints.renewal.models import (
    STATUS_LABELS,
    FacilityCertification,
    RenewalApplication,
    RenewalWindow,
)
from portal.excel_csv import excel_csv
from portal.extensions import db
from portal.i18n import N_
from portal.storage import key_for
from portal.tenants.scoping import tenant_scope
from portal.ui import fmt_datetime

# --- CSV -----------------------------------------------------------------------------------------

CSV_HEADERS = ("申請ID", "施設名", "認定番号", "施設種別", "状況", "版", "申請日時", "施設責任者", "会員番号")
CSV_FILENAME = "更新申請一覧.csv"
def _certification_numbers(facility_ids: set[int]) -> dict[int, str]:
    if not facility_ids:
        return {}
    rows = db.session.execute(select(FacilityCertification.facility_id, FacilityCertification.certification_number)
                              .where(FacilityCertification.facility_id.in_(facility_ids))
                              .order_by(FacilityCertification.id))
    return {facility_id: number for facility_id, number in rows}  # the latest wins


def applications_for(window_id: int | None) -> list[RenewalApplication]:
    stmt = (select(RenewalApplication)
            .options(selectinload(RenewalApplication.facility), selectinload(RenewalApplication.forms))
            .order_by(RenewalApplication.id))
    if window_id is not None:
        stmt = stmt.where(RenewalApplication.window_id == window_id)
    return list(db.session.scalars(stmt))


def get_window(window_id: int) -> RenewalWindow | None:
    return db.session.scalar(select(RenewalWindow).where(RenewalWindow.id == window_id))


def applications_csv(window_id: int | None) -> bytes:
    apps = applications_for(window_id)
    numbers = _certification_numbers({a.facility_id for a in apps})
    return excel_csv(CSV_HEADERS, (_csv_row(app, numbers) for app in apps))


def _csv_row(app: RenewalApplication, numbers: dict[int, str]) -> tuple:
    form1 = app.form("application_form")
    data = form1.data if form1 else {}
    return (app.id, app.facility.name, numbers.get(app.facility_id) or data.get("certification_number", ""),
            app.type_label, STATUS_LABELS[app.status], app.revision, fmt_datetime(app.submitted_at),
            data.get("responsible_name", ""), data.get("responsible_member_number", ""))


# --- verification of a printed document number (<prefix>-<id>-r<revision>) ------------------------

MALFORMED = N_("文書番号の形式が正しくありません（例: %(example)s）。")  # example: the page fills it in
UNKNOWN = N_("この文書番号の申請書は見つかりません。")


@dataclass
class Verification:
    number: str
    application: RenewalApplication | None = None
    revision: int = 0
    error: str | None = None

    @property
    def current(self) -> bool:
        return self.application is not None and self.revision == self.application.pending_revision

    @property
    def latest(self) -> int:
        return self.application.pending_revision if self.application else 0


def document_number_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(prefix.upper())}-(\d{{1,9}})-R(\d{{1,4}})")


def verify(raw: str, prefix: str) -> Verification:
    """Only this tenant's applications are found (scoped query): another society's number is
    unknown. A revision never issued (above the current one) is unknown too. `prefix` is the
    society's (rules.document_prefix)."""
    number = unicodedata.normalize("NFKC", raw or "").strip().upper()
    match = document_number_pattern(prefix).fullmatch(number)
    if match is None:
        return Verification(number, error=MALFORMED)
    app_id, revision = int(match.group(1)), int(match.group(2))
    app = db.session.scalar(select(RenewalApplication).where(RenewalApplication.id == app_id)
                            .options(selectinload(RenewalApplication.facility),
                                     selectinload(RenewalApplication.window)))
    if app is None or not 1 <= revision <= app.pending_revision:
        return Verification(number, error=UNKNOWN)
    return Verification(number, app, revision)


# --- ZIP of a window's sealed scans --------------------------------------------------------------

ZIP_STATUSES = ("submitted", "correction_requested", "passed")  # a draft's scan is not sent yet


def zip_key(tenant_id: int, export_id: str) -> str | None:
    """The ZIP's key in the object store (portal.objectstore), under this tenant; None for
    anything but a UUID: the key is never built from user input."""
    try:
        key = str(uuid.UUID(export_id))
    except (ValueError, TypeError, AttributeError):
        return None
    return f"{int(tenant_id)}/exports/{key}.zip"


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def member_name(number: str, facility: str, revision: int) -> str:
    return _UNSAFE.sub("_", f"{number}_{facility}_r{revision}.pdf")


def _progress(done: int, total: int) -> None:
    from rq import get_current_job

    job = get_current_job()
    if job is not None:
        job.meta.update(done=done, total=total)
        job.save_meta()


def build_zip(tenant_id: int, window_id: int, export_id: str) -> str:
    """Write the ZIP in local scratch, then put it in the store as <tenant>/exports/<uuid>.zip
    (whole or not at all) and return its name."""
    with jobs.job_context(), tenant_scope(db.session, tenant_id):
        target = zip_key(tenant_id, export_id)
        assert target is not None
        files = objectstore.store()  # the (worker's) app's store
        apps = list(db.session.scalars(
            select(RenewalApplication)
            .where(RenewalApplication.window_id == window_id,
                   RenewalApplication.sealed_file_id.is_not(None),
                   RenewalApplication.status.in_(ZIP_STATUSES))
            .options(selectinload(RenewalApplication.facility), selectinload(RenewalApplication.sealed_file))
            .order_by(RenewalApplication.id)))
        numbers = _certification_numbers({a.facility_id for a in apps})
        tmp = files.scratch(tenant_id) / f"{export_id}.zip.part"
        _progress(0, len(apps))
        used: set[str] = set()
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
            for done, app in enumerate(apps, start=1):
                name = member_name(numbers.get(app.facility_id, ""), app.facility.name, app.revision)
                if name in used:
                    name = name[:-4] + f"_{app.id}.pdf"
                used.add(name)
                with archive.open(name, "w") as member:
                    objectstore.copy_to(files, key_for(app.sealed_file), member)
                _progress(done, len(apps))
        files.put_file(target, tmp)
        db.session.rollback()  # read-only
    return target.rsplit("/", 1)[-1]


@dataclass
class ZipStatus:
    export_id: str
    done: int = 0
    total: int = 0
    finished: bool = False
    failed: bool = False


def start_zip(tenant_id: int, window_id: int) -> str:
    """With REDIS_URL an rq job whose id is the export's UUID; without Redis it runs now."""
    export_id = str(uuid.uuid4())
    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        build_zip(tenant_id, window_id, export_id)
        return export_id
    jobs._queue(redis_url).enqueue(
        "portal.blueprints.renewal.services.exports.build_zip", tenant_id, window_id, export_id,
        job_id=export_id, meta={"tenant_id": tenant_id, "window_id": window_id, "done": 0, "total": 0,
                                **observability.job_meta()},
        job_timeout=600, result_ttl=3600, failure_ttl=3600)
    return export_id


def zip_status(tenant_id: int, export_id: str) -> ZipStatus | None:
    """None when the id is not this tenant's export (another tenant's job id included)."""
    key = zip_key(tenant_id, export_id)
    if key is None:
        return None
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            job = Job.fetch(export_id, connection=jobs._queue(redis_url).connection)
        except NoSuchJobError:
            job = None
        if job is not None:
            if job.meta.get("tenant_id") != tenant_id:
                return None
            finished = job.is_finished and objectstore.store().exists(key)
            return ZipStatus(export_id, job.meta.get("done", 0), job.meta.get("total", 0),
                             finished=finished, failed=job.is_failed)
    if objectstore.store().exists(key):
        return ZipStatus(export_id, finished=True)
    return None
