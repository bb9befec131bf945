"""シーリング (B-R24, B-W07): 採用 stops at the society's ceiling for the specialty and start year.
Seats held (採用, 辞退申請中, 研修中) count, except those of people the secretariat registered as
ceiling-exempt, which the training record answers ("ceiling_exempt")."""
from __future__ import annotations

from flask import g
from flask_babel import gettext
from sqlalchemy import select

from portal.accounts.models import BASIC_SPECIALTIES
from portal.blueprints.recruitment.models import RecruitmentApplication, RecruitmentProgram
from portal.blueprints.recruitment.services.secretariat import SEAT_STATES
from portal.blueprints.recruitment.services.transitions import RecruitmentError
from portal.extensions import db
from portal.registry import registry


def _exempt(person_ids: list[int]) -> set[int]:
    return registry().answer("ceiling_exempt", g.rules, person_ids, default=set())


def _counted(specialty: str, year: int) -> int:
    holders = list(db.session.scalars(
        select(RecruitmentApplication.applicant_id)
        .join(RecruitmentProgram, RecruitmentProgram.id == RecruitmentApplication.program_id)
        .where(RecruitmentProgram.specialty == specialty,
               RecruitmentApplication.start_fiscal_year == year,
               RecruitmentApplication.status.in_(SEAT_STATES),
               RecruitmentApplication.closed_at.is_(None))))
    return len(set(holders) - _exempt(holders))


def check_ceiling(targets: list[RecruitmentApplication]) -> None:
    """Before 採用 of `targets`: refuse the whole decision if it would pass a ceiling."""
    limits = g.rules.recruitment.ceilings
    newly = [a for a in targets if a.status not in SEAT_STATES and a.program.specialty in limits]
    if not newly:
        return
    exempt = _exempt([a.applicant_id for a in newly])
    wanted: dict[tuple[str, int], int] = {}
    for application in newly:
        if application.applicant_id not in exempt:
            key = (application.program.specialty, application.start_fiscal_year)
            wanted[key] = wanted.get(key, 0) + 1
    for (specialty, year), count in wanted.items():
        if _counted(specialty, year) + count > limits[specialty]:
            raise RecruitmentError(gettext(
                "%(specialty)sのシーリング（%(year)d年度 %(limit)d名）を超えるため採用できません。"
                "シーリング対象外の方は、事務局が登録すると採用できます。",
                specialty=gettext(BASIC_SPECIALTIES[specialty]), year=year,
                limit=limits[specialty]), 409)
