"""A facility account's login e-mail changed by the secretariat on the responsible physician's
request (C-R03, C-W01), effective only when the new address confirms (SECURITY.md 20): the
secretariat records the request with how identity was checked; the new address gets a link;
opening it (POST) changes the address and the login, ends the account's sessions and tells
the old and the new address. Services flush, never commit."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from portal import audit
from portal.accounts.models import AccountToken, Role, User
from portal.accounts.services import consume_token, issue_token, void_sessions
from portal.blueprints.renewal.services.applications import RenewalError
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.urls import external_url

PURPOSE = "facility_email"  # not the profile's "email_change": this one also moves the login
# The responsible physician asked by mail and reads the answer at work, maybe the next day:
# longer than a self-service link, which is opened at once.
LINK_TTL = timedelta(hours=72)


def _taken(account: User, email: str) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(User).where(
        User.id != account.id,
        or_(func.lower(User.email) == email.lower(), User.login_id == email))))


def facility_account(user_id: int) -> User:
    account = db.session.scalar(select(User).where(
        User.id == user_id, User.role == Role.facility_manager.value))
    if account is None:
        raise RenewalError(N_("施設アカウントが見つかりません。"), 404)
    return account


def check_request(account: User, new_email: str, evidence: str) -> None:
    if not new_email or new_email.count("@") != 1 or " " in new_email:
        raise RenewalError(N_("新しいメールアドレスを正しく入力してください。"), 422)
    if not evidence:
        raise RenewalError(N_("本人確認の記録を入力してください。"), 422)
    if new_email.lower() == account.email.lower():
        raise RenewalError(N_("現在のメールアドレスと同じです。"), 422)
    if _taken(account, new_email):
        raise RenewalError(N_("このメールアドレスは既に使われています。"), 422)


def request_change(actor: User, user_id: int, new_email: str, evidence: str) -> User:
    """Nothing changes yet: the new address is sent a confirmation link."""
    account = facility_account(user_id)
    new_email, evidence = (new_email or "").strip(), (evidence or "").strip()
    check_request(account, new_email, evidence)
    raw = issue_token(account, PURPOSE, new_email=new_email, ttl=LINK_TTL)
    db.session.flush()
    audit.record("email_change_requested_by_secretariat", account, actor=actor,
                 reason=f"{account.email} -> {new_email} / {evidence}")
    queue_mail("renewal_email_confirm", new_email, user=account, facility=account.facility,
               new_email=new_email, link=external_url("renewal.confirm_email", token=raw),
               ttl_hours=int(LINK_TTL.total_seconds() // 3600))
    return account


def pending(now: datetime) -> dict[int, str]:
    """Facility accounts with a change waiting for its confirmation: user id -> new address."""
    rows = db.session.execute(select(AccountToken.user_id, AccountToken.new_email).where(
        AccountToken.purpose == PURPOSE, AccountToken.used_at.is_(None),
        AccountToken.expires_at > now).order_by(AccountToken.id))
    return {user_id: email for user_id, email in rows}


def confirm(raw: str) -> User:
    """The new address opened its link: the change takes effect now."""
    token = consume_token(raw, PURPOSE)
    account = token.user
    if _taken(account, token.new_email):
        raise RenewalError(N_("このメールアドレスは既に使われています。事務局へご連絡ください。"), 409)
    old_email = account.email
    account.email = token.new_email
    if account.login_id == old_email:  # facility accounts log in by e-mail; keep the id in step
        account.login_id = token.new_email
    void_sessions(account)
    db.session.flush()
    audit.record("facility_email_changed", account, actor=account,
                 reason=f"{old_email} -> {account.email}")
    for to in (old_email, account.email):
        queue_mail("renewal_email_changed", to, user=account, facility=account.facility,
                   old_email=old_email, new_email=account.email)
    return account
