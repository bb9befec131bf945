"""Deadlines across societies, and what the secretariat reads: the overdue tasks and the
dashboard's counts (issue 19). The rules themselves are in portal.worklist.reminders (the
tasks are the worklist's) and in each feature's queue counts (portal.queues)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import g, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.accounts.models import User
from portal.daily import active_tenant_ids, run_per_tenant
from portal.db import inline
from portal.extensions import db
from portal.queues import AGE_BUCKETS
from portal.registry import Queue, registry
from portal.worklist.models import Task
from portal.worklist.reminders import send_reminders

PAGE = 50


def run_reminders(today: date, now: datetime) -> int:
    """Every active society, one commit each. Returns the digests queued."""
    return sum(run_per_tenant(active_tenant_ids(), lambda _tid: send_reminders(today, now)))


def overdue(today: date, after: tuple[date, int] | None = None) -> list[tuple[Task, User]]:
    """Open tasks past their due date, the longest overdue first, with whom they wait on;
    keyset pages on (due_on, id)."""
    person = aliased(User)
    stmt = (select(Task, person).join(person, person.id == Task.user_id)
            .where(Task.status == "open", Task.due_on < today)
            .order_by(Task.due_on, Task.id).limit(inline(PAGE)))
    if after is not None:
        stmt = stmt.where((Task.due_on > after[0]) | ((Task.due_on == after[0]) & (Task.id > after[1])))
    return [(task, user) for task, user in db.session.execute(stmt)]


def overdue_count(today: date) -> int:
    return db.session.scalar(select(func.count()).select_from(Task).where(
        Task.status == "open", Task.due_on < today)) or 0


@dataclass(frozen=True)
class Cell:
    count: int
    url: str


@dataclass(frozen=True)
class Row:
    """One state of one queue: its label, total and a cell per age bucket."""
    queue: Queue
    state: str
    label: str
    total: Cell
    cells: list[Cell]


def dashboard(today: date) -> list[Row]:
    """For each queue the society's modules have: counts by state and age, each a link to
    the queue's list filtered the same way (one statement per queue)."""
    rows = []
    for queue in registry().queues(g.rules):
        found = queue.counts(today)
        for state, label in queue.states.items():
            counts = found.get(state, [0] * len(AGE_BUCKETS))
            cells = [Cell(n, url_for(queue.endpoint, status=state, age=bucket))
                     for n, bucket in zip(counts, AGE_BUCKETS, strict=True)]
            rows.append(Row(queue, state, label, Cell(sum(counts),
                                                      url_for(queue.endpoint, status=state)), cells))
    return rows
