"""An import is two steps: the upload is read and planned into rows (each create, update,
unchanged or error, with its reasons), the secretariat looks at that preview, then confirms.
The rows keep the normalised values, so the confirm applies exactly what was shown."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, TenantScoped


class ImportBatch(TenantScoped, Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the CLI
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20), default="people")  # people | roster
    # queued -> planning -> previewed -> applying -> applied | failed
    status: Mapped[str] = mapped_column(String(20), default="queued")
    total_rows: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    unknown_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(String(500))  # why a file could not be read
    applied_at: Mapped[datetime | None]

    @property
    def has_errors(self) -> bool:
        return bool(self.counts.get("error")) or self.message is not None


class ImportRow(TenantScoped, Base):
    __tablename__ = "import_rows"
    __table_args__ = (Index("ix_import_rows_batch_line", "batch_id", "line"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    line: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))  # create | update | unchanged | error
    key: Mapped[str] = mapped_column(String(320), default="")
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)  # fields an update changes
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)  # why it is an error
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)  # what was normalised
