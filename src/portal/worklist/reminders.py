"""Deadlines (issue 19 item 2): the daily reminder digest and the escalation of overdue tasks.

One digest per person per day, listing all their open tasks, on the days rules.toml
[deadlines] remind_before names (3 days before a due date, and on it). Never twice: the
(tenant, user, day) ReminderLog row is inserted before the mail is queued, in the same
transaction, so a rerun or a second host running at the same time meets the unique key (on
PostgreSQL the second insert waits for the first transaction, then fails) and sends nothing.
A person who turned reminder mails off gets none; required notices are not digests and are
sent by the features whatever this says. Overdue tasks are stamped escalated once (audited)
and listed for the secretariat (期限超過)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import g
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.models import User
from portal.clock import JST
from portal.db import inline
from portal.extensions import db
from portal.mail import queue_mail
from portal.registry import registry
from portal.urls import external_url
from portal.worklist.models import ReminderLog, Task


@dataclass(frozen=True)
class Item:
    task: Task
    link: str | None
    overdue: bool


def reminder_days(today: date) -> list[date]:
    return sorted({today + timedelta(days=d) for d in g.rules.deadlines.remind_before})


def backfill_due_dates() -> int:
    """Open tasks of a configured kind with no due date (opened before the kind was
    configured, or before deadlines existed) get theirs, counted from when they opened."""
    done = 0
    for kind, days in g.rules.deadlines.days.items():
        for task in db.session.scalars(select(Task).where(
                Task.kind == kind, Task.status == "open", Task.due_on.is_(None))):
            task.due_on = task.created_at.astimezone(JST).date() + timedelta(days=days)
            done += 1
    db.session.flush()
    return done


def escalate_overdue(today: date, now: datetime) -> int:
    """Stamp each open task past its due date once; the secretariat's 期限超過 list shows them."""
    due = db.session.scalars(select(Task.id).where(
        Task.status == "open", Task.due_on < today, Task.escalated_at.is_(None))).all()
    done = 0
    for task_id in due:
        claimed = db.session.execute(
            update(Task).where(Task.id == task_id, Task.escalated_at.is_(None))
            .values(escalated_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount == 1:
            task = db.session.get(Task, task_id)
            audit.record("task_escalated", task, actor=None, from_state="open", to_state="open",
                         reason=task.due_on.isoformat())
            done += 1
    return done


def _link(task: Task) -> str | None:
    if not task.endpoint:
        return None
    kind = registry().task_kind(task.kind)
    if kind is not None and kind.arg and task.related_id is not None:
        return external_url(task.endpoint, **{kind.arg: task.related_id})
    return external_url(task.endpoint)


LISTED = 50  # a digest lists this many, the earliest due first, and counts the rest


def _items(user_id: int, today: date) -> tuple[list[Item], int]:
    mine = (Task.user_id == user_id, Task.status == "open")
    tasks = db.session.scalars(select(Task).where(*mine).order_by(
        Task.due_on.is_(None), Task.due_on, Task.id).limit(inline(LISTED))).all()
    total = len(tasks) if len(tasks) < LISTED else db.session.scalar(
        select(func.count()).select_from(Task).where(*mine))
    return [Item(t, _link(t), t.due_on is not None and t.due_on < today) for t in tasks], total


def _claim(user: User, today: date, count: int) -> bool:
    """The never-twice guard: False when this person's digest for `today` exists already."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderLog(tenant_id=user.tenant_id, user_id=user.id, day=today,
                                       items=count))
    except IntegrityError:
        return False
    return True


def send_reminders(today: date, now: datetime) -> int:
    """One tenant (bound by the caller): due dates, escalation, then the day's digests.
    Returns mails queued."""
    backfill_due_dates()
    escalate_overdue(today, now)
    user_ids = db.session.scalars(select(Task.user_id).distinct().where(
        Task.status == "open", Task.due_on.in_(reminder_days(today)))).all()
    sent = 0
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)):
        if not (user.active and user.reminder_mail):
            continue
        items, total = _items(user.id, today)
        if not _claim(user, today, total):
            continue
        queue_mail("task_reminder", user.email, user=user, items=items, total=total, today=today,
                   overdue=sum(i.overdue for i in items))
        sent += 1
    return sent
