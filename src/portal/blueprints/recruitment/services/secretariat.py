"""The secretariat's rules for programs (DOMAIN.md B-R08, B-R09), the Japan-time and fiscal-year
helpers the rounds (services/rounds.py) use too, and the close-out job over every society. Services
flush, never commit; each change leaves an audit event."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timezone

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select

from portal import audit
from portal.accounts.models import BASIC_SPECIALTIES, Role, User
from portal.blueprints.recruitment.models import (
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
)
from portal.blueprints.recruitment.services import applicant as services
from portal.db import utcnow
from portal.directory.models import Facility
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.tenants.scoping import system_scope, tenant_scope
from portal.ui import JST, to_jst

# Seats taken: an accepted applicant keeps the seat until the director approves a withdrawal.
SEAT_STATES = ("accepted", "withdrawal_requested", "enrolled")


class AdminError(Refusal):
    """A refusal shown next to `field` (or above the form when None); nothing is changed."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message, status, field)


# --- time --------------------------------------------------------------------------------------

def jst_to_utc(value: datetime, end: bool = False) -> datetime:
    """A Japan-time minute from a datetime-local input, as UTC. A closing minute is inclusive
    (23:59 means up to 23:59:59), as for the renewal windows."""
    minute = value.replace(second=59, microsecond=999999) if end else value.replace(
        second=0, microsecond=0)
    return minute.replace(tzinfo=JST).astimezone(timezone.utc)


def to_input(value: datetime | None) -> datetime | None:
    """The stored UTC time as the naive Japan-time value a datetime-local input shows."""
    local = to_jst(value)
    return local.replace(tzinfo=None, second=0, microsecond=0) if local else None


def fiscal_year(value: datetime) -> int:
    """Japanese fiscal year (April to March) of a moment, in Japan time."""
    local = to_jst(value)
    return local.year if local.month >= 4 else local.year - 1


def training_starts(start_fiscal_year: int) -> datetime:
    """1 April of the start year, 00:00 Japan time (B-R09: the earliest training start)."""
    return datetime.combine(date(start_fiscal_year, 4, 1), time(0, 0), tzinfo=JST)


def minute_of(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(second=0, microsecond=0)


# --- programs ----------------------------------------------------------------------------------

@dataclass
class ProgramInput:
    name: str
    core_facility_id: int
    director_id: int
    specialty: str
    capacity: int
    start_fiscal_year: int
    active: bool


def facilities() -> list[Facility]:
    return list(db.session.scalars(select(Facility).order_by(Facility.name)))


def directors() -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role == Role.program_director.value, User.active.is_(True))
        .order_by(User.full_name_kana, User.full_name)))


def programs() -> list[RecruitmentProgram]:
    return list(db.session.scalars(select(RecruitmentProgram).order_by(
        RecruitmentProgram.start_fiscal_year.desc(), RecruitmentProgram.specialty,
        RecruitmentProgram.name)))


def get_program(program_id: int) -> RecruitmentProgram:
    program = db.session.get(RecruitmentProgram, program_id)
    if program is None:
        raise AdminError(N_("プログラムが見つかりません。"), status=404)
    return program


def seats_taken(program_id: int) -> int:
    return db.session.scalar(select(func.count(RecruitmentApplication.id)).where(
        RecruitmentApplication.program_id == program_id,
        RecruitmentApplication.status.in_(SEAT_STATES))) or 0


def seats_by_program() -> dict[int, int]:
    """Seats taken per program, in one query for the whole list."""
    return dict(db.session.execute(select(RecruitmentApplication.program_id, func.count())
                                   .where(RecruitmentApplication.status.in_(SEAT_STATES))
                                   .group_by(RecruitmentApplication.program_id)).all())


def has_applications(column, value: int) -> bool:
    return db.session.scalar(select(RecruitmentApplication.id).where(column == value)
                             .limit(1)) is not None


def _check_people(data: ProgramInput) -> None:
    if db.session.get(Facility, data.core_facility_id or 0) is None:  # another tenant's id too
        raise AdminError(N_("基幹施設を選択してください。"), "core_facility_id")
    director = db.session.get(User, data.director_id or 0)
    if director is None or director.role != Role.program_director.value or not director.active:
        raise AdminError(N_("統括責任者を選択してください。"), "director_id")
    if data.specialty not in BASIC_SPECIALTIES:
        raise AdminError(N_("基本領域を選択してください。"), "specialty")


