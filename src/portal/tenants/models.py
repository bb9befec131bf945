from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, Timestamped


class Tenant(Timestamped, Base):
    """A society. Not tenant-scoped itself: it is the scope."""

    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    domains: Mapped[list[TenantDomain]] = relationship(back_populates="tenant", order_by="TenantDomain.id")


class TenantDomain(Timestamped, Base):
    __tablename__ = "tenant_domains"
    __table_args__ = (UniqueConstraint("host"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    host: Mapped[str] = mapped_column(String(253))
    # The primary host is the one links in mail are built from.
    is_primary: Mapped[bool] = mapped_column(default=False)
    tenant: Mapped[Tenant] = relationship(back_populates="domains")
