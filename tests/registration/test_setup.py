"""The mailed login URL (B-R01, SECURITY.md 19): GET changes nothing, POST sets the password
once and logs the person in; used, expired or foreign links are refused. The resend answers
the same whoever asks (SECURITY.md 18)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.accounts.models import AccountToken
from portal.audit import AuditEvent
from portal.blueprints.registration.services import registrant as services
from portal.db import utcnow
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.registration import EMAIL, NUMBER, PASSWORD, post_register
from tests.factories.helpers.rows import find_user, outbox

INVALID = "このログインURLは無効か、有効期限が切れています。"


def _set_password(client, path: str, password: str = PASSWORD, confirm: str | None = None):
    return client.post(path, {"password": password, "password_confirm": confirm or password},
                       csrf_from=path)


def _tokens(app, tenant_id: int) -> list[AccountToken]:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        rows = list(db.session.scalars(select(AccountToken).where(
            AccountToken.purpose == "account_setup").order_by(AccountToken.id)))
        db.session.expunge_all()
        return rows


@pytest.fixture
def mailed(app, jmsb, setup_path):
    assert post_register(jmsb).status_code == 303
    return setup_path()


def test_opening_the_link_shows_the_form_and_changes_nothing(app, world, jmsb, client_for, mailed):
    scanner = client_for("jmsb.localhost")  # a mail scanner prefetching the link
    for _ in range(2):
        page = scanner.get(mailed)
        assert page.status_code == 200 and "パスワードの設定" in page.get_data(as_text=True)
    [token] = _tokens(app, world.jmsb.tenant_id)
    assert token.used_at is None
    assert token.expires_at - utcnow() > timedelta(hours=71)  # rules: login_url_ttl_hours = 72
    assert find_user(app, world.jmsb.tenant_id, email=EMAIL).password_hash is None


def test_setting_the_password_logs_in_and_uses_the_link_up(app, world, jmsb, client_for, mailed):
    response = _set_password(jmsb, mailed)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    top = jmsb.get("/")
    assert top.status_code == 200 and "パスワードを設定しました。" in top.get_data(as_text=True)
    user = find_user(app, world.jmsb.tenant_id, email=EMAIL)
    assert user.password_hash is not None
    again = client_for("jmsb.localhost").get(mailed)
    assert again.status_code == 400 and INVALID in again.get_data(as_text=True)
    fresh = client_for("jmsb.localhost")
    fresh.login(EMAIL, PASSWORD)  # from now on: e-mail and password
    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.entity_id == user.id, AuditEvent.entity_type == "users")
            .order_by(AuditEvent.id)))
    assert actions == ["registered", "account_setup_completed"]


def test_the_link_works_once_even_when_posted_twice(app, jmsb, client_for, mailed):
    token = jmsb.csrf(mailed)
    assert jmsb.post(mailed, {"password": PASSWORD, "password_confirm": PASSWORD,
                              "csrf_token": token}).status_code == 303
    other = client_for("jmsb.localhost")
    late = other.post(mailed, {"password": "other-pass-word-1", "password_confirm": "other-pass-word-1",
                               "csrf_token": other.csrf("/register")})
    assert late.status_code == 400 and INVALID in late.get_data(as_text=True)
    other.login(EMAIL, PASSWORD)


@pytest.mark.parametrize(("password", "confirm", "message"), [
    ("short", "short", "10文字以上で入力してください。"),
    (PASSWORD, PASSWORD + "x", "パスワードが一致しません。"),
])
def test_bad_passwords_are_refused_and_the_link_stays_usable(app, world, jmsb, mailed, password,
                                                            confirm, message):
    response = _set_password(jmsb, mailed, password, confirm)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _tokens(app, world.jmsb.tenant_id)[0].used_at is None
    assert _set_password(jmsb, mailed).status_code == 303


def test_an_expired_link_is_refused(app, world, jmsb, mailed):
    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    for response in (jmsb.get(mailed), _set_password(jmsb, mailed)):
        assert response.status_code == 400 and INVALID in response.get_data(as_text=True)
    assert find_user(app, world.jmsb.tenant_id, email=EMAIL).password_hash is None


def test_the_link_does_not_work_on_another_society(app, world, client_for, mailed):
    raw = mailed.rsplit("/", 1)[1]
    assert client_for("jsicm.localhost").get(mailed).status_code == 404  # no such page there
    with app.test_request_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        with pytest.raises(services.RegistrationError):
            services.setup_link(raw)


def test_a_password_reset_link_is_not_a_login_url(app, world, jmsb, client_for):
    anonymous = client_for("jmsb.localhost")
    anonymous.post("/password/forgot", {"email": "trainee@jmsb.example.jp"},
                   csrf_from="/password/forgot")
    mail = outbox(app, template="password_reset")[-1]
    raw = re.search(r"/password/reset/(\S+)", mail.body).group(1)
    assert anonymous.get(f"/register/setup/{raw}").status_code == 400


# --- resend ------------------------------------------------------------------------------

def _resend(client, number: str = NUMBER, email: str = EMAIL):
    return client.post("/register/resend", {"medical_registration_number": number, "email": email},
                       csrf_from="/register/resend")


def _body(response) -> str:
    return re.sub(r'value="[^"]+"|"X-CSRFToken": "[^"]+"', "", response.get_data(as_text=True))


def test_resend_mails_a_new_link_and_voids_the_old_one(app, world, jmsb, client_for, mailed, setup_path):
    response = _resend(client_for("jmsb.localhost"), "０６５４３２１", EMAIL.upper())
    assert response.status_code == 200
    mails = outbox(app, template="registration_login_url")
    assert len(mails) == 2
    new_path = setup_path()
    assert new_path != mailed
    assert jmsb.get(mailed).status_code == 400
    assert _set_password(jmsb, new_path).status_code == 303


def test_resend_answers_the_same_for_known_unknown_and_set_up_accounts(app, world, jmsb, client_for, registrant):
    registrant(jmsb)  # has a password now: no resend
    post_register(client_for("jmsb.localhost"), medical_registration_number="777777",
                  email="pending@example.jp", email_confirmation="pending@example.jp")
    mails = len(outbox(app))
    answers = [_resend(client_for("jmsb.localhost"), number, email) for number, email in (
        (NUMBER, EMAIL),  # already set up
        ("999999", "nobody@example.jp"),  # unknown
        ("777777", EMAIL),  # number and e-mail of two different people
    )]
    assert {a.status_code for a in answers} == {200}
    assert len({_body(a) for a in answers}) == 1
    assert len(outbox(app)) == mails  # nobody was mailed
    known = _resend(client_for("jmsb.localhost"), "777777", "pending@example.jp")
    assert _body(known) == _body(answers[0])
    assert outbox(app)[-1].to_addr == "pending@example.jp"


def test_resend_is_rate_limited(jmsb):
    codes = [_resend(jmsb, "999999", "nobody@example.jp").status_code for _ in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_resend_bad_input_is_a_japanese_error(jmsb):
    response = _resend(jmsb, "abc", "x")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "医籍登録番号は数字（8桁以内）で入力してください。" in page
    assert "メールアドレスの形式が正しくありません。" in page
