"""Rules of the recruitment (DOMAIN.md B-W02, B-R07, B-R12..B-R15, I-20..I-23).
Services flush, never commit; the request commits once. Every transition is a guarded UPDATE
(the row moves only from the state it was read in) and leaves an audit event."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import g
from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal import audit
from portal.accounts import licences
from portal.accounts.models import User
from portal.blueprints.recruitment.models import (
    CURRICULUM_GROUNDS,
    STATUS_LABELS,
    TRACKS,
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
)
from portal.blueprints.recruitment.services.transitions import (  # noqa: F401 (used as services.X)
    CLOSED_OUT_STATUSES,
    STALE,
    RecruitmentError,
    close_due_rounds,
    director_scope,
    move,
    open_withdrawal_task,
    sync_decision_task,
)
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.urls import external_url

# The seed's words (002): after the last round nothing changes, with no exceptions.
ALL_ROUNDS_ENDED = N_("全専攻医募集期間が終了しました。応募・プログラム変更・領域変更につきましては、"
                      "一切受け付けることができません。")
OUTSIDE_ROUND = N_("現在は専攻医募集期間外です。")
NO_ROUNDS = N_("現在、専攻医募集は行われていません。")
ALREADY_APPLIED = N_("既に応募中のプログラムがあります。応募できるプログラムは1つです。"
                     "応募先を変更する場合は「プログラム変更」を行ってください。")
ALREADY_ACCEPTED = N_("採用が決定しています。別のプログラムに応募される場合は、"
                      "先に採用辞退の手続きを行い、統括責任者の承認を受けてください。")
WITHDRAWAL_PENDING = N_("採用辞退の申請中です。統括責任者が辞退を承認するまで、"
                        "新たな応募はできません。")
LICENSE_MISSING = N_("応募の前に、医師免許証の画像をアップロードしてください。")


# --- rounds ------------------------------------------------------------------------------------

def rounds_of(year: int) -> list[RecruitmentRound]:
    return list(db.session.scalars(select(RecruitmentRound).where(
        RecruitmentRound.start_fiscal_year == year).order_by(RecruitmentRound.seq)))


def current_year(now: datetime) -> int | None:
    """The recruitment under way: the earliest start year with a round still to close for
    applications; once every round has closed, the latest year (so the page can say so)."""
    upcoming = db.session.scalar(select(RecruitmentRound.start_fiscal_year).where(
        RecruitmentRound.closes_at >= now).order_by(RecruitmentRound.start_fiscal_year).limit(1))
    if upcoming is not None:
        return upcoming
    return db.session.scalar(select(RecruitmentRound.start_fiscal_year)
                             .order_by(RecruitmentRound.start_fiscal_year.desc()).limit(1))


@dataclass
class Calendar:
    """Where a recruitment year stands at `now`."""

    year: int | None
    rounds: list[RecruitmentRound]
    now: datetime

    @property
    def open_round(self) -> RecruitmentRound | None:
        return next((r for r in self.rounds if r.accepts_applications(self.now)), None)

    @property
    def next_round(self) -> RecruitmentRound | None:
        return next((r for r in self.rounds if r.opens_at > self.now), None)

    @property
    def all_ended(self) -> bool:
        return bool(self.rounds) and all(r.closes_at < self.now for r in self.rounds)

    def closed_reason(self) -> str | None:
        """Why nobody can apply now (None while a round is open)."""
        if self.open_round is not None:
            return None
        if not self.rounds:
            return NO_ROUNDS
        return ALL_ROUNDS_ENDED if self.all_ended else OUTSIDE_ROUND


def calendar(now: datetime, year: int | None = None) -> Calendar:
    year = year if year is not None else current_year(now)
    return Calendar(year, rounds_of(year) if year is not None else [], now)


# --- the applicant's side ------------------------------------------------------------------------

def open_application(applicant: User, year: int,
                     now: datetime | None = None) -> RecruitmentApplication | None:
    """The applicant's open application for the year. Read as of `now`: one that the
    close-out of a round past its 選考結果登録締切 would close (応募済, 不採用) counts as closed
    already, so pages show the right state without writing on GET (SECURITY.md 21); the
    close-out itself runs from cron and before every POST that depends on it."""
    now = now or utcnow()
    return db.session.scalar(select(RecruitmentApplication).join(RecruitmentApplication.round).where(
        RecruitmentApplication.applicant_id == applicant.id,
        RecruitmentApplication.start_fiscal_year == year,
        RecruitmentApplication.closed_at.is_(None),
        or_(RecruitmentApplication.status.not_in(CLOSED_OUT_STATUSES),
            RecruitmentRound.decisions_close_at > now))
        .options(joinedload(RecruitmentApplication.program),
                 joinedload(RecruitmentApplication.round)))


def applications_of(applicant: User) -> list[RecruitmentApplication]:
    return list(db.session.scalars(select(RecruitmentApplication).where(
        RecruitmentApplication.applicant_id == applicant.id)
        .options(joinedload(RecruitmentApplication.program),
                 joinedload(RecruitmentApplication.round))
        .order_by(RecruitmentApplication.id.desc())))


@dataclass
class ApplicantScreen:
    """採否結果 (B-S05) and what the applicant may do next, each refusal with its reason."""

    calendar: Calendar
    application: RecruitmentApplication | None  # the open one, if any
    history: list[RecruitmentApplication] = field(default_factory=list)
    licence_ok: bool = True

    @property
    def status(self) -> str:
        return self.application.status if self.application else "not_applied"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def apply_block(self) -> str | None:
        if self.application is not None:
            return {"applied": ALREADY_APPLIED, "accepted": ALREADY_ACCEPTED,
                    "withdrawal_requested": WITHDRAWAL_PENDING}.get(self.status, ALREADY_APPLIED)
        if not self.licence_ok:
            return LICENSE_MISSING
        return self.calendar.closed_reason()

    @property
    def change_block(self) -> str | None:
        """Program change: only before the director decides, only while the round is open."""
        if self.application is None or self.status != "applied":
            return N_("応募中（結果未登録）のプログラムがある場合のみ変更できます。")
        round_ = self.application.round
        if not round_.accepts_applications(self.calendar.now):
            return self.calendar.closed_reason() or OUTSIDE_ROUND
        return None

    @property
    def can_withdraw(self) -> bool:
        return self.status == "accepted"


def applicant_screen(applicant: User, now: datetime | None = None,
                     licence_on_file: bool | None = None) -> ApplicantScreen:
    """`licence_on_file`: given when the page has read the licence anyway (else read here)."""
    now = now or utcnow()
    cal = calendar(now)
    current = open_application(applicant, cal.year, now) if cal.year is not None else None
    return ApplicantScreen(cal, current, applications_of(applicant),
                           _licence_ok(applicant, licence_on_file))


def _licence_ok(applicant: User, on_file: bool | None = None) -> bool:
    if not g.rules.recruitment.licence_required_to_apply:
        return True
    return licences.has_license(applicant) if on_file is None else on_file


def programs_open_to_apply(now: datetime) -> tuple[Calendar, list[RecruitmentProgram]]:
    cal = calendar(now)
    if cal.year is None:
        return cal, []
    programs = db.session.scalars(select(RecruitmentProgram).where(
        RecruitmentProgram.start_fiscal_year == cal.year, RecruitmentProgram.active.is_(True))
        .order_by(RecruitmentProgram.specialty, RecruitmentProgram.name))
    return cal, list(programs)


def get_program(program_id: int) -> RecruitmentProgram:
    program = db.session.get(RecruitmentProgram, program_id)
    if program is None or not program.active:
        raise RecruitmentError(N_("プログラムが見つかりません。"), 404)
    return program


def check_track(track: str, ground: str | None) -> str | None:
    if track not in TRACKS:
        raise RecruitmentError(N_("研修制度を選択してください。"), 400)
    if track == "program":
        return None
    if ground not in CURRICULUM_GROUNDS:
        raise RecruitmentError(N_("カリキュラム制を選択する場合は、該当する理由を選択してください。"), 400)
    return ground


def check_can_apply(applicant: User, program: RecruitmentProgram,
                    now: datetime) -> RecruitmentRound:
    """Everything apply checks, without changing anything (the confirm screen calls it too)."""
    cal = calendar(now, program.start_fiscal_year)
    screen = ApplicantScreen(cal, open_application(applicant, program.start_fiscal_year, now),
                             licence_ok=_licence_ok(applicant))
    if screen.apply_block:
        raise RecruitmentError(screen.apply_block)
    return cal.open_round


def apply(applicant: User, program_id: int, track: str, ground: str | None,
          now: datetime | None = None) -> RecruitmentApplication:
    """未応募 -> 応募済 (B-W02). One open application per person and year (I-20, I-21)."""
    now = now or utcnow()
    program = get_program(program_id)
    ground = check_track(track, ground)
    close_due_rounds(now)  # the application a due round still holds open must not block this one
    round_ = check_can_apply(applicant, program, now)
    application = RecruitmentApplication(
        tenant_id=applicant.tenant_id, applicant_id=applicant.id, program=program, round=round_,
        start_fiscal_year=program.start_fiscal_year, status="applied", track=track,
        curriculum_ground=ground, applied_at=now)
    try:
        with db.session.begin_nested():  # a double submit meets the partial unique index
            db.session.add(application)
    except IntegrityError:
        raise RecruitmentError(ALREADY_APPLIED) from None
    sync_decision_task(program.director, round_)
    audit.record("recruitment_applied", application, actor=applicant, from_state="not_applied",
                 to_state="applied", reason=program.name)
    queue_mail("recruitment_applied", applicant.email, applicant=applicant, program=program,
               round=round_, link=external_url("recruitment.index"))
    return application


def _own_open(applicant: User, application_id: int) -> RecruitmentApplication:
    application = db.session.get(RecruitmentApplication, application_id)
    if application is None or application.applicant_id != applicant.id:
        raise RecruitmentError(N_("応募が見つかりません。"), 404)
    return application


def change_program(applicant: User, application_id: int, program_id: int,
                   now: datetime | None = None) -> RecruitmentApplication:
    """プログラム変更 while the round is open and the director has not decided (B-R07)."""
    now = now or utcnow()
    application = _own_open(applicant, application_id)
    program = get_program(program_id)
    close_due_rounds(now)
    screen = ApplicantScreen(calendar(now, application.start_fiscal_year), application)
    if application.closed_at is not None or screen.change_block:
        raise RecruitmentError(screen.change_block or STALE)
    if program.start_fiscal_year != application.start_fiscal_year:
        raise RecruitmentError(N_("このプログラムには変更できません。"), 400)
    if program.id == application.program_id:
        raise RecruitmentError(N_("現在応募中のプログラムと同じです。"), 400)
    before, before_director = application.program.name, application.program.director
    move(application, ("applied",), program_id=program.id)
    sync_decision_task(before_director, application.round)  # the new program's director decides
    sync_decision_task(program.director, application.round)
    audit.record("recruitment_program_changed", application, actor=applicant,
                 from_state="applied", to_state="applied", reason=f"{before} -> {program.name}")
    return application


def request_withdrawal(applicant: User, application_id: int, reason: str,
                       now: datetime | None = None) -> RecruitmentApplication:
    """採用 -> 辞退申請中 with a reason the director will read (B-R13, B-R14, I-23)."""
    reason = (reason or "").strip()
    limit = g.rules.recruitment.withdrawal_reason_max_length
    if not reason:
        raise RecruitmentError(N_("辞退理由を入力してください。"), 400)
    if len(reason) > limit:
        raise RecruitmentError(gettext("辞退理由は%(limit)d文字以内で入力してください。", limit=limit), 400)
    application = _own_open(applicant, application_id)
    if application.status != "accepted":
        raise RecruitmentError(N_("採用が決定している応募のみ辞退できます。"))
    move(application, ("accepted",), status="withdrawal_requested", withdrawal_reason=reason,
          withdrawal_requested_at=now or utcnow())
    audit.record("recruitment_withdrawal_requested", application, actor=applicant,
                 from_state="accepted", to_state="withdrawal_requested", reason=reason)
    director = application.program.director
    open_withdrawal_task(application)
    queue_mail("recruitment_withdrawal_requested", director.email, director=director,
               application=application, link=external_url("recruitment.director_applicants"))
    return application


# --- the top page --------------------------------------------------------------------------------

@dataclass
class TopCounts:
    """The director's and the secretariat's to-do on the top page (capped counts)."""

    undecided: int
    withdrawals: int


def top_counts(actor: User, now: datetime | None = None) -> TopCounts:
    now = now or utcnow()

    def capped(*where) -> int:
        inner = select(RecruitmentApplication.id).where(director_scope(actor), *where).limit(1000)
        return db.session.scalar(select(func.count()).select_from(inner.subquery())) or 0

    return TopCounts(
        undecided=capped(RecruitmentApplication.status == "applied",
                         RecruitmentApplication.closed_at.is_(None)),
        withdrawals=capped(RecruitmentApplication.status == "withdrawal_requested"))

