"""Accounts: passwords, single-use link tokens, sessions bound to one tenant."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g
from sqlalchemy import func, insert, select, update

from portal import audit
from portal.accounts.models import AccountToken, User
from portal.db import utcnow
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.mail import RESOLVERS, queue_mail, queue_resolved_mail, render_mail
from portal.urls import external_url

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")


INVALID_LINK = N_("このリンクは無効か、有効期限が切れています。もう一度お手続きください。")


class TokenInvalid(Refusal):
    status = 400

    def __init__(self, message: str = INVALID_LINK, status: int | None = None) -> None:
        super().__init__(message, status)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    try:
        # Verify against a dummy hash for unknown users so both answers take as long.
        return _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH,
                              password) and user is not None and bool(user.password_hash)
    except (VerificationError, InvalidHashError):
        return False


def find_login_user(identifier: str) -> User | None:
    identifier = identifier.strip()
    if g.rules.auth.login_identifier == "email":
        where = func.lower(User.email) == identifier.lower()
    else:
        where = User.login_id == identifier
    return db.session.scalar(select(User).where(where))


def authenticate(identifier: str, password: str) -> User | None:
    user = find_login_user(identifier)
    if not verify_password(user, password) or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def void_sessions(user: User) -> None:
    """Every cookie minted for this user before now stops working."""
    user.session_version += 1


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, purpose: str, new_email: str | None = None,
                ttl: timedelta | None = None) -> str:
    """`ttl` overrides the app's default for links a society sets itself (the login URL)."""
    raw = secrets.token_urlsafe(32)
    ttl = ttl or timedelta(seconds=current_app.config["TOKEN_TTL_SECONDS"])
    db.session.add(AccountToken(tenant_id=user.tenant_id, user=user, purpose=purpose,
                                token_hash=_digest(raw), new_email=new_email,
                                expires_at=utcnow() + ttl))
    return raw


def issue_tokens(tenant_id: int, user_ids: list[int], purpose: str, ttl: timedelta) -> list[str]:
    """issue_token for many new accounts at once (a bulk import): one INSERT."""
    raws = [secrets.token_urlsafe(32) for _ in user_ids]
    expires = utcnow() + ttl
    if user_ids:
        db.session.execute(insert(AccountToken), [
            dict(tenant_id=tenant_id, user_id=uid, purpose=purpose, token_hash=_digest(raw),
                 expires_at=expires) for uid, raw in zip(user_ids, raws, strict=True)])
    return raws


def peek_token(raw: str, purpose: str) -> AccountToken:
    token = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _digest(raw)))
    if (token is None or token.purpose != purpose or token.used_at is not None
            or token.expires_at <= utcnow() or not token.user.is_active):
        raise TokenInvalid()
    return token


def consume_token(raw: str, purpose: str) -> AccountToken:
    """Single use even under a double click: the UPDATE only matches an unused token."""
    token = peek_token(raw, purpose)
    result = db.session.execute(
        update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TokenInvalid()
    return token


def request_password_reset(email: str) -> None:
    """The same work for known and unknown addresses (SECURITY.md 18): one outbox row, one
    job. The worker looks the address up (_password_reset_mail); only a known one gets mail."""
    queue_resolved_mail("password_reset", email)


def _password_reset_mail(email: str) -> tuple[str, str] | None:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active:
        return None
    raw = issue_token(user, "password_reset")
    return render_mail("password_reset", user=user,
                       link=external_url("auth.reset_password", token=raw),
                       ttl_minutes=current_app.config["TOKEN_TTL_SECONDS"] // 60)


RESOLVERS["password_reset"] = _password_reset_mail


def mail_password_setting(user: User, ttl: timedelta) -> None:
    """The password-setting link a secretariat sends (a new account, a lost first mail, a
    locked-out user): the reset link, valid for `ttl`, single use; older links stay valid
    until they expire or one is used."""
    raw = issue_token(user, "password_reset", ttl=ttl)
    queue_mail("account_password_setting", user.email, user=user,
               link=external_url("auth.reset_password", token=raw),
               ttl_hours=int(ttl.total_seconds() // 3600),
               login_by_email=g.rules.auth.login_identifier == "email")


def revoke_tokens(user: User) -> None:
    """Every unused link of this user stops working (a deactivated account)."""
    db.session.execute(
        update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))


def reset_password(raw: str, password: str) -> User:
    token = consume_token(raw, "password_reset")
    user = token.user
    user.password_hash = hash_password(password)
    void_sessions(user)
    db.session.flush()
    audit.record("password_reset", user, actor=user)
    return user
