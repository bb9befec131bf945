"""Issue 19 item 2 with a fixed clock: a daily digest per person on the days rules.toml names
(3 days before a due date and on it) listing all their items, never twice (a rerun; two runs
at once, see test_concurrent_runs.py); overdue items escalated once, listed for the
secretariat and leading the person's own page; reminder mails can be turned off, required
notices cannot."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.blueprints.deadlines.services import run_reminders
from portal.worklist.models import ReminderLog, Task
from tests.factories.helpers.rows import outbox, read, writing

TODAY = date(2026, 6, 10)
NOW = datetime(2026, 6, 10, 0, 30, tzinfo=timezone.utc)  # 09:30 in Japan
OPENED = NOW - timedelta(days=20)


@pytest.fixture
def clock_at(app, monkeypatch):
    def at(day: date) -> None:
        monkeypatch.setitem(app.config, "FIXED_NOW",
                            datetime(day.year, day.month, day.day, 0, 30, tzinfo=timezone.utc))
    at(TODAY)
    return at


def task(tid: int, user_id: int, kind: str, due: date | None, related: int, endpoint=None) -> Task:
    return Task(tenant_id=tid, user_id=user_id, kind=kind, title=TITLES[kind], endpoint=endpoint,
                related_id=related, due_on=due, created_at=OPENED)


TITLES = {"review_credential": "証票の審査をしてください。",
          "review_training_start": "研修開始申請の審査をしてください。",
          "decide_withdrawal": "辞退申請を承認または却下してください。",
          "upload_credential": "証票をアップロードしてください。"}


@pytest.fixture
def items(world, add_rows):
    """jsicm's director: due in 3 days, tomorrow, 5 days ago, none; the secretariat: in 2 days.
    jmsb's director: overdue (another society)."""
    j = world.jsicm
    ids = add_rows(j.tenant_id,
                   task(j.tenant_id, j.director, "review_credential", TODAY + timedelta(days=3), 1,
                        "credentials.review"),
                   task(j.tenant_id, j.director, "review_credential", TODAY + timedelta(days=1), 2,
                        "credentials.review"),
                   task(j.tenant_id, j.director, "review_training_start", TODAY - timedelta(days=5), 3,
                        "credentials.training_start_queue"),
                   task(j.tenant_id, j.director, "upload_credential", None, 4),  # no deadline
                   task(j.tenant_id, j.secretariat, "review_credential", TODAY + timedelta(days=2), 5))
    add_rows(world.jmsb.tenant_id, task(world.jmsb.tenant_id, world.jmsb.director,
                                        "decide_withdrawal", TODAY - timedelta(days=1), 9))
    return ids


def run(app, day: date = TODAY) -> int:
    with app.app_context():
        return run_reminders(day, datetime(day.year, day.month, day.day, 0, 30, tzinfo=timezone.utc))


def reminders(app) -> list:
    return outbox(app, template="task_reminder")


def test_one_digest_lists_all_the_persons_items_overdue_first(app, world, items, clock_at):
    assert run(app) == 1  # the director (an item due in 3 days); not the secretariat (in 2)
    [mail] = reminders(app)
    assert mail.to_addr == "jsicm-director@example.jp"
    body = mail.body
    assert body.index("【期限超過】研修開始申請の審査をしてください。（期限 2026/06/05）") < body.index(
        "（期限 2026/06/11）") < body.index("（期限 2026/06/13）")
    assert "4件、うち期限超過 1件" in body
    assert "jsicm.localhost:5000/review/credentials/1\n" in body  # each task's own page
    assert read(app, world.jsicm.tenant_id, select(ReminderLog))[0].day == TODAY


def test_reminders_come_n_days_before_and_on_the_due_date_only(app, world, items, clock_at):
    assert run(app, TODAY) == 1                          # director: 06-13 is 3 days away
    assert run(app, TODAY + timedelta(days=1)) == 1      # director: 06-11 is today
    assert run(app, TODAY + timedelta(days=2)) == 1      # secretariat: 06-12 is today
    assert run(app, TODAY + timedelta(days=3)) == 1      # director: 06-13 is today
    assert run(app, TODAY + timedelta(days=4)) == 0
    assert [m.to_addr for m in reminders(app)] == [
        "jsicm-director@example.jp", "jsicm-director@example.jp", "jsicm-jimu@example.jp",
        "jsicm-director@example.jp"]
    # the day before: jsicm's secretariat (06-12 is 3 days away), jmsb's director (due that day)
    assert run(app, TODAY - timedelta(days=1)) == 2
    assert [m.to_addr for m in reminders(app)][-2:] == ["jsicm-jimu@example.jp",
                                                        "jmsb-director@example.jp"]


def test_a_rerun_the_same_day_sends_nothing(app, world, items, clock_at):
    assert run(app) == 1
    assert run(app) == 0
    assert len(reminders(app)) == 1
    assert len(read(app, world.jsicm.tenant_id, select(ReminderLog))) == 1


