"""The secretariat's accounts: find, reassign, deactivate, reactivate, resend the
password-setting mail. Services flush, never commit; state changes are guarded in SQL and
audited on the users row (DESIGN.md rules 2 and 12)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select, update

from portal import audit, normalize
from portal.accounts import services as accounts
from portal.accounts.models import ROLE_LABELS, Role, User
from portal.audit import AuditEvent
from portal.db import inline
from portal.directory.filters import named_like
from portal.directory.models import Facility
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.paging import Page, keyset, page_of

HISTORY = 50
STATUS_FILTERS = {"active": N_("有効"), "inactive": N_("無効")}
AUDIT_LABELS = {
    "account_deactivated": N_("アカウントの無効化"),
    "account_reactivated": N_("アカウントの再有効化"),
    "account_reassigned": N_("役割・所属施設の変更"),
    "password_mail_sent": N_("パスワード設定メールの送信"),
    "password_reset": N_("パスワードの再設定"),
    "registered": N_("新規ユーザー登録"),
    "email_changed": N_("メールアドレスの変更"),
}
SELF = N_("ご自身のアカウントは無効化できません。")
SELF_ROLE = N_("ご自身の役割は変更できません。")
LAST_SECRETARIAT = N_("有効な事務局アカウントが他にないため、この操作はできません。")
ALREADY_INACTIVE = N_("このアカウントは既に無効です。画面を更新してください。")
ALREADY_ACTIVE = N_("このアカウントは既に有効です。画面を更新してください。")
INACTIVE_NO_MAIL = N_("無効なアカウントにはメールを送信できません。先に有効にしてください。")
UNKNOWN_FACILITY = N_("施設を一覧から選択してください。")


class AccountRefused(Refusal):
    pass


def _matches(query: str):
    code = normalize.code(query)
    return or_(User.full_name.icontains(normalize.name(query), autoescape=True),
               User.full_name_kana.icontains(normalize.kana(query), autoescape=True),
               func.lower(User.email).contains(query.lower(), autoescape=True),
               User.login_id == code, User.member_number == code)


def search(query: str = "", role: str = "", status: str = "", facility_id: int | None = None,
           after_id: int | None = None, facility_q: str = "") -> Page:
    """Accounts in id order, one keyset page after `after_id` (portal.paging): one query."""
    stmt = select(User)
    query = normalize.nfkc(query).strip()
    if query:
        stmt = stmt.where(_matches(query))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    if status in STATUS_FILTERS:
        stmt = stmt.where(User.active.is_(status == "active"))
    if facility_id:
        stmt = stmt.where(User.facility_id == facility_id)
    facility_q = normalize.nfkc(facility_q).strip()
    if facility_q:
        stmt = stmt.where(User.facility_id.in_(named_like(facility_q)))
    return page_of(list(db.session.scalars(keyset(stmt, User.id, after_id))))


def facilities() -> list[Facility]:
    return list(db.session.scalars(select(Facility).order_by(Facility.name, Facility.id)))


def role_choices() -> list[tuple[str, str]]:
    return [(r.value, ROLE_LABELS[r]) for r in Role]


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def history(user: User) -> list[AuditEvent]:
    """What was done to this account and what it did, newest first."""
    return list(db.session.scalars(
        select(AuditEvent).where(or_(
            (AuditEvent.entity_type == "users") & (AuditEvent.entity_id == user.id),
            AuditEvent.actor_id == user.id))
        .order_by(AuditEvent.id.desc()).limit(inline(HISTORY))))


def _keep_a_secretariat(user: User) -> None:
    """Refuse to take away the society's last active secretariat. The active secretariats are
    locked first (PostgreSQL), so two of them cannot remove each other at the same moment."""
    if user.role != Role.secretariat.value or not user.active:
        return
    others = db.session.scalars(
        select(User.id).where(User.role == Role.secretariat.value, User.active.is_(True),
                              User.id != user.id).with_for_update()).all()
    if not others:
        raise AccountRefused(LAST_SECRETARIAT, 409)


def change_assignment(actor, user: User, role: str, facility_id: int) -> bool:
    """Role and facility; False when neither changed. A secretariat keeps its own role."""
    facility = db.session.get(Facility, facility_id) if facility_id else None
    if facility_id and facility is None:
        raise AccountRefused(UNKNOWN_FACILITY, field="facility_id")
    if role == user.role and (facility.id if facility else None) == user.facility_id:
        return False
    if role != user.role:
        if user.id == actor.id:
            raise AccountRefused(SELF_ROLE, 409, field="role")
        _keep_a_secretariat(user)
    before = f"{user.role}/{user.facility_id or '-'}"
    user.role, user.facility_id = role, facility.id if facility else None
    db.session.flush()
    audit.record("account_reassigned", user, actor=actor, from_state=before,
                 to_state=f"{user.role}/{user.facility_id or '-'}")
    return True


def deactivate(actor, user: User, reason: str = "") -> None:
    """The account stops at once: every session of it is void (session_version), its unused
    links are spent, and logging in answers as a wrong password does."""
    if user.id == actor.id:
        raise AccountRefused(SELF, 409)
    _keep_a_secretariat(user)
    result = db.session.execute(
        update(User).where(User.id == user.id, User.active.is_(True))
        .values(active=False, session_version=User.session_version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise AccountRefused(ALREADY_INACTIVE, 409)
    accounts.revoke_tokens(user)
    db.session.refresh(user)
    audit.record("account_deactivated", user, actor=actor, from_state="active",
                 to_state="inactive", reason=reason or None)


def reactivate(actor, user: User, reason: str = "") -> None:
    """Sessions voided at deactivation stay void: the user logs in again."""
    result = db.session.execute(
        update(User).where(User.id == user.id, User.active.is_(False)).values(active=True)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise AccountRefused(ALREADY_ACTIVE, 409)
    db.session.refresh(user)
    audit.record("account_reactivated", user, actor=actor, from_state="inactive",
                 to_state="active", reason=reason or None)


def send_password_mail(actor, user: User, rules) -> None:
    """The password-setting (login) mail again, through the outbox."""
    if not user.active:
        raise AccountRefused(INACTIVE_NO_MAIL, 409)
    accounts.mail_password_setting(user, timedelta(hours=rules.registration.login_url_ttl_hours))
    audit.record("password_mail_sent", user, actor=actor)
