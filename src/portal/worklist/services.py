"""The worklist: tasks features open for a user, and the society's notices, on the top page."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import g, url_for
from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    update,
)

from portal import clock
from portal.db import inline, utcnow
from portal.extensions import db
from portal.registry import registry
from portal.worklist.models import Notice, Task


def open_task(user, kind: str, endpoint: str | None, related_id: int | None = None,
              created_at: datetime | None = None, due_on: date | None = None) -> Task:
    """An open task for `user` (the existing one if already open). Its due date is `due_on`
    when the feature knows it (a round's deadline), else rules.toml [deadlines] days after
    it opens (Japan time), else none."""
    existing = db.session.scalar(
        select(Task).where(Task.user_id == user.id, Task.kind == kind, Task.status == "open",
                           Task.related_id.is_(None) if related_id is None
                           else Task.related_id == related_id))
    if existing:
        return existing
    created_at = created_at or clock.now()
    task = Task(tenant_id=user.tenant_id, user_id=user.id, kind=kind, title=_title(kind),
                endpoint=endpoint, related_id=related_id, created_at=created_at,
                due_on=due_on or due_date(kind, created_at))
    db.session.add(task)
    return task


def due_date(kind: str, opened: datetime) -> date | None:
    days = g.rules.deadlines.days.get(kind) if "rules" in g else None
    return None if days is None else opened.astimezone(clock.JST).date() + timedelta(days=days)


def _title(kind: str) -> str:
    found = registry().task_kind(kind)
    if found is None:
        raise KeyError(f"no feature registered the task kind {kind!r}")
    return found.title


def task_url(task: Task) -> str | None:
    """The link a task opens, with its related row when the kind names the argument."""
    if not task.endpoint:
        return None
    found = registry().task_kind(task.kind)
    if task.related_id is not None and found is not None and found.arg:
        return url_for(task.endpoint, **{found.arg: task.related_id})
    return url_for(task.endpoint)


def task_overdue(task: Task) -> bool:
    """期限超過: open past its due date (Japan time); such tasks lead the user's list."""
    return task.status == "open" and task.due_on is not None and task.due_on < clock.today()


def close_tasks(kind: str, *, user_id: int | None = None, related_id: int | None = None) -> None:
    stmt = update(Task).where(Task.kind == kind, Task.status == "open")
    if user_id is not None:
        stmt = stmt.where(Task.user_id == user_id)
    if related_id is not None:
        stmt = stmt.where(Task.related_id == related_id)
    db.session.execute(stmt.values(status="done", closed_at=utcnow())
                       .execution_options(synchronize_session=False))


LISTED_TASKS = 50
LISTED_NOTICES = 10
NEW_FOR = timedelta(days=7)  # a notice is marked 新着 this long after it is published
# The audience of a secretariat's notice besides a role: applicants are the trainee-role
# accounts not yet at a training facility (doctors who registered to apply through recruitment).
# Trainee notices reach every trainee-role account, applicants included.
APPLICANT = "applicant"


# The lists below are written once for two callers: `t` is the ORM entity (Task, Notice), or
# its table's columns (Task.__table__.c) for the Core statement of the trainee top page.

def _listed_tasks(t, user_id):
    """A user's open tasks, the earliest due date first (so the overdue ones lead), then
    those with none, oldest first: (where, order by)."""
    return ((t.user_id == user_id, t.status == "open"),
            (t.due_on.is_(None), t.due_on, t.created_at, t.id))


def _listed_notices(n, role, group, user_id, now):
    """Notices a user sees at `now` (their role's, their group's, everybody's and their own),
    not retired, newest first, id breaking ties: (where, order by)."""
    audience = or_(n.audience.is_(None), n.audience == role, n.audience == group)
    return ((n.published_at <= now, or_(n.expires_at.is_(None), n.expires_at > now),
             n.retired_at.is_(None),
             or_(and_(n.user_id.is_(None), audience), n.user_id == user_id)),
            (n.published_at.desc(), n.id.desc()))


def audience_group(user) -> str:
    """The audience a user belongs to besides their role ('' for none)."""
    return APPLICANT if user.role == "trainee" and user.facility_id is None else ""


def notice_params(user, now: datetime) -> dict:
    """The values notices_version() binds, for a statement that names it."""
    return {"role": user.role, "group": audience_group(user), "now": now,
            "new_since": now - NEW_FOR}


def is_new(notice, now: datetime | None = None) -> bool:
    """新着: published within NEW_FOR of now."""
    return notice.published_at > (now or utcnow()) - NEW_FOR


def open_tasks(user) -> list[Task]:
    where, order = _listed_tasks(Task, user.id)
    return list(db.session.scalars(select(Task).where(*where).order_by(*order)
                                   .limit(inline(LISTED_TASKS))))


def visible_notices(user, now: datetime | None = None) -> list[Notice]:
    where, order = _listed_notices(Notice, user.role, audience_group(user), user.id,
                                   now or utcnow())
    return list(db.session.scalars(select(Notice).where(*where).order_by(*order)
                                   .limit(inline(LISTED_NOTICES))))


def tasks_version(tenant_id, user_id):
    """A scalar subquery naming every task open_tasks() lists with its last change: a task
    opened, closed or edited gives another value (the trainee top page's cache key)."""
    t = Task.__table__.c
    return _version(t, *_listed_tasks(t, user_id), tenant_id, LISTED_TASKS)


def notices_version(tenant_id, user_id):
    """The same for the notices visible_notices() lists at `now`, with whether each is still
    新着; the values are bound by name (notice_params)."""
    n = Notice.__table__.c
    where, order = _listed_notices(n, bindparam("role"), bindparam("group"), user_id,
                                   bindparam("now"))
    new = case((n.published_at > bindparam("new_since"), "n"), else_="")
    return _version(n, where, order, tenant_id, LISTED_NOTICES, new)


def notify_user(user, title: str, body: str = "", now: datetime | None = None) -> Notice:
    """An お知らせ for this user alone, on their top page from now on (mail tells them too;
    this is what they find when they log in). Flushed, never committed."""
    notice = Notice(tenant_id=user.tenant_id, user_id=user.id, title=title, body=body,
                    published_at=now or utcnow())
    db.session.add(notice)
    return notice


# In the SQL text: a bound separator is rendered into the statement on every execution.
_COMMA = literal_column("','")


def _version(c, where, order, tenant_id, limit: int, extra=None):
    """"id:updated_at,…" of the listed rows (string_agg on PostgreSQL, group_concat on
    SQLite), each followed by `extra` when given (what changes with time alone, not with the
    row). Core, so the tenant is said here. SQLAlchemy sets updated_at on every UPDATE it
    sends, by the ORM or not (the column's onupdate)."""
    columns = [c.id, c.updated_at] + ([extra.label("extra")] if extra is not None else [])
    rows = (select(*columns).where(c.tenant_id == tenant_id, *where)
            .order_by(*order).limit(inline(limit)).subquery())
    item = cast(rows.c.id, String) + ":" + cast(rows.c.updated_at, String)
    if extra is not None:
        item = item + rows.c.extra
    return select(func.aggregate_strings(item, _COMMA)).scalar_subquery()
