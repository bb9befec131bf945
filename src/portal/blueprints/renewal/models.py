"""Facility certification renewal (更新申請), DOMAIN.md 3.3 and 5.1."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import g
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, TenantScoped
from portal.directory.models import Facility
from portal.i18n import N_
from portal.storage import StoredFile

FACILITY_TYPES = {"core": N_("基幹施設"), "affiliated": N_("連携施設")}
QUALIFICATIONS = {"certified_physician": N_("認定医"), "specialist": N_("専門医"),
                  "supervisor": N_("指導医")}
# Q22: 様式1's member numbers checked against the roster; one it does not hold is flagged for
# the secretariat instead of refused (unverified -> confirmed by the secretariat).
ROSTER_LABELS = {"unverified": N_("名簿未確認"), "confirmed": N_("事務局確認済み")}
STATUS_LABELS = {
    "draft": N_("未申請"),
    "submitted": N_("申請済み"),
    "correction_requested": N_("修正依頼中"),
    "passed": N_("合格"),
    "failed": N_("不合格"),
    "certified": N_("認定"),
    "lapsed": N_("失効"),
}
# Q21: what the secretariat records, and what the daily job does on the dates that follow.
DECIDED = ("passed", "failed", "certified")
FORM_CODES = ("application_form", "overview_form")
FORM_STATUS_LABELS = {"registered": N_("登録済み"), "unregistered": N_("未登録")}
FORM_LABELS = {"application_form": N_("1.申請書"), "overview_form": N_("2.概要書")}
# The application's history as people read it (履歴): every event the renewal records on an
# application, by code; tests/renewal/test_history_labels.py keeps this list complete.
EVENT_LABELS = {
    "renewal_started": N_("申請を開始"),
    "application_form_registered": N_("「1.申請書」を保存（登録済み）"),
    "application_form_unregistered": N_("「1.申請書」を保存（未登録）"),
    "overview_form_registered": N_("「2.概要書」を保存（登録済み）"),
    "overview_form_unregistered": N_("「2.概要書」を保存（未登録）"),
    "renewal_scan_uploaded": N_("公印付きの申請書・在籍証明書をアップロード"),
    "renewal_submitted": N_("更新申請"),
    "renewal_correction_requested": N_("修正依頼"),
    "renewal_passed": N_("合格"),
    "renewal_certification_start_set": N_("認定開始日を登録"),
    "renewal_roster_confirmed": N_("名簿未確認の会員番号を事務局が確認"),
    "renewal_failed": N_("不合格"),
    "renewal_certified": N_("認定（認定開始日）"),
    "renewal_lapsed": N_("失効（申請期間内に未申請）"),
}
AFFILIATION_LABELS = {"pending_certification": N_("認定開始日待ち"), "notified": N_("未確認"),
                      "acknowledged": N_("確認済み")}


class SocietyMember(TenantScoped, Base):
    """The society's member roster (synced from its member system): who holds certification."""

    __tablename__ = "society_members"
    __table_args__ = (UniqueConstraint("tenant_id", "member_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_number: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    certified: Mapped[bool] = mapped_column(default=False)
    # 資格 (QUALIFICATIONS) and its period, when the roster has them (C-R16, Q22)
    qualification: Mapped[str | None] = mapped_column(String(20))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to)


class FacilityCertification(TenantScoped, Base):
    """A facility's current certification: 認定番号, 基幹施設/連携施設, period."""

    __tablename__ = "facility_certifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    certification_number: Mapped[str] = mapped_column(String(40))
    facility_type: Mapped[str] = mapped_column(String(20))  # core | affiliated
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]

    facility: Mapped[Facility] = relationship()

    @property
    def type_label(self) -> str:
        return FACILITY_TYPES[self.facility_type]


class RenewalWindow(TenantScoped, Base):
    """申請期間, e.g. 2月1日 0:00 から 2月28日 23:59 JST; stored in UTC."""

    __tablename__ = "renewal_windows"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.closes_at


