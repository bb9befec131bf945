"""C-R17 / I-43 / I-46 / Q20: the certification start date of a passed affiliated application,
the FacilityAffiliation notice the core facility receives on that date (a daily job, safe to
run twice or concurrently), and the secretariat's facility accounts (C-R01, C-R02).
Services flush, never commit; the request (or the job, per tenant) commits once."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select, update

from portal import audit, normalize
from portal.accounts.models import Role, User
from portal.accounts.services import issue_token
from portal.blueprints.renewal.models import (
    FACILITY_TYPES,
    FacilityAffiliation,
    FacilityCertification,
    RenewalApplication,
)
from portal.blueprints.renewal.services.applications import (
    RenewalError,
    facility_accounts,
    get_application,
)
from portal.daily import active_tenant_ids, run_per_tenant
from portal.db import utcnow
from portal.directory.models import Facility
from portal.errors import Refusal
from portal.extensions import db
from portal.forms import CONTROLS
from portal.i18n import N_
from portal.mail import queue_mail
from portal.urls import external_url
from portal.worklist.services import open_task

AFFILIATION_TASK = "affiliation_request"
AFFILIATION_TITLE = N_("連携施設からの連携申請があります。")


def affiliation_for(application_id: int) -> FacilityAffiliation | None:
    return db.session.scalar(select(FacilityAffiliation).where(
        FacilityAffiliation.application_id == application_id))


def set_certification_start(actor: User, application_id: int, start: date | None) -> FacilityAffiliation | None:
    """Change the 認定開始日 of a passed application (core or affiliated) until that date has
    come; for a 連携施設, the pending notice to its core facility moves with it."""
    app: RenewalApplication = get_application(application_id)
    if start is None:
        raise RenewalError(N_("認定開始日を入力してください。"), 400)
    if app.status != "passed":
        raise RenewalError(N_("合格した申請にのみ認定開始日を設定できます。"))
    result = db.session.execute(
        update(RenewalApplication)
        .where(RenewalApplication.id == app.id, RenewalApplication.status == "passed")
        .values(certification_start_date=start).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise RenewalError(N_("この申請は既に処理済みです。画面を更新してください。"))
    db.session.refresh(app)
    row = affiliation_for(app.id)
    if app.facility_type == "affiliated" and app.core_facility_id is not None:
        row = _schedule_notice(app, row, start)
    audit.record("renewal_certification_start_set", app, actor=actor, from_state=app.status,
                 to_state=app.status, reason=start.isoformat())
    return row


def _schedule_notice(app: RenewalApplication, row: FacilityAffiliation | None,
                     start: date) -> FacilityAffiliation:
    if row is None:
        row = FacilityAffiliation(tenant_id=app.tenant_id, affiliated_facility_id=app.facility_id,
                                  core_facility_id=app.core_facility_id, application_id=app.id,
                                  notify_on=start)
        db.session.add(row)
        db.session.flush()
        return row
    result = db.session.execute(  # only while the notice has not gone out
        update(FacilityAffiliation)
        .where(FacilityAffiliation.id == row.id, FacilityAffiliation.status == "pending_certification")
        .values(notify_on=start).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise RenewalError(N_("基幹施設への通知は送信済みのため、認定開始日は変更できません。"))
    db.session.refresh(row)
    return row


# --- the daily job (flask renewal-daily) ---------------------------------------------------------

def _notify(row: FacilityAffiliation, now: datetime) -> bool:
    """Claim the row with a guarded UPDATE; only the winner writes the notice and the mail."""
    claimed = db.session.execute(
        update(FacilityAffiliation)
        .where(FacilityAffiliation.id == row.id, FacilityAffiliation.status == "pending_certification")
        .values(status="notified", notified_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    managers = facility_accounts(row.core_facility_id)
    for manager in managers:
        open_task(manager, AFFILIATION_TASK, "renewal.affiliation", related_id=row.id,
                  created_at=now)
        queue_mail("renewal_affiliation_notice", manager.email, affiliation=row,
                   core=row.core_facility, affiliated=row.affiliated_facility,
                   link=external_url("renewal.affiliation", affiliation_id=row.id))
    audit.record("affiliation_notified", row, actor=None, from_state="pending_certification",
                 to_state="notified")
    return True


def notify_due(today: date, now: datetime) -> int:
    """One tenant's affiliation notices due by `today`."""
    due = list(db.session.scalars(select(FacilityAffiliation).where(
        FacilityAffiliation.status == "pending_certification",
        FacilityAffiliation.notify_on <= today).order_by(FacilityAffiliation.id)))
    return sum(_notify(row, now) for row in due)


def notify_due_affiliations(today: date, now: datetime | None = None) -> int:
    """Every tenant's notices (the daily job's first step). Returns notices sent."""
    now = now or utcnow()
    ids = active_tenant_ids(select(FacilityAffiliation.tenant_id).where(
        FacilityAffiliation.status == "pending_certification", FacilityAffiliation.notify_on <= today))
    return sum(run_per_tenant(ids, lambda _tid: notify_due(today, now)))


# --- facility accounts (C-R01, C-R02) -------------------------------------------------------------

@dataclass
class FacilityRow:
    name: str
    certification_number: str
    facility_type: str  # core | affiliated
    email: str
    line: int = 1  # the CSV line (the header is line 1)


TYPE_BY_LABEL = {"基幹施設": "core", "連携施設": "affiliated", "core": "core", "affiliated": "affiliated"}
CSV_HEADERS = ("施設名", "認定番号", "種別", "メールアドレス")


