"""The rules of credential upload and review (DOMAIN.md A-W02, A-W03, I-10..I-17).
Services flush, never commit; the request commits once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from portal import audit
from portal.accounts.models import Role, User
from portal.blueprints.credentials.models import (
    PROVISIONAL_TYPES,
    REVIEW_LABELS,
    Credential,
    Enrollment,
    ReviewStatus,
    TrainingStartApplication,
    document_type_label,
)
from portal.db import inline, utcnow
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.paging import Page, keyset, page_of
from portal.queues import age_clause
from portal.storage import StoredFile, delete_after_commit, store_upload
from portal.tenants.rules import TenantRules
from portal.urls import external_url
from portal.worklist.services import close_tasks, notify_user, open_task

UNLOCKING = (ReviewStatus.approved.value, ReviewStatus.replacement_requested.value)
SLOT = "credential"


class CredentialError(Refusal):
    status = 400


@dataclass(frozen=True)
class TraineeSummary:
    application: TrainingStartApplication | None
    credential: Credential | None
    enrollment: Enrollment | None

    @property
    def credential_status(self) -> str:
        return self.credential.status if self.credential else ReviewStatus.not_submitted.value

    @property
    def credential_label(self) -> str:
        return REVIEW_LABELS[self.credential_status]

    @property
    def training_start_label(self) -> str:
        return REVIEW_LABELS[self.application.status] if self.application else REVIEW_LABELS["not_submitted"]

    @property
    def can_upload(self) -> bool:
        """Also after 再提出依頼 (A-R10): the final document behind a provisional credential."""
        approved = self.application is not None and self.application.status == "approved"
        return approved and self.credential_status in (
            "not_submitted", "pending_review", "returned", "replacement_requested")


def _latest_training_start_id(trainee_id):
    return (select(func.max(TrainingStartApplication.id))
            .where(TrainingStartApplication.trainee_id == trainee_id).scalar_subquery())


def _latest_credential_id(trainee_id):
    return (select(func.max(Credential.id)).where(Credential.trainee_id == trainee_id)
            .scalar_subquery())


def _current_enrollment_id(trainee_id):
    return (select(func.max(Enrollment.id))
            .where(Enrollment.trainee_id == trainee_id, Enrollment.to_date.is_(None))
            .scalar_subquery())


def training_start(trainee: User) -> TrainingStartApplication | None:
    return db.session.scalar(
        select(TrainingStartApplication).where(TrainingStartApplication.trainee_id == trainee.id)
        .options(joinedload(TrainingStartApplication.facility),
                 joinedload(TrainingStartApplication.program_director))
        .order_by(TrainingStartApplication.id.desc()).limit(1))


def current_credential(trainee: User) -> Credential | None:
    return db.session.scalar(
        select(Credential).where(Credential.trainee_id == trainee.id)
        .options(joinedload(Credential.file)).order_by(Credential.id.desc()).limit(1))


def current_enrollment(trainee: User) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.trainee_id == trainee.id, Enrollment.to_date.is_(None))
        .options(joinedload(Enrollment.facility), joinedload(Enrollment.program_director))
        .order_by(Enrollment.id.desc()).limit(1))


def trainee_summary(trainee: User) -> TraineeSummary:
    """The three "latest row" lookups in one statement: the trainee's own users row, with
    each latest row (found by its max id) outer-joined to it, so a missing one is None."""
    row = db.session.execute(
        select(TrainingStartApplication, Credential, Enrollment)
        .select_from(User)
        .outerjoin(TrainingStartApplication,
                   TrainingStartApplication.id == _latest_training_start_id(trainee.id))
        .outerjoin(Credential, Credential.id == _latest_credential_id(trainee.id))
        .outerjoin(Enrollment, Enrollment.id == _current_enrollment_id(trainee.id))
        .where(User.id == trainee.id)
        .options(joinedload(TrainingStartApplication.facility),
                 joinedload(TrainingStartApplication.program_director).lazyload(User.facility),
                 joinedload(Credential.file),
                 joinedload(Enrollment.facility),
                 joinedload(Enrollment.program_director).lazyload(User.facility))
    ).one_or_none()
    return TraineeSummary(*row) if row is not None else TraineeSummary(None, None, None)


def case_entry_unlocked(trainee: User) -> bool:
    """A-R06 / I-14: cases and reports need an approved credential. Any one: while the final
    document behind a provisional credential is reviewed (A-R10), the training goes on."""
    return bool(db.session.scalar(select(exists().where(
        Credential.trainee_id == trainee.id, Credential.status.in_(UNLOCKING)))))


def menu_flags(trainee: User) -> tuple[bool, bool]:
    """(case entry unlocked, enrolled now) in one statement: what the trainee's menu gates ask
    on every page that is not the top page (which reads them with its own facts)."""
    row = db.session.execute(select(
        exists().where(Credential.trainee_id == trainee.id, Credential.status.in_(UNLOCKING)),
        exists().where(Enrollment.trainee_id == trainee.id, Enrollment.to_date.is_(None)))).one()
    return bool(row[0]), bool(row[1])


def allowed_document_types(trainee: User) -> list[str]:
    """A-W03 / A-R08 / A-R09 / A-R10: which document proves this trainee's prerequisite."""
    if trainee.basic_program_status == "specialist_certified":
        types = ["specialist_certificate"]
        if trainee.jmsb_basic_specialty == "internal_medicine":
            types.append("certified_physician_certificate")
        return types
    if trainee.basic_program_status in ("program_completed", "program_completion_expected"):
        return ["jmsb_completion_certificate", "society_completion_certificate"]
    return []