class RenewalApplication(TenantScoped, Base):
    __tablename__ = "renewal_applications"
    __table_args__ = (
        UniqueConstraint("tenant_id", "facility_id", "window_id"),  # I-40
        Index("ix_renewal_applications_tenant_status_id", "tenant_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("renewal_windows.id"), index=True)
    facility_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), default="draft")
    revision: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    certification_start_date: Mapped[date | None]  # 認定開始日, recorded with 合格
    failure_reason: Mapped[str | None] = mapped_column(Text)  # 不合格の理由
    core_facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    sealed_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    roster_status: Mapped[str | None] = mapped_column(String(20))  # ROSTER_LABELS, None: all found
    roster_unverified: Mapped[list[str] | None] = mapped_column(JSON)  # the numbers not found

    facility: Mapped[Facility] = relationship(foreign_keys=[facility_id])
    core_facility: Mapped[Facility | None] = relationship(foreign_keys=[core_facility_id])
    window: Mapped[RenewalWindow] = relationship()
    sealed_file: Mapped[StoredFile | None] = relationship()
    forms: Mapped[list[RenewalForm]] = relationship(back_populates="application",
                                                     order_by="RenewalForm.id")
    physicians: Mapped[list[RenewalPhysician]] = relationship(order_by="RenewalPhysician.id")
    corrections: Mapped[list[RenewalCorrection]] = relationship(order_by="RenewalCorrection.id")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def type_label(self) -> str:
        return FACILITY_TYPES[self.facility_type]

    @property
    def pending_revision(self) -> int:
        """The version being prepared: after a correction request, the next one."""
        return self.revision + 1 if self.status == "correction_requested" else self.revision

    @property
    def document_number(self) -> str:
        """<the society's prefix>-<id>-r<version> (rules.toml [renewal] document_prefix)."""
        return g.rules.document_number(self.id, self.pending_revision)

    def form(self, code: str) -> RenewalForm | None:
        return next((f for f in self.forms if f.form_code == code), None)

    def registered(self, code: str) -> bool:
        form = self.form(code)
        return form is not None and form.registered


class RenewalForm(TenantScoped, Base):
    """「1.申請書」 or 「2.概要書」: the draft as entered, and whether it is 登録済み."""

    __tablename__ = "renewal_forms"
    __table_args__ = (UniqueConstraint("application_id", "form_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("renewal_applications.id"))
    form_code: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    registered: Mapped[bool] = mapped_column(default=False)

    application: Mapped[RenewalApplication] = relationship(back_populates="forms")


class RenewalPhysician(TenantScoped, Base):
    """The 指導医 listed in Form 1 (常勤 = full_time); the society names them (services/wording.py)."""

    __tablename__ = "renewal_physicians"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("renewal_applications.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    member_number: Mapped[str] = mapped_column(String(30))
    full_time: Mapped[bool] = mapped_column(default=False)


class RenewalCorrection(TenantScoped, Base):
    """修正依頼 from the secretariat; resolved when the facility presses 更新申請 again."""

    __tablename__ = "renewal_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("renewal_applications.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]

    requested_by: Mapped[User] = relationship()


class FacilityAffiliation(TenantScoped, Base):
    """An affiliated facility's link to its core facility, announced on notify_on
    (= the certification start date, I-46). pending_certification -> notified -> acknowledged
    (Q20: the core facility acknowledges it; there is no rejection)."""

    __tablename__ = "facility_affiliations"
    __table_args__ = (UniqueConstraint("tenant_id", "application_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    affiliated_facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    core_facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("renewal_applications.id"))
    notify_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(30), default="pending_certification")
    notified_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    affiliated_facility: Mapped[Facility] = relationship(foreign_keys=[affiliated_facility_id])
    core_facility: Mapped[Facility] = relationship(foreign_keys=[core_facility_id])