def facility_list() -> list[tuple[FacilityCertification, list[User]]]:
    certs = list(db.session.scalars(select(FacilityCertification).order_by(
        FacilityCertification.certification_number, FacilityCertification.id)))
    accounts: dict[int, list[User]] = {}
    for user in db.session.scalars(select(User).where(User.role == Role.facility_manager.value)
                                   .order_by(User.id)):
        accounts.setdefault(user.facility_id, []).append(user)
    return [(c, accounts.get(c.facility_id, [])) for c in certs]


def _row_errors(row: FacilityRow, seen: dict[str, set]) -> list[str]:
    errors = []
    if any(normalize.has_control_characters(v) for v in (
            row.name, row.certification_number, row.facility_type, row.email)):
        return [CONTROLS]  # the same refusal as every form's text field (portal.forms)
    if not row.name:
        errors.append(N_("施設名を入力してください。"))
    elif len(row.name) > 200:
        errors.append(N_("施設名は200文字以内で入力してください。"))
    if not row.certification_number:
        errors.append(N_("認定番号を入力してください。"))
    elif len(row.certification_number) > 40:
        errors.append(N_("認定番号は40文字以内で入力してください。"))
    if row.facility_type not in FACILITY_TYPES:
        errors.append(N_("種別は「基幹施設」または「連携施設」を指定してください。"))
    email = row.email
    if not email or "@" not in email or " " in email or len(email) > 320 or email.count("@") != 1:
        errors.append(N_("メールアドレスの形式が正しくありません。"))
    if row.name and (row.name in seen["name"] or db.session.scalar(
            select(Facility.id).where(Facility.name == row.name))):
        errors.append(N_("同じ名前の施設が既に登録されています。"))
    if row.certification_number and (row.certification_number in seen["number"] or db.session.scalar(
            select(FacilityCertification.id).where(
                FacilityCertification.certification_number == row.certification_number))):
        errors.append(N_("この認定番号は既に登録されています。"))
    if email and (email.lower() in seen["email"] or db.session.scalar(select(User.id).where(
            func.lower(User.email) == email.lower()))):
        errors.append(N_("このメールアドレスは既に使われています。"))
    seen["name"].add(row.name)
    seen["number"].add(row.certification_number)
    seen["email"].add(email.lower())
    return errors


def validate_rows(rows: list[FacilityRow]) -> list[tuple[int, list[str]]]:
    seen: dict[str, set] = {"name": set(), "number": set(), "email": set()}
    out = []
    for row in rows:
        errors = _row_errors(row, seen)
        if errors:
            out.append((row.line, errors))
    return out


def _create(actor: User, row: FacilityRow, today: date) -> User:
    """The facility, its certification and its shared login with no password: the
    responsible person sets one through the mailed link (the secretariat never does)."""
    tenant_id = actor.tenant_id
    facility = Facility(tenant_id=tenant_id, name=row.name)
    db.session.add(facility)
    db.session.flush()
    db.session.add(FacilityCertification(tenant_id=tenant_id, facility_id=facility.id,
                                         certification_number=row.certification_number,
                                         facility_type=row.facility_type, valid_from=today,
                                         valid_to=None))
    user = User(tenant_id=tenant_id, login_id=row.email, email=row.email, password_hash=None,
                role=Role.facility_manager.value, full_name=row.name, facility_id=facility.id)
    db.session.add(user)
    db.session.flush()
    audit.record("facility_account_created", user, actor=actor, to_state="active")
    raw = issue_token(user, "password_reset")
    queue_mail("renewal_affiliation_account", user.email, user=user, facility=facility,
               link=external_url("auth.reset_password", token=raw),
               ttl_minutes=current_app.config["TOKEN_TTL_SECONDS"] // 60)
    return user


def create_facilities(actor: User, rows: list[FacilityRow], today: date) -> list[User]:
    """All or nothing: any row error raises before anything is written."""
    errors = validate_rows(rows)
    if errors:
        raise FacilityRowsInvalid(errors)
    return [_create(actor, row, today) for row in rows]


class FacilityRowsInvalid(Refusal):
    """Every row's problems at once: `errors` is [(line, [messages])]."""

    def __init__(self, errors: list[tuple[int, list[str]]]):
        super().__init__(N_("入力内容に誤りがあります。"))
        self.errors = errors


def clean_row(name: str, number: str, facility_type: str, email: str) -> FacilityRow:
    facility_type = (facility_type or "").strip()
    return FacilityRow((name or "").strip(), (number or "").strip(),
                       TYPE_BY_LABEL.get(facility_type, facility_type), (email or "").strip())


class CsvInvalid(Refusal):
    pass


def _rows(reader) -> list[FacilityRow]:
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != CSV_HEADERS:
        raise CsvInvalid(N_("1行目は「施設名,認定番号,種別,メールアドレス」にしてください。"))
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        row = clean_row(*(cells + [""] * 4)[:4])
        row.line = reader.line_num
        rows.append(row)
    return rows


def parse_csv(data: bytes) -> list[FacilityRow]:
    """UTF-8 with or without BOM; header 施設名,認定番号,種別,メールアドレス."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvInvalid(N_("CSVファイルはUTF-8で保存してください。")) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = _rows(reader)
    except csv.Error:
        # A field over the csv module's limit (131,072 characters) or a stray quote: the line
        # the reader had got to is the one to fix.
        raise CsvInvalid(gettext(
            "%(line)d行目を読み取れません。項目が長すぎるか、引用符（＂）の対応が正しくありません。",
            line=reader.line_num)) from None
    if not rows:
        raise CsvInvalid(N_("CSVファイルに施設の行がありません。"))
    if len(rows) > 2000:
        raise CsvInvalid(N_("一度に取り込めるのは2000行までです。"))
    return rows
