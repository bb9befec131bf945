"""在籍 and 研修実績 (DOMAIN.md 5.1 TraineeProfile/TrainingRecord, B-W04 to B-W07): the enrolment
an accepted application becomes, the trainee's periods at facilities and interruptions, and
the history of track changes."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, TenantScoped
from portal.directory.models import Facility
from portal.i18n import N_

RECORD_TYPES = {"facility_period": N_("研修施設"), "interruption": N_("中断")}
# 研修状況 (DOMAIN.md 3.2.2 field table, Q14): a facility period is 研修 or 休止; an interruption 中断.
TRAINING_STATUSES = {"training": N_("研修"), "suspension": N_("休止"), "interruption": N_("中断")}
INTERRUPTION_REASONS = {
    "pregnancy_childbirth_childcare": N_("妊娠・出産・育児"), "illness_treatment": N_("病気療養"),
    "caregiving": N_("介護"), "study_or_work_abroad": N_("海外への留学や勤務"),
    "leave_of_absence": N_("休職・離職"), "other": N_("その他"),
}
# 特定の理由 (B-R26, seed: 海外への留学や勤務、妊娠・出産・育児、病気療養、介護、管理職、災害被災など)
QUALIFYING_REASONS = {
    "study_or_work_abroad": N_("海外への留学や勤務"),
    "pregnancy_childbirth_childcare": N_("妊娠・出産・育児"), "illness_treatment": N_("病気療養"),
    "caregiving": N_("介護"), "management_position": N_("管理職"), "disaster_victim": N_("災害被災"),
    "other": N_("その他"),
}
TRACKS = {"program": N_("プログラム制"), "curriculum": N_("カリキュラム制（単位制）")}


class TraineeEnrollment(TenantScoped, Base):
    """在籍: one per accepted application (the unique key makes the daily enrolment safe to run
    twice or on two hosts). Delayed start (B-R25 to B-R27) and the current track (B-R30) are
    kept here; the secretariat owns them."""

    __tablename__ = "trainee_enrollments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "application_id"),
        Index("ix_trainee_enrollments_tenant_director_id", "tenant_id", "director_id", "id"),
        Index("ix_trainee_enrollments_tenant_trainee", "tenant_id", "trainee_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("recruitment_applications.id"))
    program_name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(40))
    cohort_fiscal_year: Mapped[int]
    director_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    track: Mapped[str] = mapped_column(String(20), default="program")
    track_effective_date: Mapped[date | None]
    planned_start_date: Mapped[date]
    actual_start_date: Mapped[date | None]
    delay_reason: Mapped[str | None] = mapped_column(String(40))
    delay_reason_detail: Mapped[str | None] = mapped_column(Text)
    delay_approved_at: Mapped[datetime | None]
    delay_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    society_notified_at: Mapped[datetime | None]
    needs_reapplication: Mapped[bool] = mapped_column(default=False)
    enrolled_at: Mapped[datetime]

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    director: Mapped[User] = relationship(foreign_keys=[director_id])
    facility: Mapped[Facility | None] = relationship()

    @property
    def training_start_date(self) -> date:
        """I-31/I-34: the date the first record starts on (the actual start once known)."""
        return self.actual_start_date or self.planned_start_date

    @property
    def track_label(self) -> str:
        return TRACKS.get(self.track, self.track)


class TrainingRecord(TenantScoped, Base):
    """A period at a facility or an interruption (B-R19). `end_date` None: still current."""

    __tablename__ = "training_records"
    __table_args__ = (Index("ix_training_records_tenant_trainee_start", "tenant_id", "trainee_id",
                            "start_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    record_type: Mapped[str] = mapped_column(String(20))
    training_status: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    interruption_reason: Mapped[str | None] = mapped_column(String(40))
    other_details: Mapped[str | None] = mapped_column(Text)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    facility_name_text: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual | data_linkage

    facility: Mapped[Facility | None] = relationship()

    @property
    def facility_label(self) -> str:
        return self.facility.name if self.facility else (self.facility_name_text or "")

    @property
    def type_label(self) -> str:
        return RECORD_TYPES[self.record_type]

    @property
    def status_label(self) -> str:
        return TRAINING_STATUSES[self.training_status]

    @property
    def reason_label(self) -> str:
        return INTERRUPTION_REASONS.get(self.interruption_reason or "", "")


class TrackChange(TenantScoped, Base):
    """プログラム制 ↔ カリキュラム制 (B-R28 to B-R30): recorded after the specialty society agreed."""

    __tablename__ = "training_track_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("trainee_enrollments.id"), index=True)
    from_track: Mapped[str] = mapped_column(String(20))
    to_track: Mapped[str] = mapped_column(String(20))
    effective_date: Mapped[date]
    ground: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class CeilingExemption(TenantScoped, Base):
    """シーリング対象外 (B-R24, B-W07): a person's, set by the secretariat from the prefecture
    council's certification (never self-declared), before selection as well as after; the
    recruitment rules leave such a person out of the ceiling's count."""

    __tablename__ = "ceiling_exemptions"
    __table_args__ = (UniqueConstraint("tenant_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    exempt: Mapped[bool] = mapped_column(default=False)
    certified_by: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime]
