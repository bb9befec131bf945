"""研修開始申請, the normal flow (A-W01, A-R03, A-R05): the trainee names the facility, its program
director and the start date; the named director approves or returns it with a reason. The 証票
may follow later (A-R05): approval opens the upload task. Until approval the server refuses the
upload (services._require_can_upload) and case entry (an approved credential is needed).
Services flush, never commit; every transition is guarded in SQL and audited."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal import audit
from portal.accounts.models import Role, User
from portal.blueprints.credentials.models import ReviewStatus, TrainingStartApplication
from portal.blueprints.credentials.services import CredentialError, training_start
from portal.db import inline, utcnow
from portal.directory.models import Facility
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.paging import Page, keyset, page_of
from portal.queues import age_clause
from portal.urls import external_url
from portal.worklist.services import close_tasks, notify_user, open_task

OPEN = (ReviewStatus.not_submitted.value, ReviewStatus.returned.value)
EARLIEST = date(2000, 4, 1)


def facilities() -> list[Facility]:
    return list(db.session.scalars(select(Facility).order_by(Facility.name)))


def directors() -> list[User]:
    """Active program directors at a facility: only they can be named (I-16 reviews need one)."""
    return list(db.session.scalars(
        select(User).where(User.role == Role.program_director.value, User.active.is_(True),
                           User.facility_id.is_not(None))
        .options(joinedload(User.facility)).order_by(User.full_name)))


def apply(trainee: User, facility_id: int, director_id: int, start: date | None,
          now: datetime | None = None) -> TrainingStartApplication:
    """申請 (A-W01): 未申請 or 差戻し -> 審査待ち; the named director is told (task and mail)."""
    current = training_start(trainee)
    if current is not None and current.status not in OPEN:
        raise CredentialError(N_("研修開始申請は審査待ちか承認済みのため、申請できません。"), 409)
    facility = db.session.get(Facility, facility_id) if facility_id else None
    if facility is None:
        raise CredentialError(N_("研修施設を選択してください。"), 422, "facility_id")
    director = db.session.scalar(select(User).where(
        User.id == director_id, User.role == Role.program_director.value,
        User.active.is_(True))) if director_id else None
    if director is None:
        raise CredentialError(N_("統括責任者を選択してください。"), 422, "director_id")
    if director.facility_id != facility.id:
        raise CredentialError(N_("選択した研修施設の統括責任者を選択してください。"), 422, "director_id")
    if start is None or start < EARLIEST:
        raise CredentialError(N_("研修開始日を入力してください。"), 422, "start")
    now = now or utcnow()
    if current is None:
        current = TrainingStartApplication(
            tenant_id=trainee.tenant_id, trainee_id=trainee.id, origin="normal",
            facility_id=facility.id, program_director_id=director.id, training_start_date=start,
            status=ReviewStatus.not_submitted.value)
        db.session.add(current)
        db.session.flush()
    from_state = current.status
    moved = db.session.execute(
        update(TrainingStartApplication)
        .where(TrainingStartApplication.id == current.id, TrainingStartApplication.status.in_(OPEN))
        .values(status=ReviewStatus.pending_review.value, facility_id=facility.id,
                program_director_id=director.id, training_start_date=start, reviewed_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise CredentialError(N_("研修開始申請は審査待ちか承認済みのため、申請できません。"), 409)
    db.session.refresh(current)
    audit.record("training_start_submitted", current, actor=trainee, from_state=from_state,
                 to_state="pending_review", reason=f"{facility.name} / {director.full_name} / {start.isoformat()}")
    open_task(director, "review_training_start", "credentials.training_start_queue", related_id=current.id)
    queue_mail("training_start_submitted", director.email, director=director, trainee=trainee,
               application=current, link=external_url("credentials.training_start_queue"))
    return current


def _pending_scope(actor: User):
    """I-16: the named director (still at that facility) reviews; the secretariat may act instead."""
    if actor.role == Role.secretariat.value:
        return TrainingStartApplication.id.is_not(None)
    if actor.role == Role.program_director.value and actor.facility_id is not None:
        return (TrainingStartApplication.program_director_id == actor.id) & (
            TrainingStartApplication.facility_id == actor.facility_id)
    return TrainingStartApplication.id.is_(None)


def queue(actor: User, after_id: int | None = None, age: str | None = None,
          today: date | None = None) -> Page:
    """Pending applications, oldest first; keyset pages on id (portal.paging). `age`: the
    dashboard's bucket (portal.queues), counted from the application."""
    stmt = (select(TrainingStartApplication)
            .where(_pending_scope(actor), TrainingStartApplication.status == inline("pending_review"))
            .options(joinedload(TrainingStartApplication.trainee),
                     joinedload(TrainingStartApplication.facility)))
    if age and today:
        stmt = stmt.where(age_clause(TrainingStartApplication.created_at, age, today))
    return page_of(list(db.session.scalars(keyset(stmt, TrainingStartApplication.id, after_id))))


def pending_for(actor: User, application_id: int) -> TrainingStartApplication:
    """One application waiting for this reviewer (404 otherwise, another society's too)."""
    application = db.session.scalar(select(TrainingStartApplication).where(
        TrainingStartApplication.id == application_id, _pending_scope(actor),
        TrainingStartApplication.status == inline("pending_review"))
        .options(joinedload(TrainingStartApplication.trainee),
                 joinedload(TrainingStartApplication.facility)))
    if application is None:
        raise CredentialError(N_("研修開始申請が見つかりません。"), 404)
    return application


def _decide(actor: User, application_id: int, to_state: str, reason: str | None) -> TrainingStartApplication:
    application = db.session.scalar(select(TrainingStartApplication).where(
        TrainingStartApplication.id == application_id, _pending_scope(actor))
        .options(joinedload(TrainingStartApplication.trainee)))
    if application is None:
        raise CredentialError(N_("研修開始申請が見つかりません。"), 404)
    if application.trainee_id == actor.id:
        raise CredentialError(N_("ご自身の申請は審査できません。"), 403)
    moved = db.session.execute(
        update(TrainingStartApplication)
        .where(TrainingStartApplication.id == application.id,
               TrainingStartApplication.status == ReviewStatus.pending_review.value)
        .values(status=to_state, reviewed_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise CredentialError(N_("この申請は既に他の方が処理済みです。画面を更新してください。"), 409)
    db.session.refresh(application)
    audit.record(f"training_start_{to_state}", application, actor=actor, from_state="pending_review",
                 to_state=to_state, reason=reason)
    close_tasks("review_training_start", related_id=application.id)
    return application


def approve(actor: User, application_id: int) -> TrainingStartApplication:
    """承認: the upload task opens (A-R05: the credential may follow now)."""
    application = _decide(actor, application_id, ReviewStatus.approved.value, None)
    trainee = application.trainee
    open_task(trainee, "upload_credential", "credentials.upload")
    queue_mail("training_start_approved", trainee.email, trainee=trainee, application=application,
               link=external_url("credentials.upload"))
    notify_user(trainee, "研修開始申請が承認されました。", "証票をアップロードしてください。")
    return application


def return_(actor: User, application_id: int, reason: str) -> TrainingStartApplication:
    reason = (reason or "").strip()
    if not reason:
        raise CredentialError(N_("差戻しの理由を入力してください。"), 422, "reason")
    application = _decide(actor, application_id, ReviewStatus.returned.value, reason)
    trainee = application.trainee
    queue_mail("training_start_returned", trainee.email, trainee=trainee, reason=reason,
               link=external_url("credentials.training_start"))
    notify_user(trainee, "研修開始申請が差し戻されました。", f"理由: {reason}")
    return application
