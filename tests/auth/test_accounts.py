"""Accounts (SECURITY.md 16-19, 24): login answers, lockout, cookies voided, password reset."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import g
from sqlalchemy import select, update

from portal.accounts.models import AccountToken
from portal.audit import AuditEvent
from portal.db import utcnow
from portal.extensions import db
from portal.mail import OutboxMail, build_message, queue_mail
from portal.tenants.models import Tenant
from portal.tenants.rules import Mail
from portal.tenants.scoping import tenant_scope
from portal.tenants.services import ensure_domain
from tests.factories.helpers.rows import outbox

TRAINEE_EMAIL = "trainee@jsicm.example.jp"
NEW_PASSWORD = "brand-new-pass-456"
INVALID = "このリンクは無効か、有効期限が切れています。"


def _normalise(page: str, *echoed: str) -> str:
    """The CSRF token differs per session and the typed login id is echoed back."""
    page = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1TOKEN", page)
    page = re.sub(r'("X-CSRFToken": ")[^"]+', r"\1TOKEN", page)
    for value in echoed:
        page = page.replace(f'value="{value}"', 'value="ECHO"')
    return page


def _fail_login(client, identifier: str, addr: str = "192.0.2.1"):
    return client.post("/login", {"identifier": identifier, "password": "wrong-password-0"},
                       environ_base={"REMOTE_ADDR": addr})


def _copy_session(app, source, target) -> None:
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = source.client.get_cookie(name, domain=source.host)
    assert cookie is not None
    target.client.set_cookie(name, cookie.value, domain=source.host)


def _is_anonymous(client) -> bool:
    response = client.get("/")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _request_reset(client, email: str = TRAINEE_EMAIL):
    return client.post("/password/forgot", {"email": email}, csrf_from="/password/forgot")


def _reset_link(app) -> str:
    mails = outbox(app, template="password_reset")
    assert len(mails) == 1
    return re.search(r"https?://\S+/password/reset/\S+", mails[0].body).group(0)


def _token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def _set_new_password(client, raw: str):
    path = f"/password/reset/{raw}"
    return client.post(path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
                       csrf_from=path)


# --- login ---------------------------------------------------------------------------


def test_wrong_password_and_unknown_login_id_get_the_same_page(jsicm, client_for):
    wrong = _fail_login(jsicm, "jsicm-800014")
    unknown = _fail_login(client_for("jsicm.localhost"), "no-such-member")
    assert wrong.status_code == unknown.status_code == 400
    assert "ログインIDまたはパスワードが正しくありません。" in wrong.get_data(as_text=True)
    assert (_normalise(wrong.get_data(as_text=True), "jsicm-800014")
            == _normalise(unknown.get_data(as_text=True), "no-such-member"))


def test_sixth_failed_login_in_a_minute_is_refused_from_rotating_addresses(jsicm):
    for i in range(5):
        assert _fail_login(jsicm, "jsicm-800014", f"198.51.100.{i}").status_code == 400
    sixth = _fail_login(jsicm, "jsicm-800014", "198.51.100.99")
    assert sixth.status_code == 429
    assert "短時間に操作が繰り返されたため" in sixth.get_data(as_text=True)
    # The right password does not get through the lock either (that is the point of it).
    right = jsicm.post("/login", {"identifier": "jsicm-800014", "password": "pass-word-123"},
                       environ_base={"REMOTE_ADDR": "198.51.100.100"})
    assert right.status_code == 429


def test_lockout_is_per_account(jsicm):
    for i in range(6):
        _fail_login(jsicm, "jsicm-800014", f"198.51.100.{i}")
    assert jsicm.login("jsicm-director").status_code == 302


def test_successful_login_is_not_counted(jsicm, client_for):
    for i in range(4):
        assert _fail_login(jsicm, "jsicm-800014", f"203.0.113.{i}").status_code == 400
    client_for("jsicm.localhost").login("jsicm-800014")
    assert _fail_login(jsicm, "jsicm-800014", "203.0.113.50").status_code == 400  # 5th failure
    assert _fail_login(jsicm, "jsicm-800014", "203.0.113.51").status_code == 429  # 6th


def test_logout_voids_the_old_cookie(app, jsicm, client_for):
    jsicm.login("jsicm-800014")
    replay = client_for("jsicm.localhost")
    _copy_session(app, jsicm, replay)
    assert replay.get("/").status_code == 200  # the copied cookie works before logout
    assert jsicm.post("/logout", {}, csrf_from="/").status_code == 302
    assert _is_anonymous(replay)
    assert _is_anonymous(jsicm)


# --- password reset --------------------------------------------------------------------


def test_forgot_page_answers_alike_for_known_and_unknown_addresses(app, jsicm, client_for):
    known = _request_reset(jsicm, TRAINEE_EMAIL)
    unknown = _request_reset(client_for("jsicm.localhost"), "nobody@example.jp")
    assert known.status_code == unknown.status_code == 200
    assert _normalise(known.get_data(as_text=True)) == _normalise(unknown.get_data(as_text=True))
    assert "パスワード再設定用のメールを送信しました" in known.get_data(as_text=True)
    assert [m.to_addr for m in outbox(app, template="password_reset")] == [TRAINEE_EMAIL]


def test_reset_link_uses_the_configured_host_not_the_request_host(app, world, client_for):
    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "jsicm"))
        ensure_domain(tenant, "icu-training.example.org")
        db.session.commit()
    other_host = client_for("icu-training.example.org")
    assert _request_reset(other_host).status_code == 200
    link = _reset_link(app)
    assert link.startswith("http://jsicm.localhost:5000/password/reset/")
    assert "icu-training.example.org" not in outbox(app, template="password_reset")[0].body


def test_only_the_sha256_of_the_reset_token_is_stored(app, world, jsicm):
    _request_reset(jsicm)
    raw = _token_of(_reset_link(app))
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        rows = db.session.scalars(select(AccountToken)).all()
        assert [r.token_hash for r in rows] == [hashlib.sha256(raw.encode()).hexdigest()]
        stored = [str(getattr(r, c.key)) for r in rows for c in AccountToken.__table__.columns]
    assert not any(raw in value for value in stored)
    assert len(raw) >= 43  # 32 random bytes, url-safe base64


def test_reset_token_works_once_and_voids_existing_cookies(app, world, jsicm, client_for):
    jsicm.login("jsicm-800014")
    stranger = client_for("jsicm.localhost")
    _request_reset(stranger)
    raw = _token_of(_reset_link(app))
    assert _set_new_password(stranger, raw).status_code == 302
    assert _is_anonymous(jsicm)
    for again in (stranger.get(f"/password/reset/{raw}"), _set_new_password(stranger, raw)):
        assert again.status_code == 400 and INVALID in again.get_data(as_text=True)
    assert client_for("jsicm.localhost").login("jsicm-800014", NEW_PASSWORD).status_code == 302
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "password_reset")).all()
        assert [(e.actor_id, e.actor_role) for e in events] == [(world.jsicm.trainee, "trainee")]


def test_expired_reset_token_is_refused(app, world, jsicm):
    _request_reset(jsicm)
    raw = _token_of(_reset_link(app))
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    for response in (jsicm.get(f"/password/reset/{raw}"), _set_new_password(jsicm, raw)):
        assert response.status_code == 400
        assert INVALID in response.get_data(as_text=True)


def test_reset_token_of_one_society_is_void_on_another(app, jsicm, jmsb):
    _request_reset(jsicm)
    raw = _token_of(_reset_link(app))
    response = jmsb.get(f"/password/reset/{raw}")
    assert response.status_code == 400 and INVALID in response.get_data(as_text=True)
    assert jsicm.get(f"/password/reset/{raw}").status_code == 200  # still good at home


# --- mail headers ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["subject", "to_addr", "from_name"])
def test_crlf_in_a_mail_header_value_cannot_add_a_header(app, field):
    row = OutboxMail(id=7, tenant_id=1, template="t", from_name="学会", subject="お知らせ",
                     to_addr="a@example.jp", body="本文\n")
    setattr(row, field, getattr(row, field) + "\r\nBcc: evil@example.com")
    with app.app_context():
        try:
            message = build_message(row)
        except ValueError:
            return  # refused outright: nothing is sent
        text = message.as_string()
    assert not re.search(r"^bcc:", text, re.IGNORECASE | re.MULTILINE)
    assert "evil@example.com" not in message.get_all("Bcc", [])


def test_queued_mail_subject_is_one_line_whatever_the_inputs(app, world):
    with app.test_request_context("/", base_url="http://jsicm.localhost"):
        app.preprocess_request()
        g.rules = g.rules.model_copy(update={"mail": Mail(subject_prefix="【x】\r\nBcc: evil@example.com\n")})
        user = SimpleNamespace(full_name="山田\r\nBcc: evil@example.com")
        row = queue_mail("password_reset", TRAINEE_EMAIL, user=user, link="http://x/", ttl_minutes=60)
        assert "\r" not in row.subject and "\n" not in row.subject
        headers = build_message(row)
        assert headers.get_all("Bcc") is None
        assert [k.lower() for k in headers].count("subject") == 1
        db.session.rollback()
