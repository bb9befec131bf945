"""The secretariat's trainee administration (A-S12): find a trainee, correct 基本領域 and
プログラム状況 with a reason, register a 研修開始 on the trainee's behalf, read the credential
history, and ask for the final document behind a provisional credential (A-R10), which keeps
the approved training as it is. Services flush, never commit; every change is audited."""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from portal import audit, normalize
from portal.accounts.models import BASIC_PROGRAM_STATUS, BASIC_SPECIALTIES, Role, User
from portal.blueprints.credentials.models import Credential, ReviewStatus, TrainingStartApplication
from portal.blueprints.credentials.services import CredentialError, register_training_start
from portal.directory.models import Facility
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.paging import Page, keyset, page_of
from portal.tenants.rules import TenantRules
from portal.urls import external_url
from portal.worklist.services import notify_user, open_task


def trainees(query: str = "", after_id: int | None = None) -> Page:
    """Trainees by id (keyset pages, portal.paging), matching a name, kana, member number or
    e-mail."""
    stmt = select(User).where(User.role == Role.trainee.value)
    term = normalize.without_controls(query).strip()
    if term:
        folded = normalize.nfkc(term)
        stmt = stmt.where(or_(User.full_name.icontains(term, autoescape=True),
                              User.full_name_kana.icontains(normalize.kana(term), autoescape=True),
                              User.member_number == folded, User.login_id == folded,
                              User.email.icontains(folded, autoescape=True)))
    return page_of(list(db.session.scalars(
        keyset(stmt, User.id, after_id).options(joinedload(User.facility)))))


def get_trainee(user_id: int) -> User:
    trainee = db.session.scalar(select(User).where(User.id == user_id, User.role == Role.trainee.value))
    if trainee is None:
        raise CredentialError(N_("専攻医が見つかりません。"), 404)
    return trainee


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CredentialError(N_("変更の理由を入力してください。"), 422, "reason")
    return reason


def update_program(actor: User, trainee_id: int, specialty: str, status: str, reason: str) -> User:
    """基本領域 and プログラム状況 are the secretariat's to correct (A-S12), with a reason."""
    trainee = get_trainee(trainee_id)
    if specialty not in BASIC_SPECIALTIES:
        raise CredentialError(N_("基本領域を選択してください。"), 422, "specialty")
    if status not in BASIC_PROGRAM_STATUS:
        raise CredentialError(N_("プログラム状況を選択してください。"), 422, "program_status")
    reason = _reason(reason)
    before = (trainee.jmsb_basic_specialty, trainee.basic_program_status)
    if before == (specialty, status):
        raise CredentialError(N_("変更はありません。"), 422)
    trainee.jmsb_basic_specialty, trainee.basic_program_status = specialty, status
    db.session.flush()
    audit.record("trainee_program_updated", trainee, actor=actor, reason=(
        f"基本領域: {BASIC_SPECIALTIES.get(before[0] or '', '未設定')} → {BASIC_SPECIALTIES[specialty]}、"
        f"プログラム状況: {BASIC_PROGRAM_STATUS.get(before[1] or '', '未設定')} → "
        f"{BASIC_PROGRAM_STATUS[status]}（理由: {reason}）"))
    return trainee


def register_start_on_behalf(actor: User, trainee_id: int, facility_id: int, director_id: int,
                             start: date | None, rules: TenantRules) -> TrainingStartApplication:
    """研修開始の登録 by the secretariat, for a trainee who has none yet (the society's cohort
    rules still decide whether it arrives approved, A-R03)."""
    trainee = get_trainee(trainee_id)
    if db.session.scalar(select(TrainingStartApplication.id).where(
            TrainingStartApplication.trainee_id == trainee.id).limit(1)) is not None:
        raise CredentialError(N_("この専攻医の研修開始は登録済みです。"), 409)
    facility = db.session.get(Facility, facility_id) if facility_id else None
    director = db.session.scalar(select(User).where(
        User.id == director_id, User.role == Role.program_director.value)) if director_id else None
    if facility is None:
        raise CredentialError(N_("研修施設を選択してください。"), 422, "facility_id")
    if director is None:
        raise CredentialError(N_("統括責任者を選択してください。"), 422, "director_id")
    if start is None:
        raise CredentialError(N_("研修開始日を入力してください。"), 422, "start")
    application = register_training_start(trainee, facility.id, director, start, rules)
    audit.record("training_start_registered_by_secretariat", application, actor=actor,
                 to_state=application.status,
                 reason=f"{facility.name} / {director.full_name} / {start.isoformat()}")
    return application


def credential_history(trainee_id: int) -> list[Credential]:
    return list(db.session.scalars(
        select(Credential).where(Credential.trainee_id == trainee_id)
        .options(joinedload(Credential.file), joinedload(Credential.reviewed_by))
        .order_by(Credential.id.desc())))


def request_replacement(actor: User, credential_id: int, comment: str) -> Credential:
    """A-R10: the trainee is asked for the final document behind a provisional credential
    (承認済 -> 再提出依頼, which still counts as approved: training, enrollment and start date
    stay); the replacement the trainee uploads goes to review like any credential."""
    credential = db.session.scalar(select(Credential).where(Credential.id == credential_id)
                                   .options(joinedload(Credential.trainee)))
    if credential is None:
        raise CredentialError(N_("証票が見つかりません。"), 404)
    comment = (comment or "").strip()
    moved = db.session.execute(
        update(Credential).where(Credential.id == credential.id, Credential.is_provisional.is_(True),
                                 Credential.status == ReviewStatus.approved.value)
        .values(status=ReviewStatus.replacement_requested.value, review_comment=comment or None)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise CredentialError(N_("差し替えを依頼できるのは、承認済みの暫定の証票だけです。"), 409)
    db.session.refresh(credential)
    audit.record("credential_replacement_requested", credential, actor=actor,
                 from_state="approved", to_state="replacement_requested", reason=comment or None)
    trainee = credential.trainee
    open_task(trainee, "upload_credential", "credentials.upload")
    queue_mail("credential_replacement_requested", trainee.email, trainee=trainee, comment=comment,
               link=external_url("credentials.upload"))
    notify_user(trainee, "証票の差し替えをお願いします。",
                comment or "暫定の証票に代わる正式な証票をアップロードしてください。")
    return credential