def _check_program(data: ProgramInput, program: RecruitmentProgram | None, now: datetime) -> None:
    data.name = data.name.strip()
    _check_people(data)
    year_changed = program is None or program.start_fiscal_year != data.start_fiscal_year
    earliest = fiscal_year(now) + 1
    if year_changed and data.start_fiscal_year < earliest:
        raise AdminError(gettext("研修開始年度は%(year)d年度以降にしてください（研修開始は最短で翌年度4月からです）。",
                                 year=earliest), "start_fiscal_year")
    twin = db.session.scalar(select(RecruitmentProgram.id).where(
        RecruitmentProgram.start_fiscal_year == data.start_fiscal_year,
        RecruitmentProgram.name == data.name,
        RecruitmentProgram.id != (program.id if program else 0)).limit(1))
    if twin is not None:
        raise AdminError(gettext("%(year)d年度に同じ名称のプログラムが既にあります。",
                                 year=data.start_fiscal_year), "name")
    if program is None:
        return
    if ((data.specialty, data.start_fiscal_year) != (program.specialty, program.start_fiscal_year)
            and has_applications(RecruitmentApplication.program_id, program.id)):
        # B-R08: applicants chose a specialty and a year; they must not change under them.
        raise AdminError(N_("応募があるプログラムの基本領域・研修開始年度は変更できません。"), "specialty")
    taken = seats_taken(program.id)
    if data.capacity < taken:
        raise AdminError(gettext("定員は採用済みの人数（%(count)d名）より少なくできません。", count=taken),
                         "capacity")


def _summary(data: ProgramInput) -> str:
    return (f"{data.start_fiscal_year} {data.name} / {data.specialty} / facility {data.core_facility_id}"
            f" / director {data.director_id} / capacity {data.capacity} / active {data.active}")


def create_program(actor: User, data: ProgramInput, now: datetime | None = None) -> RecruitmentProgram:
    _check_program(data, None, now or utcnow())
    program = RecruitmentProgram(tenant_id=actor.tenant_id, **vars(data))
    db.session.add(program)
    db.session.flush()
    audit.record("recruitment_program_created", program, actor=actor, reason=_summary(data))
    return program


def describe_changes(row, data) -> str:
    return "; ".join(f"{f.name}: {getattr(row, f.name)} -> {getattr(data, f.name)}"
                     for f in fields(data) if getattr(row, f.name) != getattr(data, f.name))


def update_program(actor: User, program_id: int, data: ProgramInput,
                   now: datetime | None = None) -> RecruitmentProgram:
    program = get_program(program_id)
    _check_program(data, program, now or utcnow())
    changes = describe_changes(program, data)
    if not changes:
        return program
    for name, value in vars(data).items():
        setattr(program, name, value)
    db.session.flush()
    audit.record("recruitment_program_updated", program, actor=actor, reason=changes)
    return program


# --- close-out over every society (flask recruitment-close-rounds) -------------------------------

def close_rounds_everywhere(now: datetime | None = None) -> tuple[int, list[str]]:
    """Every society with a round whose selection period has ended: listing under
    system_scope, then each society in its own request context (rules, mail links), tenant
    scope and commit, as renewal-daily does. One society failing does not stop the others.
    Returns (rounds closed, slugs that failed)."""
    from portal.tenants.models import Tenant
    from portal.tenants.resolve import TenantRef, bind_tenant, primary_host

    now = now or utcnow()
    app = current_app._get_current_object()
    with system_scope(db.session):
        tenant_ids = sorted(set(db.session.scalars(select(RecruitmentRound.tenant_id).where(
            RecruitmentRound.closed_at.is_(None), RecruitmentRound.decisions_close_at <= now))))
        tenants = [db.session.get(Tenant, tid) for tid in tenant_ids]
        refs = [TenantRef(t.id, t.slug, t.name, primary_host(t, app.config["BASE_DOMAIN"]))
                for t in tenants if t is not None and t.is_active]
    db.session.rollback()
    closed, failed = 0, []
    for ref in refs:
        with app.test_request_context("/", base_url=f"http://{ref.primary_host}"):
            bind_tenant(ref)
            try:
                with tenant_scope(db.session, ref.id):
                    count = services.close_due_rounds(now)
                    db.session.commit()
                closed += count
            except Exception:
                db.session.rollback()
                current_app.logger.exception("recruitment close-out failed for %s", ref.slug)
                failed.append(ref.slug)
            finally:
                db.session.close()  # no row of this society stays in the next one's session
    return closed, failed