def _require_can_upload(trainee: User) -> TraineeSummary:
    summary = trainee_summary(trainee)
    if summary.application is None or summary.application.status != "approved":
        raise CredentialError(N_("研修開始申請が承認されていないため、証票をアップロードできません。"), 409)
    if not summary.can_upload:
        raise CredentialError(gettext("証票は既に「%(s)s」のため、アップロードできません。",
                                      s=gettext(summary.credential_label)), 409)
    if not allowed_document_types(trainee):
        raise CredentialError(N_("プログラム状況が登録されていません。学会事務局へお問い合わせください。"), 409)
    return summary


def stage_file(trainee: User, upload: FileStorage | None, rules: TenantRules) -> StoredFile:
    """次へ: validate and keep the file staged so the confirm screen can offer it for download."""
    _require_can_upload(trainee)
    stored = store_upload(upload, SLOT, rules.upload(SLOT), tenant_id=trainee.tenant_id,
                          owner_id=trainee.id)
    _drop_earlier_drafts(trainee)
    db.session.add(stored)
    db.session.flush()
    return stored


def _drop_earlier_drafts(trainee: User) -> None:
    """A trainee has one draft: choosing another file replaces the last one (row and bytes),
    so 1000 posts of 次へ leave one staged file, not 1000 until the daily purge."""
    for earlier in db.session.scalars(select(StoredFile).where(
            StoredFile.owner_id == trainee.id, StoredFile.slot == SLOT,
            StoredFile.state == "staged")):
        delete_after_commit(earlier)


def staged_file(trainee: User, file_id: int | None) -> StoredFile | None:
    if file_id is None:
        return None
    return db.session.scalar(select(StoredFile).where(
        StoredFile.id == file_id, StoredFile.owner_id == trainee.id,
        StoredFile.slot == SLOT, StoredFile.state == "staged"))


def submit(trainee: User, file_id: int | None, document_type: str) -> Credential:
    """申請: pending_review; a pending credential has its file replaced (one pending at a time)."""
    summary = _require_can_upload(trainee)
    if document_type not in allowed_document_types(trainee):
        raise CredentialError(N_("この証票の種類は、あなたのプログラム状況では提出できません。"))
    file = staged_file(trainee, file_id)
    if file is None:
        raise CredentialError(N_("アップロードするファイルが見つかりません。もう一度ファイルを選択してください。"))
    current, now = summary.credential, utcnow()
    file.state = "committed"
    if current is not None and current.status == ReviewStatus.pending_review.value:
        current.file.state = "superseded"
        current.file, current.document_type, current.submitted_at = file, document_type, now
        current.is_provisional = document_type in PROVISIONAL_TYPES
        db.session.flush()
        audit.record("credential_file_replaced", current, actor=trainee,
                     from_state="pending_review", to_state="pending_review")
        return current
    credential = Credential(
        tenant_id=trainee.tenant_id, trainee=trainee, application=summary.application,
        facility_id=summary.application.facility_id, document_type=document_type, file=file,
        status=ReviewStatus.pending_review.value, submitted_at=now,
        is_provisional=document_type in PROVISIONAL_TYPES,
        supersedes_id=current.id if current else None)
    db.session.add(credential)
    db.session.flush()
    audit.record("credential_submitted", credential, actor=trainee,
                 from_state=current.status if current else "not_submitted", to_state="pending_review")
    close_tasks("upload_credential", user_id=trainee.id)
    _notify_directors(credential, summary.application)
    return credential


