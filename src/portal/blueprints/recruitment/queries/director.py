"""Read-only queries for the program director's screen (B-S13). Each one is a single
statement with its relations eager-loaded, so the page sends the same number of statements
whatever the number of applicants (DESIGN.md "Performance habits")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.blueprints.recruitment.models import (
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
    as_list_rows,
)
from portal.blueprints.recruitment.queries.secretariat import search
from portal.blueprints.recruitment.services.applicant import Calendar
from portal.blueprints.recruitment.services.selection import DECIDABLE
from portal.blueprints.recruitment.services.transitions import director_scope
from portal.db import inline
from portal.extensions import db
from portal.i18n import N_
from portal.paging import PAGE_SIZE, Page, keyset, page_of

# An acceptance still holds its place while the applicant's withdrawal waits for approval.
HOLDS_A_PLACE = ("accepted", "withdrawal_requested")
# The director's words for each state: 未設定 is both "not decided yet" and "closed undecided".
RESULT_LABELS = {
    "applied": N_("未設定（選考中）"),
    "accepted": N_("採用"),
    "rejected": N_("不採用"),
    "undecided": N_("未設定（選考終了）"),
    "withdrawal_requested": N_("辞退申請中"),
    "withdrawn": N_("辞退済"),
}
PERIOD_OVER = N_("選考期間が終了しているため、採否を変更できません。")
WITHDRAWAL_WAITING = N_("採用辞退の申請中です。「採用辞退の申請」で承認または却下してください。")
CLOSED = N_("この応募は締め切られているため、採否を変更できません。")


@dataclass
class ProgramRow:
    program: RecruitmentProgram
    accepted: int

    @property
    def over_capacity(self) -> bool:
        return self.accepted > self.program.capacity


def current_round(cal: Calendar) -> RecruitmentRound | None:
    """The open round; between rounds the one last opened (its selection may still run)."""
    if cal.open_round is not None:
        return cal.open_round
    started = [r for r in cal.rounds if r.opens_at <= cal.now]
    return started[-1] if started else (cal.rounds[0] if cal.rounds else None)


def director_programs(actor: User, year: int | None) -> list[ProgramRow]:
    stmt = select(RecruitmentProgram).where(RecruitmentProgram.director_id == actor.id)
    if year is not None:
        stmt = stmt.where(RecruitmentProgram.start_fiscal_year == year)
    programs = list(db.session.scalars(stmt.order_by(RecruitmentProgram.name,
                                                      RecruitmentProgram.id)))
    counts = dict(db.session.execute(
        select(RecruitmentApplication.program_id, func.count(RecruitmentApplication.id))
        .where(RecruitmentApplication.program_id.in_([p.id for p in programs]),
               RecruitmentApplication.status.in_(HOLDS_A_PLACE))
        .group_by(RecruitmentApplication.program_id)).all()) if programs else {}
    return [ProgramRow(p, counts.get(p.id, 0)) for p in programs]


def _with_people(stmt):
    return stmt.options(*as_list_rows(joinedload))


def applicant_page(actor: User, *, year: int | None, round_id: int | None,
                   status: str | None, after: int | None, program_id: int | None = None,
                   q: str = "") -> Page:
    """One keyset page of the director's applicants in id order (portal.paging), filtered
    like the secretariat's 応募一覧 (募集, 採否, プログラム, name/kana/医籍登録番号).
    One statement that starts FROM the page's ids and joins their people, programs and
    rounds to those rows only: filtering the joined rows instead let PostgreSQL join and
    sort every application of the society (it underestimates one tenant's rows under RLS
    tenfold)."""
    ids = select(RecruitmentApplication.id).where(director_scope(actor))
    if q:
        ids = ids.join(RecruitmentApplication.applicant).where(search(q))
    if round_id is not None:
        ids = ids.where(RecruitmentApplication.round_id == round_id)
    elif year is not None:
        ids = ids.where(RecruitmentApplication.start_fiscal_year == year)
    if status is not None:
        ids = ids.where(RecruitmentApplication.status == status)
    if program_id is not None:
        ids = ids.where(RecruitmentApplication.program_id == program_id)
    page_ids = keyset(ids, RecruitmentApplication.id, after).subquery("page_ids")
    stmt = (select(RecruitmentApplication).select_from(page_ids)
            .join(RecruitmentApplication, RecruitmentApplication.id == page_ids.c.id))
    return page_of(list(db.session.scalars(_with_people(stmt).order_by(RecruitmentApplication.id))))


def withdrawal_requests(actor: User, limit: int = PAGE_SIZE) -> list[RecruitmentApplication]:
    """採用辞退の申請 waiting for this director, oldest first."""
    stmt = select(RecruitmentApplication).where(
        director_scope(actor), RecruitmentApplication.status == inline("withdrawal_requested"))
    return list(db.session.scalars(_with_people(stmt).order_by(
        RecruitmentApplication.withdrawal_requested_at, RecruitmentApplication.id)
        .limit(inline(limit))))


def decision_block(application: RecruitmentApplication, now: datetime) -> str | None:
    """Why the director cannot record 採否 for this row now (None when they can); the
    service refuses the same cases."""
    if application.status == "withdrawal_requested":
        return WITHDRAWAL_WAITING
    if application.status not in DECIDABLE or application.closed_at is not None:
        return CLOSED
    if not application.round.accepts_decisions(now):
        return PERIOD_OVER
    return None
