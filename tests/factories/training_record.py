"""JMSB training record (issue 17): `enrol(rec, person, ...)` makes an accepted-and-enrolled
trainee with a TraineeEnrollment, and `add_records(tenant_id, trainee_id, *rows)` their
研修実績 rows given as (type, status, start, end[, facility_id | reason]) tuples."""
from __future__ import annotations

from datetime import date

import pytest

from portal.blueprints.recruitment.models import RecruitmentApplication
from portal.blueprints.training_record.models import TraineeEnrollment, TrainingRecord
from portal.db import utcnow


@pytest.fixture
def enrol(add_rows):
    """enrol(rec, person, cohort=2024, specialty="pediatrics", **fields) -> enrollment id."""

    def make(rec, person: int, cohort: int = 2024, specialty: str = "pediatrics", **fields) -> int:
        now = utcnow()
        [application] = add_rows(rec.tenant_id, RecruitmentApplication(
            tenant_id=rec.tenant_id, applicant_id=person, program_id=rec.program,
            round_id=rec.round1, start_fiscal_year=cohort, status="enrolled", applied_at=now))
        fields.setdefault("planned_start_date", date(cohort, 4, 1))
        [enrollment] = add_rows(rec.tenant_id, TraineeEnrollment(
            tenant_id=rec.tenant_id, trainee_id=person, application_id=application,
            program_name="髙田大学病院 小児科専門研修プログラム", specialty=specialty,
            cohort_fiscal_year=cohort, director_id=rec.director, facility_id=rec.society.facility,
            enrolled_at=now, **fields))
        return enrollment

    return make


@pytest.fixture
def add_records(add_rows):
    """add_records(tenant_id, trainee_id, *rows, source="manual") -> ids. A row is
    ("facility_period", "training", start, end, facility_id) or
    ("interruption", "interruption", start, end, reason)."""

    def make(tenant_id: int, trainee_id: int, *rows, source: str = "manual") -> list[int]:
        records = []
        for kind, status, start, end, extra in rows:
            records.append(TrainingRecord(
                tenant_id=tenant_id, trainee_id=trainee_id, record_type=kind,
                training_status=status, start_date=start, end_date=end, source=source,
                facility_id=extra if kind == "facility_period" else None,
                interruption_reason=extra if kind == "interruption" else None))
        return add_rows(tenant_id, *records)

    return make
