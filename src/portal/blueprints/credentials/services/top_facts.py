"""What the trainee top page shows of the trainee's own rows, read in one Core statement
(TopFacts, top_facts_select): the panels and the page cache (credentials/queries.py) use it."""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Select, and_, func, select

from portal.accounts.models import User
from portal.blueprints.credentials.models import (
    REVIEW_LABELS,
    Credential,
    Enrollment,
    ReviewStatus,
    TrainingStartApplication,
)
from portal.directory.models import Facility

UNLOCKING = (ReviewStatus.approved.value, ReviewStatus.replacement_requested.value)
SLOT = "credential"


class TopFacts(NamedTuple):
    """What the trainee top page shows of trainee_summary(), as plain values: comparable,
    so the page can tell whether anything changed (portal.blueprints.credentials.queries)."""

    training_start_status: str | None
    training_start_facility: str | None
    training_start_director: str | None
    credential_status: str | None
    review_comment: str | None
    enrollment_facility: str | None
    enrollment_director: str | None

    @property
    def credential_label(self) -> str:
        return REVIEW_LABELS[self.credential_status or ReviewStatus.not_submitted.value]

    @property
    def training_start_label(self) -> str:
        return REVIEW_LABELS[self.training_start_status or ReviewStatus.not_submitted.value]


def top_facts_select(tenant_id, trainee_id) -> Select:
    """TopFacts' columns, in order, one row: the latest rows of trainee_summary() with the
    names the top page shows. Core, on the tables, so it is compiled once and costs a fraction
    of an ORM statement: the ORM's central tenant filter does not apply to it, so every table
    says its tenant here (and PostgreSQL's row-level security applies as always). Both ids
    may be bindparams: the top page builds this once."""
    users, start, credential, enrollment, facilities = (m.__table__ for m in (
        User, TrainingStartApplication, Credential, Enrollment, Facility))
    start_facility, start_director = facilities.alias(), users.alias()
    enrollment_facility, enrollment_director = facilities.alias(), users.alias()

    def own(table):
        return table.c.tenant_id == tenant_id

    def latest(table, *where):
        return (select(func.max(table.c.id)).correlate(None)
                .where(own(table), table.c.trainee_id == trainee_id, *where).scalar_subquery())

    def join_on(table, *on):
        return and_(own(table), *on)

    current_enrollment = latest(enrollment, enrollment.c.to_date.is_(None))
    return (
        select(start.c.status, start_facility.c.name, start_director.c.full_name,
               credential.c.status, credential.c.review_comment,
               enrollment_facility.c.name, enrollment_director.c.full_name)
        .select_from(users)
        .outerjoin(start, join_on(start, start.c.id == latest(start)))
        .outerjoin(start_facility,
                   join_on(start_facility, start_facility.c.id == start.c.facility_id))
        .outerjoin(start_director,
                   join_on(start_director, start_director.c.id == start.c.program_director_id))
        .outerjoin(credential, join_on(credential, credential.c.id == latest(credential)))
        .outerjoin(enrollment, join_on(enrollment, enrollment.c.id == current_enrollment))
        .outerjoin(enrollment_facility, join_on(
            enrollment_facility, enrollment_facility.c.id == enrollment.c.facility_id))
        .outerjoin(enrollment_director, join_on(
            enrollment_director, enrollment_director.c.id == enrollment.c.program_director_id))
        .where(own(users), users.c.id == trainee_id))