def test_overdue_items_are_escalated_once_and_listed_for_the_secretariat(
        app, world, items, clock_at, jsicm):
    run(app)
    run(app, TODAY + timedelta(days=1))
    j = world.jsicm
    escalated = read(app, j.tenant_id, select(Task).where(Task.escalated_at.is_not(None)))
    assert [t.related_id for t in escalated] == [3]
    assert len(read(app, j.tenant_id, select(AuditEvent).where(
        AuditEvent.action == "task_escalated"))) == 1
    jsicm.login("jsicm-jimu")
    page = jsicm.text("/admin/overdue")
    assert "研修開始申請の審査をしてください。" in page and "統括 太郎" in page
    assert "5日" in page and "辞退申請" not in page  # jmsb's overdue item is jmsb's
    assert 'href="/review/credentials/1"' not in page  # not overdue
    assert "期限超過: 1件" in jsicm.text("/admin/dashboard")


def test_the_person_sees_overdue_items_at_the_top_of_their_page(app, world, items, clock_at, jsicm):
    jsicm.login("jsicm-director")
    page = jsicm.text("/")
    tasks = page[page.index('id="tasks-h"'):]
    assert tasks.index("期限超過") < tasks.index("期限 06/11") < tasks.index("期限 06/13")
    assert tasks.count("期限超過") == 1
    # and first of all, above the cards: what is already late
    assert page.index('id="overdue-h"') < page.index('class="panels"')
    box = page[page.index('id="overdue-h"'):page.index('class="panels"')]
    assert "期限を過ぎた処理があります（1件）" in box and "研修開始申請の審査をしてください。" in box


def test_overdue_follows_the_clock(app, world, items, clock_at, jsicm):
    clock_at(TODAY + timedelta(days=2))  # 06-11 is now overdue as well
    jsicm.login("jsicm-director")
    page = jsicm.text("/")
    assert page[page.index('id="tasks-h"'):].count('class="overdue"') == 2
    assert "期限を過ぎた処理があります（2件）" in page


def test_opting_out_stops_reminders_not_required_notices(app, world, items, clock_at, jsicm):
    jsicm.login("jsicm-director")
    assert 'name="reminder_mail" value="y" aria-describedby="reminder-help" checked' in jsicm.text("/profile")
    assert jsicm.post("/profile/reminders", {}, csrf_from="/profile").status_code == 303
    assert read(app, world.jsicm.tenant_id, select(User.reminder_mail).where(
        User.id == world.jsicm.director)) == [False]
    assert run(app) == 0 and reminders(app) == []
    # escalation does not depend on the person's choice
    assert read(app, world.jsicm.tenant_id, select(Task.escalated_at).where(Task.related_id == 3))[0]
    jsicm.post("/profile/reminders", {"reminder_mail": "y"}, csrf_from="/profile")
    assert run(app, TODAY + timedelta(days=1)) == 1


def test_an_inactive_account_gets_no_reminder(app, world, items, clock_at):
    with writing(app, world.jsicm.tenant_id) as session:
        session.execute(update(User).where(User.id == world.jsicm.director).values(active=False))
    assert run(app) == 0


def test_a_required_notice_reaches_a_person_who_opted_out(app, jspm, jspm_world, add_rows):
    from portal.blueprints.renewal.models import RenewalApplication
    from tests.factories.helpers.renewal import CORE_LOGIN, JIMU_LOGIN

    with writing(app, jspm_world.tenant_id) as session:
        session.execute(update(User).values(reminder_mail=False))
    [app_id] = add_rows(jspm_world.tenant_id, RenewalApplication(
        tenant_id=jspm_world.tenant_id, facility_id=jspm_world.core, window_id=jspm_world.window,
        facility_type="core", status="submitted", revision=1))
    jspm.login(JIMU_LOGIN)
    jspm.post(f"/renewal/review/{app_id}/fail", {"reason": "要件不足"},
              csrf_from=f"/renewal/review/{app_id}")
    assert [m.to_addr for m in outbox(app, template="renewal_failed")] == [CORE_LOGIN]


def test_tasks_opened_before_their_kind_had_a_deadline_get_one(app, world, add_rows, clock_at):
    j = world.jsicm
    [old] = add_rows(j.tenant_id, Task(tenant_id=j.tenant_id, user_id=j.director,
                                       kind="review_credential", title=TITLES["review_credential"],
                                       related_id=11, created_at=NOW - timedelta(days=11)))
    [free] = add_rows(j.tenant_id, Task(tenant_id=j.tenant_id, user_id=j.trainee,
                                        kind="upload_credential", title=TITLES["upload_credential"],
                                        created_at=NOW - timedelta(days=11)))
    assert run(app) == 1  # opened 11 days ago + 14 days: due in 3 days, so reminded today
    rows = {t.id: t.due_on for t in read(app, j.tenant_id, select(Task).where(Task.id.in_([old, free])))}
    assert rows == {old: TODAY + timedelta(days=3), free: None}  # upload_credential has none


def test_the_daily_command_takes_a_date_and_reports(app, world, items):
    result = app.test_cli_runner().invoke(args=["send-reminders", "--date", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "sent 1 reminder mail(s)" in result.output
    again = app.test_cli_runner().invoke(args=["send-reminders", "--date", TODAY.isoformat()])
    assert "sent 0 reminder mail(s)" in again.output
