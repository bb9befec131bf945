from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, TenantScoped


class Task(TenantScoped, Base):
    """A to-do on a user's top page, shown as 「MM/DD <title>」."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_tenant_user_status", "tenant_id", "user_id", "status"),
                      Index("ix_tasks_tenant_status_due_on", "tenant_id", "status", "due_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str | None] = mapped_column(String(80))
    related_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done
    closed_at: Mapped[datetime | None]
    # Issue 19: set from rules.toml [deadlines] when the task opens; None: no deadline
    due_on: Mapped[date | None]
    escalated_at: Mapped[datetime | None]  # first seen overdue by the daily job


class ReminderLog(TenantScoped, Base):
    """One row per person per day the reminder digest went out. Inserted before the mail is
    queued, in the same transaction: a rerun, or a second host running the job at the same
    time, meets the unique key and sends nothing."""

    __tablename__ = "reminder_logs"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date]
    items: Mapped[int] = mapped_column(default=0)


class Notice(TenantScoped, Base):
    """お知らせ: published by the secretariat for an audience (None: everybody), or written by a
    feature for one user (user_id: 「証票が承認されました。」), shown only to that user.
    The secretariat's notices are shown from `published_at` until `expires_at`, and retired
    (`retired_at`) rather than deleted, so the audit trail keeps what was said."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_tenant_published", "tenant_id", "published_at"),
                      Index("ix_notices_tenant_user", "tenant_id", "user_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str | None] = mapped_column(String(30))
    published_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
