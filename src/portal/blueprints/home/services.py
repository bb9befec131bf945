"""Tasks and notices for the top page."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update

from portal.blueprints.home.models import TASK_TITLES, Notice, Task
from portal.db import utcnow
from portal.extensions import db


def open_task(user, kind: str, endpoint: str | None, related_id: int | None = None,
              created_at: datetime | None = None) -> Task:
    existing = db.session.scalar(
        select(Task).where(Task.user_id == user.id, Task.kind == kind, Task.status == "open",
                           Task.related_id.is_(None) if related_id is None
                           else Task.related_id == related_id))
    if existing:
        return existing
    task = Task(tenant_id=user.tenant_id, user_id=user.id, kind=kind, title=TASK_TITLES[kind],
                endpoint=endpoint, related_id=related_id, created_at=created_at or utcnow())
    db.session.add(task)
    return task


def close_tasks(kind: str, *, user_id: int | None = None, related_id: int | None = None) -> None:
    stmt = update(Task).where(Task.kind == kind, Task.status == "open")
    if user_id is not None:
        stmt = stmt.where(Task.user_id == user_id)
    if related_id is not None:
        stmt = stmt.where(Task.related_id == related_id)
    db.session.execute(stmt.values(status="done", closed_at=utcnow())
                       .execution_options(synchronize_session=False))


def open_tasks(user) -> list[Task]:
    return list(db.session.scalars(
        select(Task).where(Task.user_id == user.id, Task.status == "open")
        .order_by(Task.created_at, Task.id).limit(50)))


def visible_notices(user) -> list[Notice]:
    now = utcnow()
    return list(db.session.scalars(
        select(Notice)
        .where(Notice.published_at <= now,
               or_(Notice.expires_at.is_(None), Notice.expires_at > now),
               or_(Notice.audience.is_(None), Notice.audience == user.role))
        .order_by(Notice.published_at.desc()).limit(10)))
