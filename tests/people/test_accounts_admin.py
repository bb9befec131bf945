"""アカウント管理 (issue 15 item 2): search, one account's page, reassignment, deactivation
(SECURITY.md 17: every session of the user is void at once), reactivation, the password mail."""
from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import AccountToken, User
from portal.audit import AuditEvent
from tests.factories.helpers.rows import audit_actions, find_user, outbox, read


def _secretariat(client):
    client.login("jsicm-jimu")
    return client


def _post(client, path, data=None):
    return client.post(path, data or {}, csrf_from="/admin/people")


def test_search_filters_and_keyset_pages(world, factories, jsicm):
    tid = world.jsicm.tenant_id
    for n in range(55):
        factories.user(tid, f"bulk-{n:03}", "trainee", full_name=f"一括 {n:03}",
                       facility_id=world.jsicm.other_facility)
    _secretariat(jsicm)
    first = jsicm.text("/admin/people?role=trainee")
    assert "一括 000" in first and "一括 049" not in first.split('id="next-page"')[-1]
    assert 'id="next-page"' in first and "role=trainee" in first.split('id="next-page"')[-1]
    after = max(u.id for u in read(jsicm.client.application, tid, select(User).where(
        User.role == "trainee").order_by(User.id).limit(50)))
    second = jsicm.text(f"/admin/people?role=trainee&after={after}")
    assert "一括 054" in second and "一括 000" not in second and 'id="next-page"' not in second
    by_name = jsicm.text("/admin/people?q=" + "テスト1")  # kana typed half as full-width
    assert "専攻医 テスト1" in by_name and "一括 0" not in by_name
    by_member = jsicm.text("/admin/people?q=８０００１４")  # full-width member number
    assert "専攻医 テスト1" in by_member
    by_facility = jsicm.text(f"/admin/people?facility={world.jsicm.facility}&role=trainee")
    assert "専攻医 テスト1" in by_facility and "一括 0" not in by_facility
    inactive = jsicm.text("/admin/people?status=inactive")
    assert "該当するアカウントはありません。" in inactive


def test_account_page_shows_role_facility_status_last_login_and_history(app, world, jsicm,
                                                                        client_for):
    client_for("jsicm.localhost").login("jsicm-800014")  # sets last_login_at
    _secretariat(jsicm)
    page = jsicm.text(f"/admin/people/{world.jsicm.trainee}")
    assert "専攻医 テスト1" in page and "施設A" in page and "有効" in page
    user = find_user(app, world.jsicm.tenant_id, id=world.jsicm.trainee)
    assert user.last_login_at is not None and "最終ログイン" in page
    assert "履歴" in page


def test_deactivation_voids_every_session_and_login_answers_as_a_wrong_password(
        app, world, jsicm, client_for):
    """SECURITY.md 17: deactivation voids every existing cookie of that user."""
    phone, laptop = client_for("jsicm.localhost"), client_for("jsicm.localhost")
    phone.login("jsicm-800014")
    laptop.login("jsicm-800014")
    assert phone.get("/").status_code == 200 and laptop.get("/").status_code == 200
    _secretariat(jsicm)
    response = _post(jsicm, f"/admin/people/{world.jsicm.trainee}/deactivate",
                     {"reason": "退会"})
    assert response.status_code == 303
    for client in (phone, laptop):
        home = client.get("/")
        assert home.status_code == 302 and "/login" in home.headers["Location"]
    wrong = client_for("jsicm.localhost").post(
        "/login", {"identifier": "jsicm-800014", "password": "not-the-password"})
    deactivated = client_for("jsicm.localhost").post(
        "/login", {"identifier": "jsicm-800014", "password": "pass-word-123"})
    assert deactivated.status_code == wrong.status_code == 400
    message = "ログインIDまたはパスワードが正しくありません。"
    assert message in deactivated.get_data(as_text=True) and message in wrong.get_data(as_text=True)
    user = find_user(app, world.jsicm.tenant_id, id=world.jsicm.trainee)
    assert not user.active
    events = read(app, world.jsicm.tenant_id, select(AuditEvent).where(
        AuditEvent.action == "account_deactivated"))
    assert [(e.entity_id, e.reason, e.to_state) for e in events] == [
        (world.jsicm.trainee, "退会", "inactive")]


def test_deactivation_spends_open_links_and_reactivation_needs_a_new_login(
        app, world, jsicm, client_for):
    _secretariat(jsicm)
    assert _post(jsicm, f"/admin/people/{world.jsicm.trainee}/password-mail").status_code == 303
    assert _post(jsicm, f"/admin/people/{world.jsicm.trainee}/deactivate").status_code == 303
    tokens = read(app, world.jsicm.tenant_id, select(AccountToken).where(
        AccountToken.user_id == world.jsicm.trainee))
    assert tokens and all(t.used_at is not None for t in tokens)
    again = _post(jsicm, f"/admin/people/{world.jsicm.trainee}/deactivate")
    assert again.status_code == 409 and "既に無効です" in again.get_data(as_text=True)
    assert _post(jsicm, f"/admin/people/{world.jsicm.trainee}/reactivate").status_code == 303
    client_for("jsicm.localhost").login("jsicm-800014")  # logs in again
    assert audit_actions(app, world.jsicm.tenant_id, "users")[-3:] == [
        "password_mail_sent", "account_deactivated", "account_reactivated"]


