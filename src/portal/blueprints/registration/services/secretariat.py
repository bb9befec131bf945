"""The secretariat's side of registration: find a registrant, correct what only it may change
(B-R18: 氏名, フリガナ, 医籍登録番号, 生年月日), and check the 医師免許証 (B-R04).
Services flush, never commit; transitions are guarded in SQL."""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal import audit, normalize
from portal.accounts.licences import MedicalLicense
from portal.accounts.models import Role, User
from portal.blueprints.registration.services.registrant import LicenseError, RegistrationError
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.paging import Page, keyset, page_of
from portal.urls import external_url

# The list's filter: the current licence's status, or none at all.
LICENSE_FILTERS = {
    "none": N_("未提出"),
    "provisional": N_("仮登録"),
    "submitted": N_("提出済"),
    "replacement_requested": N_("差し替え依頼中"),
    "verified": N_("確認済"),
}
IDENTITY_FIELDS = {
    "full_name": N_("氏名"),
    "full_name_kana": N_("フリガナ"),
    "medical_registration_number": N_("医籍登録番号"),
    "birth_date": N_("生年月日"),
}
# The registrant's history as the secretariat reads it (audit actions on the users row).
AUDIT_LABELS = {
    "registered": N_("新規ユーザー登録"),
    "login_url_resent": N_("ログインURLの再送"),
    "account_setup_completed": N_("パスワードの設定"),
    "registrant_updated": N_("事務局による登録情報の変更"),
    "contact_updated": N_("登録情報の更新（本人）"),
    "email_change_requested": N_("メールアドレス変更の受付"),
    "email_changed": N_("メールアドレスの変更"),
    "password_reset": N_("パスワードの再設定"),
    "registration_archived": N_("未応募のまま年度が終わったためアーカイブ"),
    "registration_restored": N_("アーカイブの取り消し"),
}
NUMBER_TAKEN = N_("この医籍登録番号は既に別のアカウントに登録されています。")
ALREADY_HANDLED = N_("この医師免許証は既に処理されています。画面を更新してください。")
NOT_CURRENT = N_("新しい医師免許証が提出されています。画面を更新してください。")


def _current_status():
    """The status of each user's newest licence, as a column of the registrant query."""
    return (select(MedicalLicense.status).where(MedicalLicense.user_id == User.id)
            .order_by(MedicalLicense.id.desc()).limit(1).correlate(User).scalar_subquery())


def _matches(query: str):
    number = normalize.registration_number(query)
    kana = normalize.kana(query)
    return or_(
        User.full_name.icontains(normalize.name(query), autoescape=True),
        User.full_name_kana.icontains(kana, autoescape=True),
        func.lower(User.email).contains(query.lower(), autoescape=True),
        User.medical_registration_number == number,
    )


def registrants(query: str = "", status: str = "", after_id: int | None = None) -> Page:
    """Trainee accounts with their current licence status, oldest first; keyset pages on id
    (portal.paging) keep deep pages cheap. One query per page. Rows are (user, status)."""
    current = _current_status()
    stmt = select(User, current).where(User.role == Role.trainee.value)
    query = normalize.nfkc(query)
    if query:
        stmt = stmt.where(_matches(query))
    if status == "none":
        stmt = stmt.where(current.is_(None))
    elif status in LICENSE_FILTERS:
        stmt = stmt.where(current == status)
    rows = [(user, state) for user, state in db.session.execute(keyset(stmt, User.id, after_id))]
    return page_of(rows, key=lambda row: row[0].id)


def get_registrant(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.trainee.value:
        raise RegistrationError(N_("登録者が見つかりません。"), 404)
    return user


def update_identity(actor: User, user_id: int, values: dict) -> list[str]:
    """Returns the labels of the fields that changed (none: nothing is written)."""
    user = get_registrant(user_id)
    changed = {k: (getattr(user, k), v) for k, v in values.items()
               if k in IDENTITY_FIELDS and getattr(user, k) != v}
    if not changed:
        return []
    number = values.get("medical_registration_number")
    if "medical_registration_number" in changed and db.session.scalar(select(User.id).where(
            User.medical_registration_number == number, User.id != user.id)) is not None:
        raise RegistrationError(NUMBER_TAKEN, 409)
    try:
        with db.session.begin_nested():  # a race with a registration meets the unique constraint
            for key, (_, new) in changed.items():
                setattr(user, key, new)
    except IntegrityError:
        raise RegistrationError(NUMBER_TAKEN, 409) from None
    audit.record("registrant_updated", user, actor=actor, reason="; ".join(
        f"{key}: {old or ''} -> {new or ''}" for key, (old, new) in changed.items()))
    return [IDENTITY_FIELDS[k] for k in changed]


def _current_license_for_review(license_id: int) -> MedicalLicense:
    license_ = db.session.get(MedicalLicense, license_id)
    if license_ is None:
        raise LicenseError(N_("医師免許証が見つかりません。"), 404)
    newest = db.session.scalar(select(func.max(MedicalLicense.id)).where(
        MedicalLicense.user_id == license_.user_id))
    if newest != license_.id:
        raise LicenseError(NOT_CURRENT, 409)
    return license_


def _transition(actor: User, license_: MedicalLicense, from_states: tuple[str, ...],
                to_state: str, comment: str | None) -> str:
    """Of two secretaries (or a double click) exactly one moves the row."""
    before = license_.status
    result = db.session.execute(
        update(MedicalLicense)
        .where(and_(MedicalLicense.id == license_.id, MedicalLicense.status.in_(from_states)))
        .values(status=to_state, reviewed_by_id=actor.id, reviewed_at=utcnow(),
                review_comment=comment)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise LicenseError(ALREADY_HANDLED, 409)
    db.session.refresh(license_)
    return before


def verify_license(actor: User, license_id: int) -> MedicalLicense:
    """確認済. A verified provisional image stays provisional: the licence itself is still due."""
    license_ = _current_license_for_review(license_id)
    before = _transition(actor, license_, ("submitted", "provisional"), "verified", None)
    audit.record("license_verified", license_, actor=actor, from_state=before, to_state="verified")
    return license_


def request_replacement(actor: User, license_id: int, comment: str) -> MedicalLicense:
    """差し替え依頼: the registrant may upload again and is mailed a link to the page."""
    comment = (comment or "").strip()
    if not comment:
        raise LicenseError(N_("差し替えを依頼する理由を入力してください。"))
    license_ = _current_license_for_review(license_id)
    before = _transition(actor, license_, ("submitted", "provisional", "verified"),
                         "replacement_requested", comment)
    audit.record("license_replacement_requested", license_, actor=actor, from_state=before,
                 to_state="replacement_requested", reason=comment)
    user = license_.user
    queue_mail("license_replacement_requested", user.email, user=user, comment=comment,
               link=external_url("registration.license"))
    return license_
