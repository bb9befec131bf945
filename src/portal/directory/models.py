from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, TenantScoped


class Facility(TenantScoped, Base):
    __tablename__ = "facilities"
    __table_args__ = (UniqueConstraint("tenant_id", "name"), UniqueConstraint("tenant_id", "code"))
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # 施設コード: the society's own code for the facility, the key of an import file.
    code: Mapped[str | None] = mapped_column(String(40))
