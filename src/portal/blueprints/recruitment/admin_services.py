"""The secretariat's rules for programs and recruitment rounds (DOMAIN.md B-W02, B-R07, B-R09,
I-21, I-25), and the close-out job over every society. Services flush, never commit; each
change leaves an audit event."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timezone

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.blueprints.auth.models import BASIC_SPECIALTIES, Role, User
from portal.blueprints.facilities.models import Facility
from portal.blueprints.recruitment import services
from portal.blueprints.recruitment.models import (
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
)
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import N_
from portal.tenants.scoping import system_scope, tenant_scope
from portal.ui import JST, to_jst

# Seats taken: an accepted applicant keeps the seat until the director approves a withdrawal.
SEAT_STATES = ("accepted", "withdrawal_requested", "enrolled")
KANJI_NUMBERS = "一二三四五六七八九十"


class AdminError(Exception):
    """A refusal shown next to `field` (or above the form when None); nothing is changed."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


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


def _minute(value: datetime) -> datetime:
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


def _has_applications(column, value: int) -> bool:
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
            and _has_applications(RecruitmentApplication.program_id, program.id)):
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


def _diff(row, data) -> str:
    return "; ".join(f"{f.name}: {getattr(row, f.name)} -> {getattr(data, f.name)}"
                     for f in fields(data) if getattr(row, f.name) != getattr(data, f.name))


def update_program(actor: User, program_id: int, data: ProgramInput,
                   now: datetime | None = None) -> RecruitmentProgram:
    program = get_program(program_id)
    _check_program(data, program, now or utcnow())
    changes = _diff(program, data)
    if not changes:
        return program
    for name, value in vars(data).items():
        setattr(program, name, value)
    db.session.flush()
    audit.record("recruitment_program_updated", program, actor=actor, reason=changes)
    return program


# --- rounds ------------------------------------------------------------------------------------

@dataclass
class RoundInput:
    """Times in UTC (see jst_to_utc)."""

    start_fiscal_year: int
    seq: int
    label: str
    opens_at: datetime
    closes_at: datetime
    decisions_close_at: datetime


def rounds() -> list[RecruitmentRound]:
    return list(db.session.scalars(select(RecruitmentRound).order_by(
        RecruitmentRound.start_fiscal_year.desc(), RecruitmentRound.seq)))


def get_round(round_id: int) -> RecruitmentRound:
    round_ = db.session.get(RecruitmentRound, round_id)
    if round_ is None:
        raise AdminError(N_("募集回が見つかりません。"), status=404)
    return round_


def round_label(seq: int) -> str:
    """一次募集, 二次募集, ... (the seed's words) as the suggested name of round `seq`."""
    return f"{KANJI_NUMBERS[seq - 1]}次募集" if 1 <= seq <= len(KANJI_NUMBERS) else f"{seq}次募集"


def suggested_round(now: datetime) -> dict:
    """A new round's defaults: next year's recruitment, the seq after the last one."""
    year = fiscal_year(now) + 1
    last = db.session.scalar(select(func.max(RecruitmentRound.seq)).where(
        RecruitmentRound.start_fiscal_year == year)) or 0
    return {"start_fiscal_year": year, "seq": last + 1, "label": round_label(last + 1)}


def is_locked(round_: RecruitmentRound, now: datetime) -> bool:
    """Once a round has opened (or holds applications) only its closing times may be extended."""
    return round_.opens_at <= now or _has_applications(RecruitmentApplication.round_id, round_.id)


def locked_ids(rounds_: list[RecruitmentRound], now: datetime) -> set[int]:
    """is_locked for a whole list, in one query."""
    if not rounds_:
        return set()
    used = set(db.session.scalars(select(RecruitmentApplication.round_id).distinct().where(
        RecruitmentApplication.round_id.in_([r.id for r in rounds_]))))
    return {r.id for r in rounds_ if r.opens_at <= now or r.id in used}


def _check_times(data: RoundInput) -> None:
    if _minute(data.closes_at) <= _minute(data.opens_at):  # as entered: minutes
        raise AdminError(N_("応募締切は応募開始より後の日時にしてください。"), "closes_at")
    if data.decisions_close_at < data.closes_at:
        raise AdminError(N_("選考結果登録締切は応募締切と同じか、それより後の日時にしてください。"),
                         "decisions_close_at")
    opened_in = fiscal_year(data.opens_at)
    if data.start_fiscal_year <= opened_in:  # I-25 / B-R09
        raise AdminError(gettext("研修開始年度は、応募開始日の年度（%(year)d年度）より後の年度にしてください。"
                                 "研修開始は最短で翌年度4月からです。", year=opened_in),
                         "start_fiscal_year")
    if data.decisions_close_at >= training_starts(data.start_fiscal_year):
        raise AdminError(gettext("選考結果登録締切は研修開始（%(year)d年4月1日）より前の日時にしてください。",
                                 year=data.start_fiscal_year), "decisions_close_at")


