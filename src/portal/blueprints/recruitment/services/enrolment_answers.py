"""What recruitment answers the training record (在籍, issue 17 item 1) through the registry:
the accepted applications whose program year has begun, and the guarded move 採用 -> 研修中
(B-W02 `accepted --> enrolled`). The training record never reads these tables itself."""
from __future__ import annotations

from sqlalchemy import select, update

from portal import audit
from portal.blueprints.recruitment.models import RecruitmentApplication, RecruitmentProgram
from portal.db import utcnow
from portal.extensions import db


def accepted_for_enrollment(fiscal_year: int, limit: int = 500) -> list[dict]:
    """採用 applications for programs starting in `fiscal_year` or before, oldest first."""
    App, Program = RecruitmentApplication, RecruitmentProgram
    rows = db.session.execute(
        select(App.id, App.applicant_id, App.start_fiscal_year, App.track, Program.name,
               Program.specialty, Program.director_id, Program.core_facility_id)
        .join(Program, Program.id == App.program_id)
        .where(App.status == "accepted", App.closed_at.is_(None),
               App.start_fiscal_year <= fiscal_year)
        .order_by(App.id).limit(limit)).all()
    return [{"application_id": r[0], "trainee_id": r[1], "start_fiscal_year": r[2],
             "track": r[3], "program_name": r[4], "specialty": r[5], "director_id": r[6],
             "facility_id": r[7]} for r in rows]


def ever_applied(user_ids: list[int]) -> set[int]:
    """Which of these people ever applied, whatever became of it (B-R05: the others are
    archived at the end of the recruitment year)."""
    if not user_ids:
        return set()
    return set(db.session.scalars(select(RecruitmentApplication.applicant_id).where(
        RecruitmentApplication.applicant_id.in_(user_ids)).distinct()))


def claim_enrollment(application_id: int) -> bool:
    """採用 -> 研修中, guarded in SQL: of two runs (or two hosts) only one moves the row; the
    other waits for its commit on PostgreSQL and then finds nothing to move."""
    moved = db.session.execute(
        update(RecruitmentApplication)
        .where(RecruitmentApplication.id == application_id,
               RecruitmentApplication.status == "accepted",
               RecruitmentApplication.closed_at.is_(None))
        .values(status="enrolled", updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        return False
    application = db.session.get(RecruitmentApplication, application_id)
    db.session.refresh(application)
    audit.record("recruitment_enrolled", application, from_state="accepted", to_state="enrolled")
    return True
