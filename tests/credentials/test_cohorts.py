"""A-R03: the 2023-04-01 and 2024-04-01 starters arrive with the training start approved and
the upload task open; any other start date follows the normal flow."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.blueprints.credentials.services import register_training_start
from portal.extensions import db
from portal.tenants.resolve import rules_for
from portal.tenants.scoping import tenant_scope
from portal.worklist.models import Task


@pytest.mark.parametrize("start, status, tasks", [
    (date(2023, 4, 1), "approved", 1),
    (date(2024, 4, 1), "approved", 1),
    (date(2025, 4, 1), "not_submitted", 0),
])
def test_cohort_rules_decide_the_starting_state(app, world, factories, start, status, tasks):
    soc = world.jsicm
    trainee_id = factories.user(soc.tenant_id, f"new-{start.year}", "trainee")
    with app.app_context(), tenant_scope(db.session, soc.tenant_id):
        trainee, director = db.session.get(User, trainee_id), db.session.get(User, soc.director)
        application = register_training_start(trainee, soc.facility, director, start, rules_for("jsicm"))
        db.session.commit()
        assert application.status == status
        assert application.origin == ("migrated_cohort" if tasks else "normal")
        open_tasks = db.session.scalars(select(Task).where(Task.user_id == trainee_id)).all()
        assert len(open_tasks) == tasks


def test_normal_flow_trainee_cannot_upload_before_training_start_approval(app, world, factories,
                                                                          client_for):
    soc = world.jsicm
    trainee_id = factories.user(soc.tenant_id, "late-starter", "trainee",
                                basic_program_status="specialist_certified")
    with app.app_context(), tenant_scope(db.session, soc.tenant_id):
        register_training_start(db.session.get(User, trainee_id), soc.facility,
                                db.session.get(User, soc.director), date(2025, 4, 1),
                                rules_for("jsicm"))
        db.session.commit()
    client = client_for("jsicm.localhost")
    client.login("late-starter")
    page = client.text("/credentials/upload")
    assert "研修開始申請が承認されると、証票をアップロードできます。" in page
    assert 'type="file"' not in page