def _check_neighbours(data: RoundInput, round_id: int | None) -> None:
    """Rounds of a year follow each other: seq order is time order, and a round opens only
    after the previous one's selection closed (its 不採用/未設定 applicants are 未応募 again
    and may apply, B-R12)."""
    others = [r for r in services.rounds_of(data.start_fiscal_year) if r.id != round_id]
    for other in others:
        if other.seq == data.seq:
            raise AdminError(gettext("%(year)d年度の第%(seq)d回は既に登録されています（%(label)s）。",
                                     year=data.start_fiscal_year, seq=data.seq, label=other.label),
                             "seq")
        earlier = other.seq < data.seq
        if (other.opens_at < data.opens_at) != earlier:
            raise AdminError(gettext("回の順序と期間の順序が合っていません。第%(seq)d回（%(label)s）との"
                                     "前後関係を確認してください。", seq=other.seq, label=other.label),
                             "opens_at")
        apart = (other.decisions_close_at < data.opens_at if earlier
                 else data.decisions_close_at < other.opens_at)
        if not apart:
            raise AdminError(gettext("第%(seq)d回（%(label)s）と期間（応募開始〜選考結果登録締切）が重なっています。"
                                     "次の回の応募開始は、前の回の選考結果登録締切より後にしてください。",
                                     seq=other.seq, label=other.label), "opens_at")


def _check_locked(round_: RecruitmentRound, data: RoundInput) -> None:
    if round_.closed_at is not None:
        raise AdminError(N_("締切処理が済んだ募集回は変更できません。"))
    if ((data.start_fiscal_year, data.seq, _minute(data.opens_at))
            != (round_.start_fiscal_year, round_.seq, _minute(round_.opens_at))):
        raise AdminError(N_("応募開始後の募集回は、研修開始年度・回・応募開始日時を変更できません。"
                            "締切日時の延長のみ可能です。"), "opens_at")
    if data.closes_at < round_.closes_at or data.decisions_close_at < round_.decisions_close_at:
        raise AdminError(N_("応募開始後の募集回の締切日時は延長のみ可能です（早めることはできません）。"),
                         "closes_at")


def _keep_same_minutes(round_: RecruitmentRound, data: RoundInput) -> None:
    """The form shows minutes: a time submitted unchanged keeps the stored value exactly."""
    for name in ("opens_at", "closes_at", "decisions_close_at"):
        if _minute(getattr(data, name)) == _minute(getattr(round_, name)):
            setattr(data, name, getattr(round_, name))


def _round_summary(data: RoundInput) -> str:
    return (f"{data.start_fiscal_year}-{data.seq} {data.label}: {data.opens_at.isoformat()} / "
            f"{data.closes_at.isoformat()} / {data.decisions_close_at.isoformat()}")


def _save_round(round_: RecruitmentRound) -> None:
    try:
        with db.session.begin_nested():  # two secretaries adding the same seq at once
            db.session.add(round_)
            db.session.flush()
    except IntegrityError:
        raise AdminError(N_("この年度の同じ回が既に登録されています。"), "seq") from None


def create_round(actor: User, data: RoundInput, now: datetime | None = None) -> RecruitmentRound:
    now = now or utcnow()
    data.label = data.label.strip()
    _check_times(data)
    if data.closes_at <= now:
        raise AdminError(N_("応募締切が過去の日時です。"), "closes_at")
    _check_neighbours(data, None)
    round_ = RecruitmentRound(tenant_id=actor.tenant_id, **vars(data))
    _save_round(round_)
    audit.record("recruitment_round_created", round_, actor=actor, reason=_round_summary(data))
    return round_


def update_round(actor: User, round_id: int, data: RoundInput,
                 now: datetime | None = None) -> RecruitmentRound:
    now = now or utcnow()
    services.close_due_rounds(now)  # a round whose selection just ended is closed, not extended
    round_ = get_round(round_id)
    data.label = data.label.strip()
    _keep_same_minutes(round_, data)
    if is_locked(round_, now):
        _check_locked(round_, data)
    elif data.closes_at <= now:
        raise AdminError(N_("応募締切が過去の日時です。"), "closes_at")
    _check_times(data)
    _check_neighbours(data, round_.id)
    changes = _diff(round_, data)
    if not changes:
        return round_
    for name, value in vars(data).items():
        setattr(round_, name, value)
    _save_round(round_)
    audit.record("recruitment_round_updated", round_, actor=actor, reason=changes)
    return round_


def delete_round(actor: User, round_id: int, now: datetime | None = None) -> None:
    round_ = get_round(round_id)
    if is_locked(round_, now or utcnow()):
        raise AdminError(N_("応募開始後の募集回、または応募がある募集回は削除できません。"), status=409)
    audit.record("recruitment_round_deleted", round_, actor=actor, reason=_round_summary(round_))
    db.session.delete(round_)
    db.session.flush()


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
