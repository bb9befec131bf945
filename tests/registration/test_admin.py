"""The secretariat's registrant side: search and licence-status filter with keyset pages,
corrections of 氏名/フリガナ/医籍登録番号/生年月日 with audit, licence 確認済 / 差し替え依頼
(mail with the link), and other tenants' ids answering 404."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.accounts.licences import MedicalLicense
from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.blueprints.registration.services import secretariat as admin
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.files import pdf_bytes, png_bytes
from tests.factories.helpers.registration import EMAIL, upload_license
from tests.factories.helpers.rows import find_user, outbox

JIMU = "jmsb-jimu@example.jp"


@pytest.fixture
def jimu(client_for, world):
    client = client_for("jmsb.localhost")
    client.login(JIMU)
    return client


@pytest.fixture
def applicant(app, world, registered):
    """The registered applicant with a submitted licence, and their ids."""
    assert upload_license(registered, pdf_bytes(), "医師免許証.pdf").status_code == 303
    user = find_user(app, world.jmsb.tenant_id, email=EMAIL)
    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        license_id = db.session.scalar(select(func.max(MedicalLicense.id)))
    return registered, user.id, license_id


def _status(app, tenant_id: int, license_id: int) -> str:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        return db.session.get(MedicalLicense, license_id).status


def _names(page: str) -> list[str]:
    return re.findall(r'/admin/registrants/\d+">([^<]+)</a>', page)


def test_list_search_and_licence_filter(app, world, applicant, jimu, client_for, registrant):
    other = client_for("jmsb.localhost")
    assert registrant(other, full_name="未提出 花子", full_name_kana="ミテイシュツ ハナコ",
                      medical_registration_number="111111", email="hanako@example.jp",
                      email_confirmation="hanako@example.jp")
    everyone = _names(jimu.text("/admin/registrants"))
    assert "髙橋 﨑子 (タカハシ サキコ)" in everyone and "未提出 花子 (ミテイシュツ ハナコ)" in everyone
    assert "専攻医 テスト1 (センコウイ テストイチ)" in everyone  # the factory's trainee
    assert all("統括" not in n and "事務局" not in n for n in everyone)
    searches = {"髙橋": "髙橋", "ﾐﾃｲｼｭﾂ": "未提出", "１１１１１１": "未提出", "HANAKO@": "未提出",
                "654321": "髙橋"}
    for query, expected in searches.items():
        found = _names(jimu.text(f"/admin/registrants?q={query}"))
        assert len(found) == 1 and expected in found[0], (query, found)
    assert _names(jimu.text("/admin/registrants?status=submitted")) == ["髙橋 﨑子 (タカハシ サキコ)"]
    missing = _names(jimu.text("/admin/registrants?status=none"))
    assert "未提出 花子 (ミテイシュツ ハナコ)" in missing and not any("髙橋" in n for n in missing)
    assert _names(jimu.text("/admin/registrants?status=verified")) == []
    assert "該当する登録者はいません。" in jimu.text("/admin/registrants?q=%25")


def test_list_pages_by_keyset(app, world, jimu):
    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        db.session.add_all(User(tenant_id=world.jmsb.tenant_id, login_id=f"p{i}", role="trainee",
                                email=f"p{i}@example.jp", full_name=f"頁 {i:02d}")
                           for i in range(55))
        db.session.commit()
    first = jimu.text("/admin/registrants?q=頁")
    assert len(_names(first)) == 50
    after = re.search(r'href="(/admin/registrants\?[^"]*after=\d+)"', first).group(1)
    rest = _names(jimu.text(after.replace("&amp;", "&")))
    assert rest == [f"頁 {i}" for i in range(50, 55)]


def test_list_under_htmx_returns_only_the_results(jimu, applicant):
    response = jimu.get("/admin/registrants?status=submitted", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="registrant-results">') and "<html" not in body


def test_only_the_secretariat_sees_the_registrants(app, applicant, client_for):
    _, user_id, _ = applicant
    for login in ("trainee@jmsb.example.jp", "jmsb-director@example.jp"):
        client = client_for("jmsb.localhost")
        client.login(login)
        assert client.get("/admin/registrants").status_code == 403
        assert client.get(f"/admin/registrants/{user_id}").status_code == 404


def test_detail_shows_data_and_licence_history(app, applicant, jimu):
    _, user_id, license_id = applicant
    page = jimu.text(f"/admin/registrants/{user_id}")
    for text in ("髙橋 﨑子", "654321", EMAIL, "100-0005", "東京都千代田区丸の内1-1-1", "03-1234-5678",
                 "医師免許証.pdf", f"/license/files/{license_id}", "提出済", "確認済にする",
                 "新規ユーザー登録", "パスワードの設定"):
        assert text in page, text


def test_other_tenant_and_staff_ids_are_404(app, world, jimu):
    for user_id in (world.jsicm.trainee, world.jmsb.director, world.jmsb.secretariat, 999999):
        assert jimu.get(f"/admin/registrants/{user_id}").status_code == 404
        assert jimu.post(f"/admin/registrants/{user_id}/identity", {
            "full_name": "x", "full_name_kana": "エックス", "medical_registration_number": "1",
            "birth_date": "1990-01-01"}, csrf_from="/admin/registrants").status_code == 404


def _edit(client, user_id: int, **overrides):
    data = {"full_name": "髙橋 﨑子", "full_name_kana": "タカハシ サキコ",
            "medical_registration_number": "654321", "birth_date": "1996-05-01", **overrides}
    return client.post(f"/admin/registrants/{user_id}/identity", data,
                       csrf_from=f"/admin/registrants/{user_id}")


def test_secretariat_corrects_identity_fields_with_audit(app, world, applicant, jimu):
    _, user_id, _ = applicant
    response = _edit(jimu, user_id, full_name="高橋 崎子", medical_registration_number="６５４３２２",
                     birth_date="1996-05-02")
    assert response.status_code == 303
    assert "登録情報を更新しました。" in jimu.text(f"/admin/registrants/{user_id}")
    user = find_user(app, world.jmsb.tenant_id, email=EMAIL)
    assert (user.full_name, user.medical_registration_number, user.birth_date) == (
        "高橋 崎子", "654322", date(1996, 5, 2))
    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registrant_updated"))
        assert (event.actor_id, event.actor_role) == (world.jmsb.secretariat, "secretariat")
        assert "full_name: 髙橋 﨑子 -> 高橋 崎子" in event.reason
        assert "medical_registration_number: 654321 -> 654322" in event.reason
    assert _edit(jimu, user_id, full_name="高橋 崎子", medical_registration_number="654322",
                 birth_date="1996-05-02").status_code == 303
    assert "変更はありませんでした。" in jimu.text(f"/admin/registrants/{user_id}")


def test_a_number_in_use_is_refused(app, world, applicant, jimu, client_for, registrant):
    _, user_id, _ = applicant
    registrant(client_for("jmsb.localhost"), medical_registration_number="111111",
               email="hanako@example.jp", email_confirmation="hanako@example.jp")
    response = _edit(jimu, user_id, medical_registration_number="111111", full_name="変更しない")
    assert response.status_code == 409
    assert "この医籍登録番号は既に別のアカウントに登録されています。" in response.get_data(as_text=True)
    assert find_user(app, world.jmsb.tenant_id, email=EMAIL).full_name == "髙橋 﨑子"


def test_bad_identity_input_is_a_japanese_error(app, world, applicant, jimu):
    _, user_id, _ = applicant
    response = _edit(jimu, user_id, full_name_kana="takahashi", medical_registration_number="x")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "フリガナは全角カタカナで入力してください。" in page
    assert "医籍登録番号は数字（8桁以内）で入力してください。" in page


def _verify(client, user_id, license_id, **kw):
    return client.post(f"/admin/registrants/{user_id}/licenses/{license_id}/verify", {},
                       csrf_from=f"/admin/registrants/{user_id}", **kw)


def _replace(client, user_id, license_id, comment="画像が不鮮明です。撮り直してください。", **kw):
    return client.post(f"/admin/registrants/{user_id}/licenses/{license_id}/replacement",
                       {"comment": comment}, csrf_from=f"/admin/registrants/{user_id}", **kw)


def test_verify_marks_the_licence_once(app, world, applicant, jimu):
    registered, user_id, license_id = applicant
    assert _verify(jimu, user_id, license_id).status_code == 303
    assert _status(app, world.jmsb.tenant_id, license_id) == "verified"
    again = _verify(jimu, user_id, license_id)
    assert again.status_code == 409
    assert "この医師免許証は既に処理されています。" in again.get_data(as_text=True)
    assert "確認済" in registered.text("/license")
    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "license_verified")) == 1


def test_verify_under_htmx_swaps_the_licence_panel(app, world, applicant, jimu):
    _, user_id, license_id = applicant
    response = _verify(jimu, user_id, license_id, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card" id="license-panel"')
    assert "確認済にしました。" in body and "<html" not in body


def test_replacement_request_mails_the_user_and_reopens_the_upload(app, world, applicant, jimu):
    registered, user_id, license_id = applicant
    assert _verify(jimu, user_id, license_id).status_code == 303
    assert _replace(jimu, user_id, license_id).status_code == 303
    assert _status(app, world.jmsb.tenant_id, license_id) == "replacement_requested"
    [mail] = outbox(app, template="license_replacement_requested")
    assert mail.to_addr == EMAIL and "画像が不鮮明です。" in mail.body
    assert "http://jmsb.localhost:5000/license" in mail.body
    assert mail.subject == "【JMSB Online System+】医師免許証の画像差し替えのお願い"
    page = registered.text("/license")
    assert "差し替え依頼中" in page and "画像が不鮮明です。" in page
    assert upload_license(registered, png_bytes(), "撮り直し.png").status_code == 303
    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        rows = list(db.session.scalars(select(MedicalLicense).order_by(MedicalLicense.id)))
        assert [(r.status, r.file.state) for r in rows] == [
            ("replacement_requested", "superseded"), ("submitted", "committed")]
        assert rows[1].supersedes_id == rows[0].id
    stale = _verify(jimu, user_id, license_id)  # the old image is no longer the current one
    assert stale.status_code == 409 and "新しい医師免許証が提出されています。" in stale.get_data(as_text=True)


def test_replacement_needs_a_comment(app, world, applicant, jimu):
    _, user_id, license_id = applicant
    response = _replace(jimu, user_id, license_id, comment=" ")
    assert response.status_code == 400
    assert "差し替えを依頼する理由を入力してください。" in response.get_data(as_text=True)
    assert _status(app, world.jmsb.tenant_id, license_id) == "submitted"
    assert outbox(app, template="license_replacement_requested") == []


def test_licence_of_another_registrant_in_the_url_is_404(app, world, applicant, jimu, client_for, registrant):
    _, user_id, license_id = applicant
    other = client_for("jmsb.localhost")
    registrant(other, medical_registration_number="111111", email="hanako@example.jp",
               email_confirmation="hanako@example.jp")
    other_id = find_user(app, world.jmsb.tenant_id, email="hanako@example.jp").id
    assert _verify(jimu, other_id, license_id).status_code == 404
    assert _status(app, world.jmsb.tenant_id, license_id) == "submitted"


def test_services_refuse_other_tenants_ids(app, world, applicant):
    _, user_id, license_id = applicant
    with app.test_request_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        actor = db.session.get(User, world.jsicm.secretariat)
        for call in (lambda: admin.get_registrant(user_id),
                     lambda: admin.verify_license(actor, license_id),
                     lambda: admin.request_replacement(actor, license_id, "x")):
            with pytest.raises(admin.RegistrationError) as exc:
                call()
            assert exc.value.status == 404
