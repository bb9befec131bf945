"""Recruitment (専攻医募集), DOMAIN.md 3.2 and 5.1: programs, rounds and applications."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, TenantScoped
from portal.directory.models import Facility
from portal.i18n import N_

# What the applicant and the director see (recruitment_application_status, DOMAIN.md 5.2).
STATUS_LABELS = {
    "not_applied": N_("未応募"),
    "applied": N_("応募済"),
    "accepted": N_("採用"),
    "rejected": N_("不採用"),
    "undecided": N_("未設定"),
    "withdrawal_requested": N_("辞退申請中"),
    "withdrawn": N_("辞退済"),
    "enrolled": N_("研修中"),  # the program year began (training_record's daily enrolment)
}
# The director's choices (B-S13); 未設定 takes a decision back while selection is open.
DECISIONS = {"accepted": N_("採用"), "rejected": N_("不採用"), "applied": N_("未設定")}
TRACKS = {"program": N_("プログラム制"), "curriculum": N_("カリキュラム制（単位制）")}
# B-W06: who may choose the curriculum track.
CURRICULUM_GROUNDS = {
    "mandatory_service_or_regional": N_("義務年限を有する医科大学卒業生、地域医療従事者（地域枠医師等）"),
    "life_event_leave": N_("出産、育児、介護、療養等のライフイベントにより、休職・離職を選択する者"),
    "study_leave": N_("海外・国内留学する者"),
    "after_other_basic_specialty": N_("他科基本領域の専門研修を修了してから専門研修を開始・再開する者"),
    "clinician_scientist_course": N_("臨床研究医コースの者"),
    "other_approved": N_("その他、学会と機構が認めた合理的な理由のある場合"),
}


class RecruitmentProgram(TenantScoped, Base):
    """A training program taking applicants for the training that starts in `start_fiscal_year`."""

    __tablename__ = "recruitment_programs"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(40))  # one of BASIC_SPECIALTIES
    core_facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    director_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    capacity: Mapped[int]
    start_fiscal_year: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    core_facility: Mapped[Facility] = relationship(lazy="joined")
    director: Mapped[User] = relationship(lazy="joined")


class RecruitmentRound(TenantScoped, Base):
    """一次募集, 二次募集, ...: applications between opens_at and closes_at; the directors
    decide until decisions_close_at, when undecided applications become 未設定."""

    __tablename__ = "recruitment_rounds"
    __table_args__ = (UniqueConstraint("tenant_id", "start_fiscal_year", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    start_fiscal_year: Mapped[int]
    seq: Mapped[int]
    label: Mapped[str] = mapped_column(String(100))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    decisions_close_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]  # when the close-out ran (undecided -> 未設定)

    def accepts_applications(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.closes_at

    def accepts_decisions(self, now: datetime) -> bool:
        return self.closed_at is None and now < self.decisions_close_at


class RecruitmentApplication(TenantScoped, Base):
    """One application to one program in one round. `closed_at` is set when it can no longer
    change (不採用/未設定 after the round's close-out, 辞退済): a person has at most one open
    application per recruitment year (I-20), which a partial unique index also enforces."""

    __tablename__ = "recruitment_applications"
    __table_args__ = (
        Index("uq_recruitment_applications_one_open", "tenant_id", "applicant_id",
              "start_fiscal_year", unique=True,
              postgresql_where=text("closed_at IS NULL"), sqlite_where=text("closed_at IS NULL")),
        Index("ix_recruitment_applications_tenant_round_program_id", "tenant_id", "round_id",
              "program_id", "id"),
        Index("ix_recruitment_applications_tenant_status_id", "tenant_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("recruitment_programs.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("recruitment_rounds.id"), index=True)
    start_fiscal_year: Mapped[int]
    status: Mapped[str] = mapped_column(String(30), default="applied")
    track: Mapped[str] = mapped_column(String(20), default="program")
    curriculum_ground: Mapped[str | None] = mapped_column(String(40))
    applied_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    result_notified_at: Mapped[datetime | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    withdrawal_requested_at: Mapped[datetime | None]
    withdrawal_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_decided_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    program: Mapped[RecruitmentProgram] = relationship()
    round: Mapped[RecruitmentRound] = relationship()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def track_label(self) -> str:
        return TRACKS.get(self.track, "")


def as_list_rows(load) -> list:
    """Loader options for applications shown as list rows (`load` is joinedload, or
    contains_eager when the statement joins them itself): the applicant, program and round,
    not the facilities and directors a row does not show. Each joined table adds to
    PostgreSQL's planning: ten of them took 3.6 ms to plan against 0.5 ms to run."""
    App = RecruitmentApplication
    return [load(App.applicant).lazyload(User.facility),
            load(App.program).lazyload(RecruitmentProgram.core_facility),
            load(App.program).lazyload(RecruitmentProgram.director),
            load(App.round)]
