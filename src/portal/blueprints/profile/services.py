"""E-mail change (A-W05, I-02, I-03): effective only when the new address confirms;
the old address is told. The member-system address is never written."""
from __future__ import annotations

from sqlalchemy import func, select

from portal import audit
from portal.blueprints.auth.models import User
from portal.blueprints.auth.services import consume_token, external_url, issue_token
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail


class EmailChangeError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _taken(user: User, email: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(User).where(
        func.lower(User.email) == email.lower(), User.id != user.id)) > 0


def check_new_email(user: User, new_email: str, confirmation: str) -> str:
    new_email = new_email.strip()
    if new_email != confirmation.strip():  # the server checks what the browser's paste block hints
        raise EmailChangeError(N_("確認用のメールアドレスが一致しません。もう一度入力してください。"))
    if new_email.lower() == user.email.lower():
        raise EmailChangeError(N_("現在のメールアドレスと同じです。変更後のメールアドレスを入力してください。"))
    if _taken(user, new_email):
        raise EmailChangeError(N_("このメールアドレスは使用できません。別のメールアドレスを入力してください。"))
    return new_email


def request_email_change(user: User, new_email: str, confirmation: str, ttl_minutes: int) -> None:
    new_email = check_new_email(user, new_email, confirmation)
    raw = issue_token(user, "email_change", new_email=new_email)
    db.session.flush()
    audit.record("email_change_requested", user, actor=user, reason=new_email)
    queue_mail("email_change_received", new_email, user=user, new_email=new_email,
               link=external_url("profile.verify_email", token=raw), ttl_minutes=ttl_minutes)


def confirm_email_change(raw: str, notify_old: bool) -> User:
    token = consume_token(raw, "email_change")
    user = token.user
    if _taken(user, token.new_email):
        raise EmailChangeError(N_("このメールアドレスは使用できません。もう一度お手続きください。"))
    old_email, user.email = user.email, token.new_email
    db.session.flush()
    audit.record("email_changed", user, actor=user, from_state=None, to_state=None,
                 reason=f"{old_email} -> {user.email}")
    if notify_old:
        queue_mail("email_changed_notice", old_email, user=user, new_email=user.email)
    return user
