"""Self-registration (B-W01, B-R01..B-R06, B-R11) and the registrant's 医師免許証 (B-R04, B-R06).
Services flush, never commit; the request commits once.

A registrant is a trainee account without a password: the mailed login URL (a single-use,
expiring token) is the only way to set one, so nobody ever gets a temporary password."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from flask import g
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from portal import audit
from portal.accounts.licences import MedicalLicense, current_license
from portal.accounts.models import AccountToken, Role, User
from portal.accounts.services import (
    TokenInvalid,
    consume_token,
    external_url,
    hash_password,
    issue_token,
    peek_token,
    void_sessions,
)
from portal.db import utcnow
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.storage import store_upload
from portal.tenants.rules import TenantRules

SETUP = "account_setup"
SLOT = "medical_license"
DUPLICATE = N_("この医籍登録番号またはメールアドレスは既に登録されています。"
               "二重登録や一時パスワードの発行はせず、お問い合わせフォームから"
               "「医籍登録番号」を記載してご連絡ください。")
SETUP_LINK_INVALID = N_("このログインURLは無効か、有効期限が切れています。"
                        "パスワードを設定済みの場合は、ログイン画面からログインしてください。"
                        "未設定の場合は「ログインURLの再送」をご利用ください。")
LICENSE_LOCKED = N_("医師免許証は提出済みのため、差し替えはできません。"
                    "差し替えが必要な場合は、お問い合わせフォームから事務局へご連絡ください。")


class RegistrationError(Refusal):
    status = 400


class LicenseError(RegistrationError):
    pass


@dataclass(frozen=True)
class RegistrationData:
    """What 新規ユーザー登録 asks for, already normalised by the form (NFKC digits, katakana)."""

    full_name: str
    full_name_kana: str
    medical_registration_number: str
    birth_date: date
    email: str
    postal_code: str | None = None
    address: str | None = None
    phone: str | None = None

    @classmethod
    def from_form(cls, form) -> RegistrationData:
        return cls(**{name: getattr(form, name).data or None for name in cls.__dataclass_fields__})


# --- registration -----------------------------------------------------------------------


def is_registered(number: str, email: str) -> bool:
    """B-W01: one account per 医籍登録番号, and per e-mail whatever its letter case."""
    return db.session.scalar(select(User.id).where(or_(
        User.medical_registration_number == number,
        func.lower(User.email) == email.strip().lower())).limit(1)) is not None


def check_not_registered(data: RegistrationData) -> None:
    if is_registered(data.medical_registration_number, data.email):
        raise RegistrationError(DUPLICATE, 409)


def _new_login_id() -> str:
    """The user ID named in the mail (support asks for it); people log in by e-mail."""
    while True:
        candidate = str(10_000_000 + secrets.randbelow(90_000_000))
        if db.session.scalar(select(User.id).where(User.login_id == candidate)) is None:
            return candidate


def register(data: RegistrationData, rules: TenantRules) -> User:
    """(none) -> registered: the account exists without a password; the login URL is mailed."""
    check_not_registered(data)
    user = User(tenant_id=g.tenant.id, login_id=_new_login_id(), role=Role.trainee.value,
                password_hash=None, **vars(data))
    try:
        # Two registrations racing past the check above meet the unique constraints here; the
        # savepoint keeps the request's transaction usable for the answer. (A login_id clash
        # is not the cause in practice: _new_login_id checked it among 90 million.)
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        raise RegistrationError(DUPLICATE, 409) from None
    audit.record("registered", user, actor=user, to_state="registered")
    _mail_login_url(user, rules)
    return user


def _mail_login_url(user: User, rules: TenantRules) -> None:
    hours = rules.registration.login_url_ttl_hours
    raw = issue_token(user, SETUP, ttl=timedelta(hours=hours))
    queue_mail("registration_login_url", user.email, user=user, ttl_hours=hours,
               link=external_url("registration.setup", token=raw))


def _void_setup_links(user: User) -> None:
    """Only the newest login URL works; after the password is set, none does."""
    db.session.execute(
        update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == SETUP,
                                   AccountToken.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))


def setup_link(raw: str) -> AccountToken:
    """The login URL, if it can still set a password (GET shows the form, changes nothing)."""
    try:
        token = peek_token(raw, SETUP)
    except TokenInvalid:
        raise RegistrationError(SETUP_LINK_INVALID) from None
    if token.user.password_hash is not None:
        raise RegistrationError(SETUP_LINK_INVALID)
    return token


def complete_setup(raw: str, password: str) -> User:
    """registered -> active: the password is set once, through the single-use link."""
    setup_link(raw)
    try:
        user = consume_token(raw, SETUP).user
    except TokenInvalid:
        raise RegistrationError(SETUP_LINK_INVALID) from None
    user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    void_sessions(user)
    _void_setup_links(user)
    db.session.flush()
    audit.record("account_setup_completed", user, actor=user, from_state="registered",
                 to_state="active")
    return user


def resend_login_url(number: str, email: str, rules: TenantRules) -> None:
    """Same answer for every input (the view shows one page); mail only goes to an account
    that matches both the 医籍登録番号 and the e-mail and has no password yet."""
    user = db.session.scalar(select(User).where(
        User.medical_registration_number == number,
        func.lower(User.email) == email.strip().lower()))
    if user is None or user.password_hash is not None or not user.is_active:
        return
    _void_setup_links(user)
    _mail_login_url(user, rules)
    audit.record("login_url_resent", user, actor=user)


# --- 医師免許証 ------------------------------------------------------------------------------


def upload_block_reason(current: MedicalLicense | None) -> str | None:
    """B-R04: upload while nothing is on file, while the image is provisional, or when the
    secretariat asked for a replacement. Any other change goes through the secretariat."""
    if current is None or current.is_provisional or current.status == "replacement_requested":
        return None
    return LICENSE_LOCKED


def upload_license(user: User, upload: FileStorage | None, provisional: bool,
                   rules: TenantRules) -> MedicalLicense:
    current = current_license(user)
    reason = upload_block_reason(current)
    if reason is not None:
        raise LicenseError(reason, 409)
    slot = rules.upload(SLOT)
    stored = store_upload(upload, SLOT, slot, tenant_id=user.tenant_id, owner_id=user.id)
    stored.state = "committed"
    provisional = bool(provisional) and slot.allow_provisional
    status = "provisional" if provisional else "submitted"
    license_ = MedicalLicense(tenant_id=user.tenant_id, user_id=user.id, file=stored,
                              is_provisional=provisional, status=status, uploaded_at=utcnow(),
                              supersedes_id=current.id if current else None)
    if current is not None:
        current.file.state = "superseded"
    db.session.add(license_)
    db.session.flush()
    audit.record("license_replaced" if current else "license_uploaded", license_, actor=user,
                 from_state=current.status if current else "not_submitted", to_state=status)
    return license_


def license_for_download(viewer: User, license_id: int) -> MedicalLicense | None:
    """The owner and the society's secretariat; anyone else is told it does not exist."""
    license_ = db.session.get(MedicalLicense, license_id)
    if license_ is None:
        return None
    if license_.user_id == viewer.id or viewer.role == Role.secretariat.value:
        return license_
    return None
