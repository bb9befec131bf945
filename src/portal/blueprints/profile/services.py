"""E-mail change (A-W05, I-02, I-03): effective only when the new address confirms;
the old address is told. The member-system address is never written."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal import audit
from portal.accounts.models import User
from portal.accounts.services import consume_token, issue_token
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.urls import external_url


class EmailChangeError(Refusal):
    status = 400


def _taken(user: User, email: str) -> bool:
    return db.session.scalar(select(User.id).where(
        func.lower(User.email) == email.lower(), User.id != user.id).limit(1)) is not None


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


# --- 登録情報管理 (B-S07, B-W03, B-R18): e-mail, address and phone by the user ------------

CONTACT_FIELDS = {"postal_code": N_("郵便番号"), "address": N_("住所"), "phone": N_("電話番号")}


@dataclass(frozen=True)
class ContactChange:
    fields: dict[str, tuple[str | None, str | None]]  # name -> (now, after 更新)
    new_email: str | None  # takes effect only when the new address confirms

    @property
    def empty(self) -> bool:
        return not self.fields and self.new_email is None


def contact_change(user: User, values: dict) -> ContactChange:
    """確認: what 更新 would change. Raises EmailChangeError for an address in use."""
    fields = {k: (getattr(user, k), values[k] or None) for k in CONTACT_FIELDS
              if k in values and (getattr(user, k) or None) != (values[k] or None)}
    email = (values.get("email") or "").strip()
    new_email = email if email and email.lower() != user.email.lower() else None
    if new_email is not None:
        check_new_email(user, new_email, new_email)
    return ContactChange(fields, new_email)


def update_contact(user: User, values: dict, ttl_minutes: int) -> ContactChange:
    """更新: address and phone are saved now; a new e-mail is mailed a confirmation link and
    replaces the old one only when it is opened (SECURITY.md 20)."""
    change = contact_change(user, values)
    for key, (_, new) in change.fields.items():
        setattr(user, key, new)
    if change.fields:
        db.session.flush()
        audit.record("contact_updated", user, actor=user, reason="; ".join(
            f"{key}: {old or ''} -> {new or ''}" for key, (old, new) in change.fields.items()))
    if change.new_email is not None:
        request_email_change(user, change.new_email, change.new_email, ttl_minutes)
    return change


def set_reminder_mail(user: User, wanted: bool) -> bool:
    """「リマインダーメールを受け取る」; returns whether it changed (audited when it did)."""
    if user.reminder_mail == wanted:
        return False
    user.reminder_mail = wanted
    db.session.flush()
    audit.record("reminder_mail_changed", user, actor=user, from_state=str(not wanted).lower(),
                 to_state=str(wanted).lower())
    return True
