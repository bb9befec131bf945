from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, TenantScoped


class Task(TenantScoped, Base):
    """A to-do on a user's top page, shown as 「MM/DD <title>」."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_tenant_user_status", "tenant_id", "user_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str | None] = mapped_column(String(80))
    related_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done
    closed_at: Mapped[datetime | None]


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
