"""登録情報管理 (B-S07, B-W03, B-R18; SECURITY.md 20): e-mail, address and phone through
「確認」 then 「更新」; address and phone saved at 更新, a new e-mail only once it confirms;
the other fields read-only with the seed's pointer to the inquiry form."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.registration import EMAIL
from tests.factories.helpers.rows import find_user, outbox

NEW = "atarashii@example.jp"
CURRENT = {"email": EMAIL, "postal_code": "100-0005", "address": "東京都千代田区丸の内1-1-1",
           "phone": "03-1234-5678"}


def _confirm(client, **changes):
    return client.post("/profile", {**CURRENT, **changes, "step": "confirm"}, csrf_from="/profile")


def _update(client, **changes):
    return client.post("/profile/update", {**CURRENT, **changes}, csrf_from="/profile")


def _user(app, world):
    return find_user(app, world.jmsb.tenant_id, full_name="髙橋 﨑子")


def test_page_lists_editable_and_read_only_fields(registered):
    page = registered.text("/profile")
    assert "登録情報管理" in page
    for name in ("email", "postal_code", "address", "phone"):
        assert re.search(rf'<input[^>]*name="{name}"', page), name
    identity = page.split('id="identity-fields"', 1)[1]
    assert "髙橋 﨑子" in identity and "654321" in identity and "1996/05/01" in identity
    assert not re.search(r'<input[^>]*name="(full_name|medical_registration_number|birth_date)"', page)
    assert "その他の項目のご変更につきましては、お問い合わせフォームよりご連絡ください。" in page
    assert "「確認」をクリック" in page


def test_confirm_shows_the_changes_and_writes_nothing(app, world, registered):
    response = _confirm(registered, address="大阪府大阪市北区1-1", phone="09012345678", email=NEW)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "登録情報管理（確認）" in page and "大阪府大阪市北区1-1" in page and NEW in page
    assert "09012345678" in page
    assert 'action="/profile/update"' in page and ">更新</button>" in page
    user = _user(app, world)
    assert (user.email, user.address) == (EMAIL, CURRENT["address"])
    assert outbox(app, template="email_change_received") == []


def test_back_keeps_the_input(registered):
    page = registered.post("/profile", {**CURRENT, "address": "大阪府", "step": "back"},
                           csrf_from="/profile").get_data(as_text=True)
    assert 'value="大阪府"' in page and "登録情報管理（確認）" not in page


def test_update_saves_address_and_phone_with_audit(app, world, registered):
    response = _update(registered, postal_code="５３００００１", address="大阪府大阪市北区1-1",
                       phone="")
    assert response.status_code == 200
    assert "登録情報を更新しました。" in response.get_data(as_text=True)
    user = _user(app, world)
    assert (user.postal_code, user.address, user.phone) == ("530-0001", "大阪府大阪市北区1-1", None)
    assert user.email == EMAIL and outbox(app, template="email_change_received") == []
    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact_updated"))
        assert event.actor_id == user.id
        assert "address: 東京都千代田区丸の内1-1-1 -> 大阪府大阪市北区1-1" in event.reason
        assert "phone: 03-1234-5678 -> " in event.reason


def test_a_new_email_takes_effect_only_when_it_confirms(app, world, registered):
    response = _update(registered, email=NEW, phone="090-1111-2222")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{NEW} に確認メールを送信しました。" in page and "登録情報を更新しました。" in page
    user = _user(app, world)
    assert (user.email, user.phone) == (EMAIL, "090-1111-2222")  # phone now, e-mail not yet
    [mail] = outbox(app, template="email_change_received")
    assert mail.to_addr == NEW
    path = re.search(r"https?://\S+(/profile/email/verify/\S+)", mail.body).group(1)
    assert registered.post(path, {}, csrf_from=path).status_code == 200
    assert _user(app, world).email == NEW
    [notice] = outbox(app, template="email_changed_notice")
    assert notice.to_addr == EMAIL


@pytest.mark.parametrize(("changes", "message", "field"), [
    ({"phone": "12-34"}, "電話番号は10桁または11桁の数字で入力してください", "phone"),
    ({"postal_code": "12345"}, "郵便番号は7桁の数字で入力してください", "postal_code"),
    ({"email": "not-an-address"}, "メールアドレスの形式が正しくありません。", "email"),
    ({"email": "trainee@jmsb.example.jp"}, "このメールアドレスは使用できません。", "email"),
    ({}, "変更された項目がありません。", None),
    ({"email": EMAIL.upper()}, "変更された項目がありません。", None),
])
@pytest.mark.parametrize("post", [_confirm, _update])
def test_bad_input_is_refused_and_nothing_changes(app, world, registered, changes, message, field,
                                                 post):
    response = post(registered, **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    user = _user(app, world)
    assert {k: getattr(user, k) for k in CURRENT} == CURRENT
    assert outbox(app, template="email_change_received") == []


def test_jsicm_keeps_its_email_only_page(jsicm):
    jsicm.login("jsicm-800014")
    page = jsicm.text("/profile")
    assert "登録情報の確認・変更" in page and 'name="new_email"' in page
    assert "登録情報管理" not in page
    assert jsicm.post("/profile/update", CURRENT, csrf_from="/profile").status_code == 404


def test_an_address_used_in_another_society_is_free_here(registered):
    """The in-use check looks at this society only (it once counted every tenant's users)."""
    response = _confirm(registered, email="trainee@jsicm.example.jp")
    assert response.status_code == 200
    assert "このメールアドレスは使用できません。" not in response.get_data(as_text=True)
