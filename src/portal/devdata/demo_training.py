"""Demo data of the JMSB training record (issue 17): a trainee of the 2025 cohort, enrolled in
the 髙田大学病院 program, with 研修実績 that show the timeline (a facility period, an
interruption, a small gap to see how gaps are flagged, and a current period with its weekly
second facility in その他詳細). Idempotent: run seed-demo as often as you like."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from portal.accounts.models import User
from portal.blueprints.recruitment.models import (
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
)
from portal.blueprints.training_record.models import TraineeEnrollment, TrainingRecord
from portal.directory.models import Facility
from portal.extensions import db

COHORT = 2025


def _past_round(tenant_id: int) -> RecruitmentRound:
    found = db.session.scalar(select(RecruitmentRound).where(
        RecruitmentRound.start_fiscal_year == COHORT, RecruitmentRound.seq == 1))
    if found is None:
        opens = datetime(2024, 9, 1, tzinfo=timezone.utc)
        found = RecruitmentRound(tenant_id=tenant_id, start_fiscal_year=COHORT, seq=1,
                                 label="一次募集", opens_at=opens,
                                 closes_at=opens + timedelta(days=30),
                                 decisions_close_at=opens + timedelta(days=45),
                                 closed_at=opens + timedelta(days=45))
        db.session.add(found)
        db.session.flush()
    return found


def seed_enrolled_trainee(tenant_id: int, trainee: User, program_name: str) -> None:
    program = db.session.scalar(select(RecruitmentProgram).where(RecruitmentProgram.name == program_name))
    if program is None or db.session.scalar(select(TraineeEnrollment.id).where(
            TraineeEnrollment.trainee_id == trainee.id)) is not None:
        return
    applied = datetime(2024, 9, 10, 1, 0, tzinfo=timezone.utc)
    application = RecruitmentApplication(
        tenant_id=tenant_id, applicant_id=trainee.id, program_id=program.id,
        round_id=_past_round(tenant_id).id, start_fiscal_year=COHORT, status="enrolled",
        applied_at=applied, decided_by_id=program.director_id, decided_at=applied)
    db.session.add(application)
    db.session.flush()
    db.session.add(TraineeEnrollment(
        tenant_id=tenant_id, trainee_id=trainee.id, application_id=application.id,
        program_name=program.name, specialty=program.specialty, cohort_fiscal_year=COHORT,
        director_id=program.director_id, facility_id=program.core_facility_id,
        planned_start_date=date(COHORT, 4, 1), enrolled_at=applied))
    other = db.session.scalar(select(Facility).where(Facility.id != program.core_facility_id)
                              .order_by(Facility.id).limit(1))
    core_name = program.core_facility.name
    rows = [("facility_period", "training", date(2025, 4, 1), date(2025, 9, 30),
             program.core_facility_id, None, None),
            ("interruption", "interruption", date(2025, 10, 1), date(2025, 12, 31), None,
             "pregnancy_childbirth_childcare", None),
            ("facility_period", "training", date(2026, 1, 16), None,
             other.id if other else program.core_facility_id, None, f"週に1度毎週{core_name}で研修")]
    for kind, status, start, end, facility_id, reason, details in rows:
        db.session.add(TrainingRecord(
            tenant_id=tenant_id, trainee_id=trainee.id, record_type=kind, training_status=status,
            start_date=start, end_date=end, facility_id=facility_id, interruption_reason=reason,
            other_details=details, source="manual"))
