"""新規ユーザー登録 (B-S03, B-W01, B-R01..B-R03, B-R11): 確認 then 登録, one account per
医籍登録番号 and e-mail, the login-URL mail, and duplicates that create nothing."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.blueprints.registration.services import registrant as services
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.registration import DUPLICATE, EMAIL, FORM, NUMBER, post_register
from tests.factories.helpers.rows import find_user, outbox

SUBJECT = "【JMSB Online System+】ログインURLのお知らせ"


def _users(app, tenant_id: int) -> int:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        return db.session.scalar(select(func.count(User.id)))


def test_login_page_links_to_registration_on_jmsb_only(jmsb, jsicm):
    page = jmsb.text("/login")
    assert 'href="/register"' in page and "新規ユーザー登録" in page
    assert 'href="/register/resend"' in page
    assert "新規ユーザー登録" not in jsicm.text("/login")
    assert jsicm.get("/register").status_code == 404


def test_form_asks_for_the_name_on_the_licence(jmsb):
    page = jmsb.text("/register")
    assert "お手元にある医師免許証のお名前でご登録ください。" in page
    for label in ("氏名", "フリガナ", "医籍登録番号", "生年月日", "メールアドレス（確認用）",
                  "郵便番号", "住所", "電話番号"):
        assert f">{label}</label>" in page, label


def test_confirm_shows_the_values_and_creates_nothing(app, world, jmsb):
    before = _users(app, world.jmsb.tenant_id)
    response = post_register(jmsb, step="confirm")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "登録内容の確認" in page and "髙橋 﨑子" in page and NUMBER in page and "1996/05/01" in page
    assert 'value="register"' in page and 'value="back"' in page
    assert _users(app, world.jmsb.tenant_id) == before and outbox(app) == []


def test_back_keeps_the_input(jmsb):
    page = post_register(jmsb, step="back").get_data(as_text=True)
    assert "新規ユーザー登録" in page and 'value="髙橋 﨑子"' in page and "登録内容の確認" not in page


def test_register_creates_a_trainee_without_password_and_mails_the_login_url(app, world, jmsb):
    response = post_register(jmsb)
    assert response.status_code == 303 and response.headers["Location"].endswith("/register/complete")
    user = find_user(app, world.jmsb.tenant_id, email=EMAIL)
    assert user.role == "trainee" and user.password_hash is None
    assert (user.full_name, user.full_name_kana, user.medical_registration_number) == (
        "髙橋 﨑子", "タカハシ サキコ", NUMBER)
    assert (user.postal_code, user.address, user.phone) == ("100-0005", "東京都千代田区丸の内1-1-1",
                                                            "03-1234-5678")
    assert re.fullmatch(r"[1-9]\d{7}", user.login_id)
    [mail] = outbox(app, template="registration_login_url")
    assert (mail.to_addr, mail.subject) == (EMAIL, SUBJECT)
    assert user.login_id in mail.body and "72時間以内" in mail.body
    assert "http://jmsb.localhost:5000/register/setup/" in mail.body
    done = jmsb.text("/register/complete")
    assert f"ご登録のメールアドレス（{EMAIL}）にログインURLを送付しました。" in done
    assert "二重での登録や一時パスワード発行はせず" in done and "「医籍登録番号」を記載して" in done
    assert "https://jmsb.or.jp/contact_id/" in done
    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "registered"))
        assert (event.entity_id, event.to_state) == (user.id, "registered")


def test_a_registrant_cannot_log_in_before_setting_a_password(app, jmsb):
    post_register(jmsb)
    response = jmsb.post("/login", {"identifier": EMAIL, "password": ""})
    assert response.status_code == 400


def test_full_width_digits_and_half_width_kana_are_normalised(app, world, jmsb):
    response = post_register(jmsb, medical_registration_number="０６５４３２１",
                             full_name_kana="ﾀｶﾊｼ　さきこ", postal_code="１０００００５",
                             phone="０９０ー１２３４ー５６７８")
    assert response.status_code == 303
    user = find_user(app, world.jmsb.tenant_id, email=EMAIL)
    assert (user.medical_registration_number, user.full_name_kana) == (NUMBER, "タカハシ サキコ")
    assert (user.postal_code, user.phone) == ("100-0005", "090-1234-5678")


def test_optional_contact_fields_may_be_left_empty(app, world, jmsb):
    assert post_register(jmsb, postal_code="", address="", phone="").status_code == 303
    user = find_user(app, world.jmsb.tenant_id, email=EMAIL)
    assert (user.postal_code, user.address, user.phone) == (None, None, None)


BAD_INPUT = {
    "number_with_letters": ({"medical_registration_number": "A12345"},
                            "医籍登録番号は数字（8桁以内）で入力してください。"),
    "number_too_long": ({"medical_registration_number": "123456789"},
                        "医籍登録番号は数字（8桁以内）で入力してください。"),
    "kana_in_latin": ({"full_name_kana": "Takahashi"}, "フリガナは全角カタカナで入力してください。"),
    "no_name": ({"full_name": "　"}, "入力してください。"),
    "email_mismatch": ({"email_confirmation": "shinki@example.com"},
                       "確認用のメールアドレスが一致しません。"),
    "bad_email": ({"email": "shinki", "email_confirmation": "shinki"},
                  "メールアドレスの形式が正しくありません。"),
    "future_birth_date": ({"birth_date": "2999-01-01"}, "生年月日が正しくありません。"),
    "bad_postal_code": ({"postal_code": "12-345"}, "郵便番号は7桁の数字で入力してください"),
    "bad_phone": ({"phone": "12345"}, "電話番号は10桁または11桁の数字で入力してください"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
@pytest.mark.parametrize("step", ["confirm", "register"])
def test_bad_input_is_refused_in_japanese_and_creates_nothing(app, world, jmsb, case, step):
    before = _users(app, world.jmsb.tenant_id)
    overrides, message = BAD_INPUT[case]
    response = post_register(jmsb, step=step, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _users(app, world.jmsb.tenant_id) == before and outbox(app) == []


@pytest.mark.parametrize("overrides", [
    {"email": "other@example.jp", "email_confirmation": "other@example.jp"},  # same number
    {"email": "other@example.jp", "email_confirmation": "other@example.jp",
     "medical_registration_number": "０６５４３２１"},  # same number, typed otherwise
    {"medical_registration_number": "111111"},  # same e-mail
    {"medical_registration_number": "111111", "email": EMAIL.upper(),
     "email_confirmation": EMAIL.upper()},  # same e-mail in capitals
])
@pytest.mark.parametrize("step", ["confirm", "register"])
def test_a_second_registration_creates_nothing_and_points_to_the_inquiry_form(
        app, world, jmsb, client_for, overrides, step):
    assert post_register(jmsb).status_code == 303
    before, mails = _users(app, world.jmsb.tenant_id), len(outbox(app))
    again = client_for("jmsb.localhost")
    response = post_register(again, step=step, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert DUPLICATE in page and "「医籍登録番号」を記載してご連絡ください。" in page
    assert 'href="https://jmsb.or.jp/contact_id/"' in page
    assert _users(app, world.jmsb.tenant_id) == before and len(outbox(app)) == mails


def test_an_existing_staff_email_counts_as_a_duplicate(app, world, jmsb):
    response = post_register(jmsb, email="JMSB-JIMU@example.jp", email_confirmation="JMSB-JIMU@example.jp")
    assert response.status_code == 409 and DUPLICATE in response.get_data(as_text=True)


def test_the_same_number_in_another_society_is_not_a_duplicate(app, world, factories, client_for):
    assert post_register(client_for("jmsb.localhost")).status_code == 303
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        assert not services.is_registered(NUMBER, EMAIL)


def test_race_past_the_check_meets_the_unique_constraint(app, world, jmsb, client_for, monkeypatch):
    """Two registrations at once both pass the check; the database refuses the second."""
    assert post_register(jmsb).status_code == 303
    monkeypatch.setattr(services, "is_registered", lambda number, email: False)
    for overrides in ({"email": "race@example.jp", "email_confirmation": "race@example.jp"},
                      {"medical_registration_number": "222222"}):
        before, mails = _users(app, world.jmsb.tenant_id), len(outbox(app))
        response = post_register(client_for("jmsb.localhost"), **overrides)
        assert response.status_code == 409, overrides
        assert DUPLICATE in response.get_data(as_text=True)
        assert _users(app, world.jmsb.tenant_id) == before and len(outbox(app)) == mails


def test_registration_posts_are_rate_limited(jmsb):
    codes = [post_register(jmsb, step="back").status_code for _ in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429


def test_a_logged_in_user_is_sent_to_the_top_page(jmsb):
    jmsb.login("trainee@jmsb.example.jp")
    assert jmsb.get("/register").status_code == 302
    token = jmsb.csrf("/")
    assert jmsb.post("/register", {**FORM, "step": "register", "csrf_token": token}).status_code == 302


def test_registration_closed_by_the_rules_is_404(app, jmsb, monkeypatch):
    from portal.tenants import resolve

    real = resolve.rules_for

    def closed(slug, name=""):
        rules = real(slug, name)
        return rules.model_copy(update={"registration": rules.registration.model_copy(
            update={"enabled": False})})

    monkeypatch.setattr(resolve, "rules_for", closed)
    assert jmsb.get("/register").status_code == 404
    assert "新規ユーザー登録" not in jmsb.text("/login")
