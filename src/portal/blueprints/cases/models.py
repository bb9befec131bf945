"""経験症例 and 症例レポート. No patient identifier is ever stored: age is a band, dates are the
ICU stay's, and free text is checked before it is saved (services)."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, TenantScoped
from portal.directory.models import Facility
from portal.i18n import N_


class CaseStatus(str, enum.Enum):
    entered = "entered"        # the trainee may still edit it
    signed_off = "signed_off"  # the director signed it off: it counts, and it is frozen


CASE_STATUS_LABELS = {"entered": N_("承認待ち"), "signed_off": N_("承認済")}

SEXES = {"male": N_("男性"), "female": N_("女性"), "other": N_("その他・不明")}
PROCEDURE_ROLES = {"operator": N_("術者"), "assistant": N_("助手")}


class Case(TenantScoped, Base):
    __tablename__ = "cases"
    __table_args__ = (
        # the trainee's list (keyset, newest first) and the requirement counts
        Index("ix_cases_tenant_trainee_id", "tenant_id", "trainee_id", "id"),
        Index("ix_cases_tenant_trainee_status_category", "tenant_id", "trainee_id", "status",
              "primary_category"),
        # the director's sign-off queue
        Index("ix_cases_tenant_director_status_id", "tenant_id", "director_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    director_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # who signs it off
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    entry_date: Mapped[date]
    icu_admission_date: Mapped[date]
    icu_discharge_date: Mapped[date | None]
    age_band: Mapped[str] = mapped_column(String(20))
    sex: Mapped[str] = mapped_column(String(10))
    primary_category: Mapped[str] = mapped_column(String(40))
    organ_supports: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"code": "intubation", "role": "operator"}, ...]
    procedures: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str | None] = mapped_column(Text)  # 経過の要点; checked for identifiers
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.entered.value)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off_at: Mapped[datetime | None]

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    director: Mapped[User] = relationship(foreign_keys=[director_id])
    facility: Mapped[Facility] = relationship()
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])

    @property
    def status_label(self) -> str:
        return CASE_STATUS_LABELS[self.status]


class ReportStatus(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"    # 審査待ち
    returned = "returned"      # 差戻し: the trainee revises and submits again
    accepted = "accepted"      # 受理: counts towards the requirements, frozen


REPORT_STATUS_LABELS = {"draft": N_("下書き"), "submitted": N_("審査待ち"),
                        "returned": N_("差戻し"), "accepted": N_("受理")}


class CaseReport(TenantScoped, Base):
    """症例レポート: linked to one of the trainee's cases; its text lives in versions."""

    __tablename__ = "case_reports"
    __table_args__ = (
        Index("ix_case_reports_tenant_trainee_id", "tenant_id", "trainee_id", "id"),
        Index("ix_case_reports_tenant_director_status_id", "tenant_id", "director_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    director_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # one report per case: the unique index is the wall two simultaneous posts meet (0015)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True, unique=True)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.draft.value)
    current_version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    director: Mapped[User] = relationship(foreign_keys=[director_id])
    case: Mapped[Case] = relationship()
    versions: Mapped[list[CaseReportVersion]] = relationship(
        back_populates="report", order_by="CaseReportVersion.number")

    @property
    def status_label(self) -> str:
        return REPORT_STATUS_LABELS[self.status]


class CaseReportVersion(TenantScoped, Base):
    """One version of a report's text, never changed once submitted; the director's comment
    on it is kept with it, so the whole exchange can be read back."""

    __tablename__ = "case_report_versions"
    __table_args__ = (UniqueConstraint("report_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("case_reports.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]

    report: Mapped[CaseReport] = relationship(back_populates="versions")
