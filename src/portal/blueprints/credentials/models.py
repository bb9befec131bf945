from __future__ import annotations

import enum
from datetime import date, datetime

from flask import g
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, TenantScoped
from portal.directory.models import Facility
from portal.i18n import N_
from portal.storage import StoredFile


class ReviewStatus(str, enum.Enum):
    not_submitted = "not_submitted"
    pending_review = "pending_review"
    approved = "approved"
    returned = "returned"
    replacement_requested = "replacement_requested"


REVIEW_LABELS = {
    "not_submitted": N_("未申請"),
    "pending_review": N_("審査待ち"),
    "approved": N_("承認済"),
    "returned": N_("差戻し"),
    "replacement_requested": N_("再提出依頼"),
}

# A-W03's documents; a society may name one its own way ([terminology] "credentials.document.<code>",
# e.g. with the body that issues it), see document_type_label().
DOCUMENT_TYPES = {
    "specialist_certificate": N_("専門医認定証"),
    "certified_physician_certificate": N_("認定医認定証（内科のみ）"),
    "jmsb_completion_certificate": N_("専門研修修了認定証"),
    "society_completion_certificate": N_("研修プログラム修了証明書（基本領域学会提出分・暫定）"),
}
PROVISIONAL_TYPES = frozenset({"society_completion_certificate"})


class TrainingStartApplication(TenantScoped, Base):
    """研修開始申請. The 2023-04-01 and 2024-04-01 cohorts were migrated as approved."""

    __tablename__ = "training_start_applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    program_director_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    training_start_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.not_submitted.value)
    origin: Mapped[str] = mapped_column(String(20), default="normal")  # normal | migrated_cohort
    reviewed_at: Mapped[datetime | None]

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    program_director: Mapped[User] = relationship(foreign_keys=[program_director_id])
    facility: Mapped[Facility] = relationship()

    @property
    def status_label(self) -> str:
        return REVIEW_LABELS[self.status]


class Credential(TenantScoped, Base):
    """One submission of a credential; the trainee's latest row is their current status."""

    __tablename__ = "credentials"
    __table_args__ = (
        Index("ix_credentials_tenant_status_submitted", "tenant_id", "status", "submitted_at"),
        Index("ix_credentials_tenant_trainee", "tenant_id", "trainee_id", "id"),
        # the review queues: keyset pages in id order, and counts capped at 1,000
        Index("ix_credentials_tenant_status_id", "tenant_id", "status", "id"),
        Index("ix_credentials_tenant_facility_status_id", "tenant_id", "facility_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    training_start_application_id: Mapped[int] = mapped_column(
        ForeignKey("training_start_applications.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    document_type: Mapped[str] = mapped_column(String(40))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    status: Mapped[str] = mapped_column(String(30))
    is_provisional: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id"))

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    application: Mapped[TrainingStartApplication] = relationship()
    file: Mapped[StoredFile] = relationship()

    @property
    def status_label(self) -> str:
        return REVIEW_LABELS[self.status]

    @property
    def document_label(self) -> str:
        return document_type_label(self.document_type)


def document_type_label(code: str) -> str:
    """The msgid naming a document type: the society's wording if it has one, else ours."""
    default = DOCUMENT_TYPES.get(code, code)
    rules = g.get("rules")
    return rules.term(f"credentials.document.{code}", default) if rules else default


class Enrollment(TenantScoped, Base):
    """在籍: created when the credential is approved; fills the 在籍状況 panel."""

    __tablename__ = "enrollments"
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    program_director_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id"))
    from_date: Mapped[date]
    to_date: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(30), default="credential_approval")
    # rules.training.rotations' code; None (rows from before 0013): the society's first one
    rotation: Mapped[str | None] = mapped_column(String(40))

    facility: Mapped[Facility] = relationship()
    program_director: Mapped[User] = relationship(foreign_keys=[program_director_id])


PERIOD_KINDS = {"facility_change": N_("所属研修施設変更"), "suspension": N_("休止")}


class PeriodChange(TenantScoped, Base):
    """所属研修施設変更 or 休止, requested by the trainee and approved by a program director
    (the new facility's for a change, the current one's for a 休止) or the secretariat. Rows
    are never deleted: with the enrollments they are the trainee's history."""

    __tablename__ = "period_changes"
    __table_args__ = (
        Index("ix_period_changes_tenant_trainee_id", "tenant_id", "trainee_id", "id"),
        Index("ix_period_changes_tenant_status_id", "tenant_id", "status", "id"),
        Index("ix_period_changes_tenant_approver_status_id", "tenant_id", "approver_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))  # facility_change | suspension
    # a change: the new facility and director; a 休止: the current ones (who approve it)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"))  # current at 申請
    rotation: Mapped[str | None] = mapped_column(String(40))  # a change only
    start_date: Mapped[date]
    end_date: Mapped[date | None]  # a 休止's last day (inclusive)
    reason_code: Mapped[str | None] = mapped_column(String(40))  # rules.training.suspension_reasons
    reason_detail: Mapped[str | None] = mapped_column(Text)  # その他's own words
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.pending_review.value)
    submitted_at: Mapped[datetime]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    approver: Mapped[User] = relationship(foreign_keys=[approver_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    facility: Mapped[Facility] = relationship()

    @property
    def status_label(self) -> str:
        return REVIEW_LABELS[self.status]

    @property
    def kind_label(self) -> str:
        return PERIOD_KINDS[self.kind]
