"""Archived registrations (B-R05, DOMAIN.md Q26): an account registered in an earlier
recruitment year that never applied is archived, freeing its 医籍登録番号 and e-mail for a new
registration; the row keeps what the account had, so the secretariat can undo it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, TenantScoped


class ArchivedRegistration(TenantScoped, Base):
    __tablename__ = "archived_registrations"
    # One open archive per account: archiving twice (or on two hosts) adds nothing.
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    medical_registration_number: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(320))
    login_id: Mapped[str] = mapped_column(String(100))
    fiscal_year: Mapped[int]  # the recruitment year that ended without an application
    archived_at: Mapped[datetime]
    restored_at: Mapped[datetime | None]
    restored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
