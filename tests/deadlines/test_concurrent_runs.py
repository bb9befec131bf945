"""Issue 19 item 2, never twice: the daily job started on two hosts at the same moment sends
each person one digest (the (tenant, user, day) reminder log row is claimed before the mail is
queued, in the same transaction; the second insert waits for the first and then fails)."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.blueprints.deadlines.services import run_reminders
from portal.worklist.models import ReminderLog, Task
from tests.factories.helpers.rows import outbox, read

TODAY = date(2026, 6, 10)
NOW = datetime(2026, 6, 10, 0, 30, tzinfo=timezone.utc)


@pytest.mark.committed  # two job runs in parallel threads, each on a connection of its own
def test_two_runs_at_once_send_one_mail_per_person(app, world, add_rows):
    people = [(world.jsicm, world.jsicm.director), (world.jsicm, world.jsicm.secretariat),
              (world.jmsb, world.jmsb.director)]
    for society, person in people:
        add_rows(society.tenant_id, *[
            Task(tenant_id=society.tenant_id, user_id=person, kind="review_credential",
                 title="証票の審査をしてください。", related_id=n, created_at=NOW - timedelta(days=9),
                 due_on=TODAY + timedelta(days=d)) for n, d in ((1, 3), (2, 0), (3, -2))])
    barrier, results, errors = threading.Barrier(2), [None, None], []

    def job(i: int) -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                results[i] = run_reminders(TODAY, NOW)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [], [str(e)[:300] for e in errors]
    assert sorted(results) in ([0, 3], [1, 2], [2, 1], [3, 0]) and sum(results) == 3
    mails = outbox(app, template="task_reminder")
    assert sorted(m.to_addr for m in mails) == sorted(
        ["jsicm-director@example.jp", "jsicm-jimu@example.jp", "jmsb-director@example.jp"])
    assert len(read(app, world.jsicm.tenant_id, select(ReminderLog))) == 2
    escalated = read(app, world.jsicm.tenant_id, select(Task).where(Task.escalated_at.is_not(None)))
    assert len(escalated) == 2  # one overdue task each, stamped once
