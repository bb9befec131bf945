"""bench-data's case log (issue 16 item 7): the cases are spread over the enrolled trainees only
(A-R06: nobody else may have one), the known trainee gets its fixed share, a share waits for
the director's sign-off, and each enrolled trainee's accepted report points at its own case."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.blueprints.cases.models import Case, CaseReport
from portal.blueprints.credentials.models import Credential
from portal.devdata.benchdata import LOGINS, Plan, generate
from portal.extensions import db
from portal.tenants.scoping import system_scope

pytestmark = pytest.mark.committed


def test_cases_go_to_enrolled_trainees_only(app, app_config, db_urls):
    owner = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": db_urls["owner"]})
    with owner.app_context():
        summary = generate(Plan(trainees=60, facilities=3, seed=3, pending_share=0.5,
                                small_trainees=1, files=0, recruitment_applicants=1, cases=2_000))
        with system_scope(db.session):
            assert summary["rows"]["cases"] == db.session.scalar(select(func.count(Case.id))) == 2_000
            approved = set(db.session.scalars(
                select(Credential.trainee_id).where(Credential.status == "approved")))
            owners = set(db.session.scalars(select(Case.trainee_id).distinct()))
            assert owners and owners <= approved
            known = summary["caselog_trainee_id"]
            assert db.session.scalar(select(func.count(Case.id)).where(Case.trainee_id == known)) == 120
            pending = db.session.scalar(select(func.count(Case.id)).where(Case.status == "entered"))
            assert 200 < pending < 600  # about a fifth
            mismatched = db.session.scalar(select(func.count(CaseReport.id)).join(
                Case, Case.id == CaseReport.case_id).where(Case.trainee_id != CaseReport.trainee_id))
            assert mismatched == 0
            assert summary["logins"]["caselog"] == LOGINS["caselog"]
        db.session.remove()
