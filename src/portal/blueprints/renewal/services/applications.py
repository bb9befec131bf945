"""Rules of the facility renewal (DOMAIN.md C-W02, C-W03, I-40..I-45).
Services flush, never commit; the request commits once. Messages that name the society or
its 指導医 carry %(society)s, %(physician)s, ... which the screen fills in (services/wording.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from portal import audit
from portal.accounts.models import Role, User
from portal.blueprints.renewal.models import (
    FacilityCertification,
    RenewalApplication,
    RenewalCorrection,
    RenewalForm,
    RenewalPhysician,
    RenewalWindow,
    SocietyMember,
)
from portal.blueprints.renewal.services.roster import flag_roster, roster
from portal.db import inline, utcnow
from portal.directory.models import Facility
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.queues import age_clause
from portal.storage import store_upload
from portal.tenants.rules import TenantRules
from portal.ui import to_jst
from portal.urls import external_url
from portal.worklist.services import close_tasks, notify_user, open_task

SLOT = "sealed_application_pdf"
EDITABLE = ("draft", "correction_requested")
OUT_OF_WINDOW = N_("現在は申請期間外です。")


class RenewalError(Refusal):
    status = 409


@dataclass
class Screen:
    """What the facility may do now: the window, its application, whether it can edit."""
    facility: Facility
    certification: FacilityCertification | None
    window: RenewalWindow | None  # the open window, if any
    application: RenewalApplication | None

    @property
    def facility_type(self) -> str:
        return self.certification.facility_type if self.certification else "core"

    @property
    def editable(self) -> bool:
        if self.application is not None and self.application.status == "correction_requested":
            return True  # corrections stay possible after the window closes (Q17 default)
        return self.window is not None and (self.application is None or self.application.status == "draft")

    @property
    def shown(self) -> bool:
        """The application screen is offered while editable or once something was submitted."""
        return self.editable or (self.application is not None and self.application.status != "draft")

    @property
    def can_submit(self) -> bool:
        app = self.application
        return (self.editable and app is not None and app.sealed_file_id is not None
                and all(app.registered(code) for code in ("application_form", "overview_form")))


def certification_of(facility_id: int) -> FacilityCertification | None:
    return db.session.scalar(select(FacilityCertification).where(
        FacilityCertification.facility_id == facility_id).order_by(FacilityCertification.id.desc()).limit(1))


def open_window(now: datetime) -> RenewalWindow | None:
    return db.session.scalar(select(RenewalWindow).where(
        RenewalWindow.opens_at <= now, RenewalWindow.closes_at >= now).order_by(RenewalWindow.id).limit(1))


def _load(stmt):
    return db.session.scalar(stmt.options(
        selectinload(RenewalApplication.forms), selectinload(RenewalApplication.physicians),
        selectinload(RenewalApplication.corrections), selectinload(RenewalApplication.sealed_file)))


def screen_for(user: User, now: datetime) -> Screen:
    if user.role != Role.facility_manager.value or user.facility_id is None:
        raise RenewalError(N_("施設アカウントではありません。"), 404)
    window = open_window(now)
    base = select(RenewalApplication).where(RenewalApplication.facility_id == user.facility_id)
    application = _load(base.where(RenewalApplication.window_id == window.id)) if window else None
    if application is None:  # the latest one: submitted, passed, or awaiting a correction
        application = _load(base.order_by(RenewalApplication.id.desc()).limit(1))
        if application is not None and window is not None:
            application = None if application.status != "correction_requested" else application
    return Screen(user.facility, certification_of(user.facility_id), window, application)


def editable_application(user: User, now: datetime) -> tuple[Screen, RenewalApplication]:
    """The application a POST may change, created on the first save inside the window."""
    screen = screen_for(user, now)
    if not screen.editable:
        app = screen.application
        if app is not None and app.status in ("submitted", "passed", "failed", "certified"):
            raise RenewalError(N_("申請済みです。修正依頼があるまで変更できません。"))
        raise RenewalError(OUT_OF_WINDOW)
    if screen.application is None:
        app = RenewalApplication(tenant_id=user.tenant_id, facility_id=user.facility_id,
                                 window_id=screen.window.id, facility_type=screen.facility_type)
        db.session.add(app)
        db.session.flush()
        audit.record("renewal_started", app, actor=user, to_state="draft")
        screen.application = app
    return screen, screen.application


# --- validation (each returns {field: message}; empty means 登録済み) -----------------------------

def next_april_first(day: date) -> date:
    return date(day.year + (1 if day >= date(day.year, 4, 1) else 0), 4, 1)


def period_start(window: RenewalWindow) -> date:
    """The first day of the certification period a window's applications are for: the April
    after the window closes (認定開始日, the default the secretariat starts from)."""
    return next_april_first(to_jst(window.closes_at).date())


def core_facilities_for(window: RenewalWindow, exclude: int | None = None) -> list[FacilityCertification]:
    """The 基幹施設 an affiliated facility may name in this window (I-43): those certified when
    the window opens or later (a certification that covers the period applied for, or one that
    ends before it and so is being renewed in this same window), and any core facility with an
    application in this window. Not "valid today": a core facility renewing alongside must not
    drop off the list when its old period ends during the window."""
    opens = to_jst(window.opens_at).date()
    renewing = select(RenewalApplication.facility_id).where(RenewalApplication.window_id == window.id)
    stmt = (select(FacilityCertification).where(
        FacilityCertification.facility_type == "core",
        FacilityCertification.valid_from <= period_start(window),
        or_(FacilityCertification.valid_to.is_(None), FacilityCertification.valid_to >= opens,
            FacilityCertification.facility_id.in_(renewing)))
        .options(selectinload(FacilityCertification.facility)))
    if exclude is not None:
        stmt = stmt.where(FacilityCertification.facility_id != exclude)
    return list(db.session.scalars(stmt.order_by(FacilityCertification.certification_number)))


def _text(data: dict, key: str) -> str:
    return str(data.get(key) or "").strip()


def confirm_roster(actor: User, application_id: int) -> RenewalApplication:
    """The secretariat checked the flagged member numbers another way (Q22)."""
    app = get_application(application_id)
    if app.roster_status != "unverified":
        raise RenewalError(N_("名簿未確認の会員番号はありません。"), 409)
    app.roster_status = "confirmed"
    db.session.flush()
    audit.record("renewal_roster_confirmed", app, actor=actor, from_state=app.status,
                 to_state=app.status, reason="、".join(app.roster_unverified or []))
    return app


def validate_application_form(data: dict, physicians: list[dict], facility_type: str,
                              facility_id: int, window: RenewalWindow,
                              members: dict[str, SocietyMember] | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    required = {"facility_name": N_("施設名を入力してください。"),
                "certification_number": N_("認定番号を入力してください。"),
                "institution_head": N_("施設としての責任者を入力してください。"),
                "responsible_name": N_("施設責任者の氏名を入力してください。"),
                "responsible_member_number": N_("施設責任者の会員番号を入力してください。")}
    for key, message in required.items():
        if not _text(data, key):
            errors[key] = message
    number, today = _text(data, "responsible_member_number"), to_jst(utcnow()).date()
    members = roster(data, physicians) if members is None else members
    member = members.get(number)
    if member is not None and not (member.certified and member.valid_on(today)):  # C-R14 / I-44
        errors["responsible_member_number"] = N_("施設責任者は%(society)sの認定取得者である必要があります。")
    head, responsible = _text(data, "institution_head"), _text(data, "responsible_name")
    if head and head.replace(" ", "").replace("\u3000", "") == responsible.replace(" ", "").replace("\u3000", ""):
        errors["responsible_name"] = N_("施設責任者には、施設としての責任者とは異なる%(society)sの認定取得者を記入してください。")
    if facility_type == "affiliated":
        core = _text(data, "core_facility_id")
        cores = {str(c.facility_id) for c in core_facilities_for(window, exclude=facility_id)}
        if not core:
            errors["core_facility_id"] = N_("連携施設は連携する基幹施設を選択してください。")
        elif core not in cores:  # I-43
            errors["core_facility_id"] = N_("選択された基幹施設は%(society)sの基幹施設名簿にありません。")
    if any(not (p["name"] and p["member_number"]) for p in physicians):
        errors["physicians"] = N_("%(physician)sの氏名と会員番号を入力してください。")
    elif any((m := members.get(p["member_number"])) is not None and m.qualification is not None
             and not (m.qualification == "supervisor" and m.valid_on(today)) for p in physicians):
        errors["physicians"] = N_("会員名簿で%(physician)sの資格（有効期間内）を確認できない方がいます。")  # C-R16
    elif not physicians:
        errors["physicians"] = N_("%(physician)sを1名以上入力してください。")
    elif facility_type == "core" and not any(p["full_time"] for p in physicians):  # I-42
        errors["physicians"] = N_("基幹施設には常勤の%(physician)sが1名以上必要です。")
    return errors


COUNT_MESSAGES = {
    "beds": (N_("病床数を入力してください。"), N_("病床数は0以上の整数で入力してください。")),
    "team_cases": (N_("年間の%(team)s介入件数を入力してください。"),
                   N_("年間の%(team)s介入件数は0以上の整数で入力してください。")),
}


def validate_overview_form(data: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key, (missing, not_a_count) in COUNT_MESSAGES.items():
        raw = _text(data, key)
        if not raw:
            errors[key] = missing
        elif not (raw.isascii() and raw.isdigit()):
            errors[key] = not_a_count
    if _text(data, "has_pcu") not in ("yes", "no"):
        errors["has_pcu"] = N_("%(ward)sの有無を選択してください。")
    if not _text(data, "training_content"):
        errors["training_content"] = N_("主な研修内容を入力してください。")
    return errors


def clean_physicians(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        name, number = _text(row, "name"), _text(row, "member_number")
        if name or number:
            out.append({"name": name, "member_number": number, "full_time": bool(row.get("full_time"))})
    return out


# --- facility actions ----------------------------------------------------------------------------

def _save(user: User, app: RenewalApplication, code: str, data: dict, errors: dict) -> RenewalForm:
    form = app.form(code)
    if form is None:
        form = RenewalForm(tenant_id=app.tenant_id, application=app, form_code=code, data={})
        db.session.add(form)
    was = form.registered
    form.data, form.registered = data, not errors
    db.session.flush()
    if was != form.registered:
        audit.record(f"{code}_{'registered' if form.registered else 'unregistered'}", app,
                     actor=user, from_state=app.status, to_state=app.status)
    return form


def save_application_form(user: User, data: dict, physicians: list[dict], now: datetime):
    screen, app = editable_application(user, now)
    physicians = clean_physicians(physicians)
    fields = ("facility_name", "certification_number", "institution_head", "responsible_name",
              "responsible_member_number", "core_facility_id")
    data = {key: _text(data, key) for key in fields}
    members = roster(data, physicians)  # read once: the rule and the flag both use it
    errors = validate_application_form(data, physicians, app.facility_type, app.facility_id,
                                       app.window, members)
    app.core_facility_id = (int(data["core_facility_id"]) if app.facility_type == "affiliated"
                            and "core_facility_id" not in errors and data["core_facility_id"] else None)
    flag_roster(app, data, physicians, members)
    for old in list(app.physicians):
        db.session.delete(old)
    app.physicians = [RenewalPhysician(tenant_id=app.tenant_id, application_id=app.id, **p)
                      for p in physicians]
    return _save(user, app, "application_form", data, errors), errors


def save_overview_form(user: User, data: dict, now: datetime):
    _, app = editable_application(user, now)
    data = {key: _text(data, key) for key in ("beds", "has_pcu", "team_cases", "training_content")}
    errors = validate_overview_form(data)
    return _save(user, app, "overview_form", data, errors), errors


def upload_scan(user: User, upload: FileStorage | None, rules: TenantRules, now: datetime):
    """The sealed scan is kept as sent (PDF only); a new upload supersedes the previous one."""
    _, app = editable_application(user, now)
    stored = store_upload(upload, SLOT, rules.upload(SLOT), tenant_id=user.tenant_id, owner_id=user.id)
    stored.state = "committed"
    db.session.add(stored)
    if app.sealed_file is not None:
        app.sealed_file.state = "superseded"
    app.sealed_file = stored
    db.session.flush()
    audit.record("renewal_scan_uploaded", app, actor=user, from_state=app.status, to_state=app.status)
    return stored


def submit(user: User, now: datetime) -> RenewalApplication:
    """更新申請 (I-41): both forms 登録済み (checked again now), the scan, inside the window or
    answering a correction request. Mail goes out in the same transaction (I-45)."""
    screen, app = editable_application(user, now)
    form1, form2 = app.form("application_form"), app.form("overview_form")
    if form1 is None or validate_application_form(
            form1.data, [dict(name=p.name, member_number=p.member_number, full_time=p.full_time)
                         for p in app.physicians], app.facility_type, app.facility_id, app.window):
        raise RenewalError(N_("「1.申請書」が登録済みになっていません。"))
    if form2 is None or validate_overview_form(form2.data):
        raise RenewalError(N_("「2.概要書」が登録済みになっていません。"))
    if app.sealed_file_id is None:
        raise RenewalError(N_("公印を押印した「申請書・在籍証明書」のPDFをアップロードしてください。"))
    from_state = app.status
    revision = app.revision + (1 if from_state == "correction_requested" else 0)
    _transition(app, from_state, status="submitted", submitted_at=now, revision=revision)
    for correction in app.corrections:
        correction.resolved_at = correction.resolved_at or now
    audit.record("renewal_submitted", app, actor=user, from_state=from_state, to_state="submitted")
    for reviewer in secretariat_accounts():  # the review waits on the secretariat (issue 19)
        open_task(reviewer, "review_renewal", "renewal.review", related_id=app.id, created_at=now)
    queue_mail("renewal_submitted", user.email, application=app, facility=app.facility,
               link=external_url("renewal.apply"))
    return app


def _transition(app: RenewalApplication, from_state: str, **values: Any) -> None:
    """Guarded in SQL: a double click or two secretaries move the row once."""
    result = db.session.execute(
        update(RenewalApplication)
        .where(RenewalApplication.id == app.id, RenewalApplication.status == from_state)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise RenewalError(N_("この申請は既に処理済みです。画面を更新してください。"))
    db.session.refresh(app)


# --- secretariat -----------------------------------------------------------------------------------

def review_list(status: str | None, limit: int = 200, age: str | None = None,
                today: date | None = None) -> list[RenewalApplication]:
    """Newest first; `age` (a dashboard bucket) counts from submission (portal.queues)."""
    stmt = (select(RenewalApplication).options(selectinload(RenewalApplication.facility),
                                               selectinload(RenewalApplication.window))
            .order_by(RenewalApplication.id.desc()).limit(inline(limit)))
    if status:
        stmt = stmt.where(RenewalApplication.status == status)
    if age and today:
        stmt = stmt.where(age_clause(waiting_since(), age, today))
    return list(db.session.scalars(stmt))


def waiting_since():
    return func.coalesce(RenewalApplication.submitted_at, RenewalApplication.created_at)


def get_application(application_id: int) -> RenewalApplication:
    app = _load(select(RenewalApplication).where(RenewalApplication.id == application_id))
    if app is None:
        raise RenewalError(N_("申請が見つかりません。"), 404)
    return app


def facility_accounts(facility_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.facility_id == facility_id, User.role == Role.facility_manager.value,
        User.active.is_(True)).order_by(User.id)))


def secretariat_accounts() -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role == Role.secretariat.value, User.active.is_(True)).order_by(User.id)))


def request_correction(actor: User, application_id: int, message: str, now: datetime):
    app = get_application(application_id)
    message = (message or "").strip()
    if not message:
        raise RenewalError(N_("修正依頼の内容を入力してください。"), 400)
    _transition(app, "submitted", status="correction_requested")
    close_tasks("review_renewal", related_id=app.id)
    db.session.add(RenewalCorrection(tenant_id=app.tenant_id, application_id=app.id,
                                     message=message, requested_by_id=actor.id))
    audit.record("renewal_correction_requested", app, actor=actor, from_state="submitted",
                 to_state="correction_requested", reason=message)
    for account in facility_accounts(app.facility_id):
        queue_mail("renewal_correction", account.email, application=app, facility=app.facility,
                   message=message, link=external_url("renewal.apply"))
        notify_user(account, "事務局から修正依頼があります。", message, now)
    return app


def history(app: RenewalApplication) -> list[tuple[Any, User | None]]:
    events = audit.history("renewal_applications", app.id)
    ids = {e.actor_id for e in events if e.actor_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [(e, users.get(e.actor_id)) for e in events]