def _notify_directors(credential: Credential, application: TrainingStartApplication) -> None:
    director = application.program_director
    open_task(director, "review_credential", "credentials.review", related_id=credential.id)
    queue_mail("credential_submitted", director.email, director=director,
               trainee=credential.trainee, credential=credential,
               link=external_url("credentials.review", credential_id=credential.id))


def _review_scope(actor: User):
    """I-16: the program director named in the trainee's 研修開始申請 reviews; the secretariat
    may act instead (an override, audited as such); nobody else, not even another director of
    the same facility."""
    if actor.role == Role.secretariat.value:
        return Credential.id.is_not(None)
    if actor.role == Role.program_director.value and actor.facility_id is not None:
        # still at that facility: a director who left it loses access at once
        return and_(Credential.facility_id == actor.facility_id,
                    Credential.training_start_application_id.in_(
                        select(TrainingStartApplication.id).where(
                            TrainingStartApplication.program_director_id == actor.id)))
    return Credential.id.is_(None)  # nobody else reviews


def _override_reason(actor: User, credential: Credential, reason: str | None = None) -> str | None:
    """What the audit says when the secretariat decides in the named director's place."""
    if actor.role != Role.secretariat.value:
        return reason
    director = credential.application.program_director
    note = f"事務局による代行（統括責任者: {director.full_name}）"
    return f"{note} {reason}" if reason else note


def _pending_for(actor: User) -> tuple:
    """The credentials waiting for this reviewer (the queue and its count)."""
    return _review_scope(actor), Credential.status == inline("pending_review")


def review_queue(actor: User, after_id: int | None = None, age: str | None = None,
                 today: date | None = None) -> Page:
    """Pending credentials, oldest first, one keyset page (portal.paging). `age`: the
    dashboard's bucket (portal.queues), counted from submission."""
    stmt = (select(Credential).where(*_pending_for(actor))
            .options(joinedload(Credential.trainee), joinedload(Credential.file)))
    if age and today:
        stmt = stmt.where(age_clause(Credential.submitted_at, age, today))
    return page_of(list(db.session.scalars(keyset(stmt, Credential.id, after_id))))


def queue_counts(actor: User) -> dict[str, int]:
    pending = db.session.scalar(select(func.count()).select_from(
        select(Credential.id).where(*_pending_for(actor))
        .limit(inline(1000)).subquery()))
    return {"pending": pending or 0}


def get_for_review(actor: User, credential_id: int) -> Credential:
    credential = db.session.scalar(
        select(Credential).where(Credential.id == credential_id, _review_scope(actor))
        .options(joinedload(Credential.trainee), joinedload(Credential.file),
                 joinedload(Credential.application)))
    if credential is None:
        raise CredentialError(N_("証票が見つかりません。"), 404)
    if credential.trainee_id == actor.id:
        raise CredentialError(N_("ご自身の証票は審査できません。"), 403)
    return credential


