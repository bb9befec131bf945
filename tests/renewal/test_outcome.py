"""Issue 19 item 1 (DOMAIN Q20, Q21): 合格 with a 認定開始日, 不合格 with a reason and a mail;
認定 on the start date with the certification extended (core and affiliated alike); 失効 of an
application not submitted by the end of its window; the core facility's affiliation task opens
a page where it acknowledges the request."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from portal.blueprints.renewal.models import (
    FacilityAffiliation,
    FacilityCertification,
    RenewalApplication,
    RenewalWindow,
)
from portal.blueprints.renewal.services.outcome import certification_end, run_daily
from portal.extensions import db
from portal.tenants.scoping import system_scope
from portal.worklist.models import Notice, Task
from tests.factories.helpers.renewal import AFFILIATED_LOGIN, CORE_LOGIN, JIMU_LOGIN
from tests.factories.helpers.rows import outbox

START = date(2026, 4, 1)
NOW = datetime(2026, 3, 1, 3, 0, tzinfo=timezone.utc)


def application(add_rows, world, facility="affiliated", status="submitted", window=None) -> int:
    return add_rows(world.tenant_id, RenewalApplication(
        tenant_id=world.tenant_id, facility_id=getattr(world, facility),
        window_id=window or world.window, facility_type="affiliated" if facility == "affiliated"
        else "core", status=status, revision=1,
        core_facility_id=world.core if facility == "affiliated" else None))[0]


def rows(app, model, **filters):
    with app.app_context(), system_scope(db.session):
        stmt = select(model)
        for key, value in filters.items():
            stmt = stmt.where(getattr(model, key) == value)
        found = list(db.session.scalars(stmt.order_by(model.id)))
        db.session.expunge_all()
        return found


def daily(app, today: date, now: datetime | None = None):
    with app.app_context():
        return run_daily(today, now or datetime.combine(today, datetime.min.time(), timezone.utc))


def decide(client, app_id: int, action: str, data: dict):
    return client.post(f"/renewal/review/{app_id}/{action}", data,
                       csrf_from=f"/renewal/review/{app_id}")


def test_pass_records_the_start_date_mails_it_and_schedules_the_core_notice(app, jspm, jspm_world, add_rows):
    app_id = application(add_rows, jspm_world)
    jspm.login(JIMU_LOGIN)
    assert decide(jspm, app_id, "pass", {"certification_start_date": "2026-04-01"}).status_code == 303
    [row] = rows(app, RenewalApplication, id=app_id)
    assert row.status == "passed" and row.certification_start_date == START
    [mail] = outbox(app, template="renewal_passed")
    assert mail.to_addr == AFFILIATED_LOGIN and "認定開始日: 2026年04月01日" in mail.body
    [aff] = rows(app, FacilityAffiliation)
    assert aff.notify_on == START and aff.core_facility_id == jspm_world.core


def test_fail_needs_a_reason_and_changes_nothing_without_one(app, jspm, jspm_world, add_rows):
    app_id = application(add_rows, jspm_world, facility="core")
    jspm.login(JIMU_LOGIN)
    assert decide(jspm, app_id, "fail", {"reason": "  "}).status_code == 303  # back to the page
    assert "不合格の理由を入力してください。" in jspm.text(f"/renewal/review/{app_id}")
    assert rows(app, RenewalApplication, id=app_id)[0].status == "submitted"
    assert outbox(app, template="renewal_failed") == []


def test_fail_keeps_the_reason_mails_it_and_tells_the_facility(app, jspm, jspm_world, add_rows):
    app_id = application(add_rows, jspm_world, facility="core")
    jspm.login(JIMU_LOGIN)
    assert decide(jspm, app_id, "fail", {"reason": "常勤の指導医が確認できません"}).status_code == 303
    [row] = rows(app, RenewalApplication, id=app_id)
    assert row.status == "failed" and row.failure_reason == "常勤の指導医が確認できません"
    [mail] = outbox(app, template="renewal_failed")
    assert mail.to_addr == CORE_LOGIN and "常勤の指導医が確認できません" in mail.body
    assert "不合格" in jspm.text(f"/renewal/review/{app_id}")
    decide(jspm, app_id, "pass", {})  # decided once: refused, back to the page
    assert "この申請は既に処理済みです。" in jspm.text(f"/renewal/review/{app_id}")
    assert rows(app, RenewalApplication, id=app_id)[0].status == "failed"
    assert rows(app, Notice, user_id=jspm_world.core_user)[0].title == "更新申請は不合格となりました。"


def test_core_and_affiliated_become_certified_on_the_start_date_and_are_extended(
        app, jspm, jspm_world, add_rows):
    ids = [application(add_rows, jspm_world, facility=f) for f in ("core", "affiliated")]
    jspm.login(JIMU_LOGIN)
    for app_id in ids:
        assert decide(jspm, app_id, "pass", {"certification_start_date": "2031-04-01"}).status_code == 303
    assert daily(app, date(2031, 3, 31))[0] == 0
    assert {r.status for r in rows(app, RenewalApplication)} == {"passed"}
    assert daily(app, date(2031, 4, 1))[0] == 2
    assert daily(app, date(2031, 4, 1))[0] == 0  # a rerun changes nothing
    assert {r.status for r in rows(app, RenewalApplication)} == {"certified"}
    for facility in (jspm_world.core, jspm_world.affiliated):
        [cert] = rows(app, FacilityCertification, facility_id=facility)
        assert cert.valid_to == date(2036, 3, 31)  # [renewal] certification_years = 5
    assert rows(app, FacilityCertification, facility_id=jspm_world.other_core)[0].valid_to == date(2030, 3, 31)


def test_certification_end_is_the_day_before_the_anniversary():
    assert certification_end(date(2026, 4, 1), 5) == date(2031, 3, 31)
    assert certification_end(date(2028, 2, 29), 1) == date(2029, 2, 28)  # the day before 1 March


def test_an_unsubmitted_application_lapses_when_the_window_closes(app, jspm_world, add_rows):
    closed = add_rows(jspm_world.tenant_id, RenewalWindow(
        tenant_id=jspm_world.tenant_id, label="2024年度更新",
        opens_at=NOW - timedelta(days=60), closes_at=NOW - timedelta(days=30)))[0]
    draft = application(add_rows, jspm_world, facility="core", status="draft", window=closed)
    submitted = application(add_rows, jspm_world, status="submitted", window=closed)
    open_draft = application(add_rows, jspm_world, facility="other_core", status="draft")
    assert daily(app, NOW.date(), NOW)[2] == 1
    assert daily(app, NOW.date(), NOW)[2] == 0
    status = {r.id: r.status for r in rows(app, RenewalApplication)}
    assert (status[draft], status[submitted], status[open_draft]) == ("lapsed", "submitted", "draft")
    [mail] = outbox(app, template="renewal_lapsed")
    assert mail.to_addr == CORE_LOGIN and "2024年度更新" in mail.body
    assert [n.title for n in rows(app, Notice, user_id=jspm_world.core_user)] == [
        "申請期間内に更新申請がなかったため、申請は失効しました。"]


def test_the_core_facility_opens_and_acknowledges_the_affiliation_task(app, jspm, jspm_world, add_rows):
    app_id = application(add_rows, jspm_world)
    jspm.login(JIMU_LOGIN)
    decide(jspm, app_id, "pass", {"certification_start_date": START.isoformat()})
    daily(app, START)
    [aff] = rows(app, FacilityAffiliation)
    [task] = rows(app, Task, kind="affiliation_request")
    assert task.user_id == jspm_world.core_user and task.endpoint == "renewal.affiliation"
    jspm.client.post("/logout", data={"csrf_token": jspm.csrf("/")})
    jspm.login(CORE_LOGIN)
    page = f"/renewal/affiliations/{aff.id}"
    assert f'href="{page}"' in jspm.text("/")
    assert "さくら連携病院" in jspm.text(page)
    assert jspm.post(f"{page}/acknowledge", {}, csrf_from=page).status_code == 303
    [aff] = rows(app, FacilityAffiliation)
    assert aff.status == "acknowledged" and aff.acknowledged_by_id == jspm_world.core_user
    assert rows(app, Task, kind="affiliation_request")[0].status == "done"
    assert "確認済みのため押せません。" in jspm.text(page)
    jspm.post(f"{page}/acknowledge", {}, csrf_from=page)  # twice: refused, back to the page
    assert "この連携申請は既に確認済みです。" in jspm.text(page)


def test_another_facility_cannot_open_the_affiliation(app, jspm, jspm_world, add_rows):
    app_id = application(add_rows, jspm_world)
    jspm.login(JIMU_LOGIN)
    decide(jspm, app_id, "pass", {"certification_start_date": START.isoformat()})
    daily(app, START)
    [aff] = rows(app, FacilityAffiliation)
    jspm.client.post("/logout", data={"csrf_token": jspm.csrf("/")})
    jspm.login(AFFILIATED_LOGIN)
    assert jspm.get(f"/renewal/affiliations/{aff.id}").status_code == 404


def test_a_core_facilitys_start_date_can_be_moved_until_it_comes(app, jspm, jspm_world, add_rows):
    app_id = application(add_rows, jspm_world, facility="core")
    jspm.login(JIMU_LOGIN)
    decide(jspm, app_id, "pass", {"certification_start_date": "2031-04-01"})
    page = f"/renewal/admin/applications/{app_id}/certification-start"
    assert 'value="2031-04-01"' in jspm.text(page)
    assert jspm.post(page, {"certification_start_date": "2031-05-01"}, csrf_from=page).status_code == 303
    assert "認定開始日を登録しました。" in jspm.text(page) and rows(app, FacilityAffiliation) == []
    assert daily(app, date(2031, 4, 1))[0] == 0
    assert daily(app, date(2031, 5, 1))[0] == 1
    assert rows(app, FacilityCertification, facility_id=jspm_world.core)[0].valid_to == date(2036, 4, 30)
    response = jspm.post(page, {"certification_start_date": "2031-06-01"}, csrf_from=page)
    assert response.status_code == 409  # 認定 already: the date is history now


def test_the_daily_command_certifies_on_the_given_date(app, jspm, jspm_world, add_rows):
    app_id = application(add_rows, jspm_world, facility="core")
    jspm.login(JIMU_LOGIN)
    decide(jspm, app_id, "pass", {"certification_start_date": "2031-04-01"})
    result = app.test_cli_runner().invoke(args=["renewal-daily", "--date", "2031-04-01"])
    assert result.exit_code == 0, result.output
    assert "certified 1, notified 0 affiliation(s)" in result.output
    assert rows(app, RenewalApplication, id=app_id)[0].status == "certified"