def test_a_secretariat_cannot_deactivate_itself_or_the_last_secretariat(app, world, jsicm,
                                                                        factories, client_for):
    tid = world.jsicm.tenant_id
    _secretariat(jsicm)
    own = _post(jsicm, f"/admin/people/{world.jsicm.secretariat}/deactivate")
    assert own.status_code == 409 and "ご自身のアカウントは無効化できません。" in own.get_data(as_text=True)
    demote = _post(jsicm, f"/admin/people/{world.jsicm.secretariat}/assignment",
                   {"role": "trainee", "facility_id": "0"})
    assert demote.status_code == 409 and "ご自身の役割は変更できません。" in demote.get_data(as_text=True)
    second = factories.user(tid, "jsicm-jimu2", "secretariat", full_name="事務局 二")
    assert _post(jsicm, f"/admin/people/{second}/deactivate").status_code == 303
    # The second secretariat, reactivated, may not remove the first while it is the only other.
    assert _post(jsicm, f"/admin/people/{second}/reactivate").status_code == 303
    other = client_for("jsicm.localhost")
    other.login("jsicm-jimu2")
    assert _post(other, f"/admin/people/{world.jsicm.secretariat}/deactivate").status_code == 303
    last = _post(other, f"/admin/people/{second}/deactivate")
    assert last.status_code == 409  # itself, and the last one
    assert find_user(app, tid, id=second).active


def test_last_secretariat_guard_itself(app, world):
    """Reached only by another route than the page (two secretariats at once): the service
    refuses to take away the last active one."""
    import pytest

    from portal.blueprints.people import services
    from portal.extensions import db
    from portal.tenants.scoping import tenant_scope

    with app.test_request_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        jimu = db.session.get(User, world.jsicm.secretariat)
        director = db.session.get(User, world.jsicm.director)
        with pytest.raises(services.AccountRefused) as refused:
            services.deactivate(director, jimu)
        assert refused.value.message == services.LAST_SECRETARIAT
        db.session.rollback()


def test_reassign_role_and_facility_is_audited_and_bad_choices_change_nothing(app, world, jsicm):
    tid = world.jsicm.tenant_id
    _secretariat(jsicm)
    url = f"/admin/people/{world.jsicm.director}/assignment"
    bad = _post(jsicm, url, {"role": "superuser", "facility_id": str(world.jsicm.facility)})
    assert bad.status_code == 400 and "役割を一覧から選択してください。" in bad.get_data(as_text=True)
    foreign = _post(jsicm, url, {"role": "program_director", "facility_id": "999999"})
    assert foreign.status_code == 400 and "施設を一覧から選択してください。" in foreign.get_data(as_text=True)
    assert find_user(app, tid, id=world.jsicm.director).facility_id == world.jsicm.facility
    moved = _post(jsicm, url, {"role": "facility_manager",
                               "facility_id": str(world.jsicm.other_facility)})
    assert moved.status_code == 303
    user = find_user(app, tid, id=world.jsicm.director)
    assert (user.role, user.facility_id) == ("facility_manager", world.jsicm.other_facility)
    event = read(app, tid, select(AuditEvent).where(AuditEvent.action == "account_reassigned"))[0]
    assert event.from_state == f"program_director/{world.jsicm.facility}"
    assert event.to_state == f"facility_manager/{world.jsicm.other_facility}"


def test_password_mail_goes_through_the_outbox_with_a_working_link(app, world, jsicm,
                                                                   client_for):
    _secretariat(jsicm)
    assert _post(jsicm, f"/admin/people/{world.jsicm.trainee}/password-mail").status_code == 303
    mails = outbox(app, template="account_password_setting")
    assert [m.to_addr for m in mails] == ["trainee@jsicm.example.jp"]
    link = next(line for line in mails[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("jsicm.localhost", 1)[1].split()[0].lstrip(":0123456789")
    user = client_for("jsicm.localhost")
    page = user.get(path)
    assert page.status_code == 200


def test_only_the_secretariat_has_the_pages(world, client_for):
    for login in ("jsicm-800014", "jsicm-director"):
        client = client_for("jsicm.localhost")
        client.login(login)
        assert client.get("/admin/people").status_code == 403
        assert client.get(f"/admin/people/{world.jsicm.trainee}").status_code == 404
        token = client.csrf("/")
        response = client.client.post(f"/admin/people/{world.jsicm.trainee}/deactivate",
                                      data={"csrf_token": token})
        assert response.status_code == 404