def _transition(actor: User, credential: Credential, to_state: str, comment: str | None) -> None:
    """Guarded in SQL: of two reviewers (or a double click) exactly one moves the row."""
    result = db.session.execute(
        update(Credential)
        .where(Credential.id == credential.id, Credential.status == ReviewStatus.pending_review.value)
        .values(status=to_state, reviewed_by_id=actor.id, reviewed_at=utcnow(), review_comment=comment)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise CredentialError(N_("この証票は既に他の方が処理済みです。画面を更新してください。"), 409)
    db.session.refresh(credential)


def approve(actor: User, credential_id: int, rotation: str | None = None) -> Credential:
    """承認: the first training period (A-R07) starts, of `rotation` (the society's first
    rotation, rules.training, when the view names none)."""
    credential = get_for_review(actor, credential_id)
    _transition(actor, credential, ReviewStatus.approved.value, None)
    application = credential.application
    current = db.session.scalar(select(Enrollment).where(
        Enrollment.trainee_id == credential.trainee_id, Enrollment.to_date.is_(None))
        .order_by(Enrollment.id.desc()).limit(1))
    if current is not None:
        # A-R10: the final document behind a provisional one; or a trainee whose periods came
        # with the migration: the training (and its history) stays as it is
        current.credential_id = credential.id
    else:
        db.session.add(Enrollment(
            tenant_id=credential.tenant_id, trainee_id=credential.trainee_id,
            facility_id=application.facility_id, program_director_id=application.program_director_id,
            credential_id=credential.id, from_date=application.training_start_date,  # A-R07
            rotation=rotation))
    db.session.flush()
    audit.record("credential_approved", credential, actor=actor,
                 from_state="pending_review", to_state="approved",
                 reason=_override_reason(actor, credential))
    close_tasks("review_credential", related_id=credential.id)
    trainee = credential.trainee
    queue_mail("credential_approved", trainee.email, trainee=trainee, application=application,
               link=external_url("home.index"))
    notify_user(trainee, "証票が承認されました。", f"{actor.full_name}（{actor.role_label}）が承認しました。")
    return credential


def return_credential(actor: User, credential_id: int, reason: str) -> Credential:
    reason = (reason or "").strip()
    if not reason:
        raise CredentialError(N_("差戻しの理由を入力してください。"))
    credential = get_for_review(actor, credential_id)
    _transition(actor, credential, ReviewStatus.returned.value, reason)
    audit.record("credential_returned", credential, actor=actor,
                 from_state="pending_review", to_state="returned",
                 reason=_override_reason(actor, credential, reason))
    close_tasks("review_credential", related_id=credential.id)
    trainee = credential.trainee
    open_task(trainee, "upload_credential", "credentials.upload")
    queue_mail("credential_returned", trainee.email, trainee=trainee, reason=reason,
               link=external_url("credentials.upload"))
    notify_user(trainee, "証票が差し戻されました。", f"理由: {reason}")
    return credential


def can_download(user: User, file: StoredFile) -> bool:
    if file.owner_id == user.id:
        return True
    if file.state == "staged":  # a draft chosen on 次へ is its owner's alone until 申請
        return False
    if user.role == Role.secretariat.value:
        return True
    if user.role != Role.program_director.value or user.facility_id is None:
        return False
    return bool(db.session.scalar(select(exists().where(
        Credential.file_id == file.id, Credential.facility_id == user.facility_id))))


def document_choices(trainee: User) -> list[tuple[str, str]]:
    return [(code, document_type_label(code)) for code in allowed_document_types(trainee)]


def register_training_start(trainee: User, facility_id: int, director: User, start, rules: TenantRules,
                            created_at=None) -> TrainingStartApplication:
    """Record a trainee's 研修開始登録. The society's cohort rules (A-R03) decide whether it
    arrives already approved (the 2023-04-01 / 2024-04-01 starters) with its initial tasks."""
    cohort = rules.cohort_for(start)
    approved = cohort is not None and cohort.training_start_approved
    application = TrainingStartApplication(
        tenant_id=trainee.tenant_id, trainee_id=trainee.id, facility_id=facility_id,
        program_director_id=director.id, training_start_date=start,
        status=ReviewStatus.approved.value if approved else ReviewStatus.not_submitted.value,
        origin="migrated_cohort" if cohort else "normal")
    db.session.add(application)
    db.session.flush()
    audit.record("training_start_registered", application, to_state=application.status)
    for kind in cohort.initial_tasks if cohort else ():
        open_task(trainee, kind, "credentials.upload", created_at=created_at)
    return application


# --- the people import (issue 15): a trainee's director and training start --------------------
