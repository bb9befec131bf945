"""Secretariat: renewal windows entered in Japan time (stored UTC), and a facility account's
e-mail change after identity evidence (C-R03, I-04); links in the secretariat's menu."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.blueprints.renewal.models import RenewalWindow
from portal.blueprints.renewal.services import applications as services
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.renewal import AFFILIATED_LOGIN, CORE_LOGIN, JIMU_LOGIN, UTC
from tests.factories.helpers.rows import outbox

PAGE = "/renewal/admin/windows/manage"
FACILITIES = "/renewal/admin/facilities"
EVIDENCE = "施設名・認定番号・責任者氏名・会員番号を電話で確認"


@pytest.fixture
def no_window(app, factories, make_society):
    return make_society(window=False)


@pytest.fixture
def jimu(client_for, no_window):
    client = client_for("jspm.localhost")
    client.login(JIMU_LOGIN)
    return client


def window_data(**over) -> dict:
    data = {"label": "2027年度更新", "opens_date": "2027-02-01", "opens_time": "00:00",
            "closes_date": "2027-02-28", "closes_time": "23:59"}
    data.update(over)
    return data


def windows(app, tenant_id):
    with app.app_context(), tenant_scope(db.session, tenant_id):
        found = list(db.session.scalars(select(RenewalWindow)))
        db.session.expunge_all()
        return found


def audits(app, tenant_id, action):
    with app.app_context(), tenant_scope(db.session, tenant_id):
        found = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return found


def test_window_is_stored_in_utc_from_japan_time_with_inclusive_end(app, jimu, no_window):
    response = jimu.post(PAGE, window_data(), csrf_from=PAGE)
    assert response.status_code == 303
    [window] = windows(app, no_window.tenant_id)
    assert window.opens_at == datetime(2027, 1, 31, 15, 0, tzinfo=UTC)
    assert window.closes_at.replace(microsecond=0) == datetime(2027, 2, 28, 14, 59, 59, tzinfo=UTC)
    assert audits(app, no_window.tenant_id, "renewal_window_created")
    assert "2027年度更新" in jimu.text(PAGE)


def test_window_closing_before_opening_is_refused_and_nothing_stored(app, jimu, no_window):
    response = jimu.post(PAGE, window_data(closes_date="2027-01-31"), csrf_from=PAGE)
    assert response.status_code == 422
    assert "終了日時は開始日時より後にしてください。" in response.get_data(as_text=True)
    assert windows(app, no_window.tenant_id) == []


def test_window_without_label_or_dates_is_refused_in_japanese(app, jimu, no_window):
    response = jimu.post(PAGE, window_data(label="", opens_date=""), csrf_from=PAGE)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "名称を入力してください。" in body and "開始日を入力してください。" in body
    assert windows(app, no_window.tenant_id) == []


def test_created_window_opens_the_application_screen_at_the_japan_time_minute(app, jimu, no_window):
    assert jimu.post(PAGE, window_data(), csrf_from=PAGE).status_code == 303
    with app.test_request_context(headers={"Host": "jspm.localhost"}), \
            tenant_scope(db.session, no_window.tenant_id):
        user = db.session.get(User, no_window.core_user)
        at = lambda *a: services.screen_for(user, datetime(*a, tzinfo=UTC)).editable  # noqa: E731
        assert not at(2027, 1, 31, 14, 59)  # 2月1日 0:00 JST is 15:00 UTC
        assert at(2027, 1, 31, 15, 0)
        assert at(2027, 2, 28, 14, 59, 30)  # 2月28日 23:59 JST, inclusive
        assert not at(2027, 2, 28, 15, 0)


def change_email(client, user_id, new_email, evidence=EVIDENCE):
    return client.post(f"/renewal/admin/facilities/accounts/{user_id}/email",
                       {"new_email": new_email, "evidence": evidence}, csrf_from=FACILITIES)


def test_email_change_requires_identity_evidence(app, jimu, no_window):
    response = change_email(jimu, no_window.core_user, "new@jspm.example.jp", evidence="  ")
    assert response.status_code == 422
    assert "本人確認の記録を入力してください。" in response.get_data(as_text=True)
    assert outbox(app, template="renewal_email_changed") == []


def test_email_change_refuses_an_address_used_in_the_society(app, jimu, no_window):
    response = change_email(jimu, no_window.core_user, AFFILIATED_LOGIN.upper())
    assert response.status_code == 422
    assert "このメールアドレスは既に使われています。" in response.get_data(as_text=True)


def test_secretariat_change_waits_for_the_new_address_then_voids_sessions_and_tells_both(
        app, client_for, jimu, no_window):
    """SECURITY.md 20: nothing changes until the new address opens its link."""
    facility = client_for("jspm.localhost")
    facility.login(CORE_LOGIN)
    response = change_email(jimu, no_window.core_user, "new-core@jspm.example.jp")
    assert response.status_code == 303
    listing = jimu.text(FACILITIES)
    assert "新しいメールアドレスに確認のメールを送信しました。" in listing
    assert "変更の確認待ち: new-core@jspm.example.jp" in listing
    assert facility.get("/renewal/").status_code == 200  # still logged in, address unchanged
    assert outbox(app, template="renewal_email_changed") == []
    [request_event] = audits(app, no_window.tenant_id, "email_change_requested_by_secretariat")
    assert EVIDENCE in request_event.reason and request_event.actor_id == no_window.jimu_user
    [confirm_mail] = outbox(app, template="renewal_email_confirm")
    assert confirm_mail.to_addr == "new-core@jspm.example.jp" and "有効期限 72 時間" in confirm_mail.body
    link = re.search(r"http://jspm\.localhost\S*(/renewal/email/confirm/\S+)", confirm_mail.body).group(1)

    stranger = client_for("jspm.localhost")
    assert "new-core@jspm.example.jp" in stranger.text(link)  # GET only asks (scanners prefetch)
    assert audits(app, no_window.tenant_id, "facility_email_changed") == []
    assert stranger.post(link, {}, csrf_from=link).status_code == 200
    assert facility.get("/renewal/").status_code in (302, 401)  # the old session is void
    changed = outbox(app, template="renewal_email_changed")
    assert {m.to_addr for m in changed} == {CORE_LOGIN, "new-core@jspm.example.jp"}
    # jspm's words ([terminology] renewal.facility_pages, branding.system_name)
    assert changed[0].subject == "【日本緩和医療学会】施設マイページ メールアドレス変更のお知らせ"
    assert "施設マイページ の施設マイページのログインに使うメールアドレス" in changed[0].body
    assert [e.actor_id for e in audits(app, no_window.tenant_id, "facility_email_changed")] == [
        no_window.core_user]
    client_for("jspm.localhost").login("new-core@jspm.example.jp")
    again = client_for("jspm.localhost")
    assert again.get(link).status_code == 400  # single use


def test_an_unconfirmed_change_leaves_the_login_as_it_was(app, client_for, jimu, no_window):
    change_email(jimu, no_window.core_user, "typo@jspm.example.jp")
    client_for("jspm.localhost").login(CORE_LOGIN)
    login = client_for("jspm.localhost").post("/login", {"identifier": "typo@jspm.example.jp",
                                                          "password": "pass-word-123"})
    assert login.status_code != 302


def test_the_profiles_confirmation_page_does_not_take_a_facility_link(app, client_for, jimu, no_window):
    change_email(jimu, no_window.core_user, "new-core@jspm.example.jp")
    [mail] = outbox(app, template="renewal_email_confirm")
    token = re.search(r"/renewal/email/confirm/(\S+)", mail.body).group(1)
    assert client_for("jspm.localhost").get(f"/profile/email/verify/{token}").status_code == 400


@pytest.mark.parametrize("method,path", [
    ("get", PAGE), ("post", PAGE), ("post", "/renewal/admin/facilities/accounts/1/email")])
def test_facility_account_cannot_use_the_secretariat_pages(client_for, no_window, method, path):
    facility = client_for("jspm.localhost")
    facility.login(CORE_LOGIN)
    if method == "get":
        response = facility.get(path)
    else:
        response = facility.post(path, window_data(new_email="x@y.jp", evidence=EVIDENCE), csrf_from="/")
    assert response.status_code in (403, 404)


def test_secretariat_menu_links_the_renewal_admin_pages(jimu):
    page = jimu.text("/")
    for label, href in (("更新申請一覧", "/renewal/review"), ("施設アカウント管理", FACILITIES),
                        ("申請期間の管理", PAGE), ("文書番号の確認", "/renewal/admin/verify")):
        assert label in page and f'href="{href}"' in page


def test_passed_affiliated_application_links_its_certification_start_page(app, client_for, jspm_world, add_rows):
    from portal.blueprints.renewal.models import RenewalApplication
    [app_id] = add_rows(jspm_world.tenant_id, RenewalApplication(
        tenant_id=jspm_world.tenant_id, facility_id=jspm_world.affiliated, window_id=jspm_world.window,
        facility_type="affiliated", status="passed", revision=1, core_facility_id=jspm_world.core))
    client = client_for("jspm.localhost")
    client.login(JIMU_LOGIN)
    page = client.text(f"/renewal/review/{app_id}")
    assert f'href="/renewal/admin/applications/{app_id}/certification-start"' in page
    assert "認定開始日の登録" in page
