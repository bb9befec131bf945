"""SECURITY.md 22: nobody decides on their own item (403, nothing changes). Roles are one per
account, so an "own item" arises when an account changes role: a trainee promoted to program
director at the facility where their own credential is still pending, or a director who is
also the applicant of a program they direct."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.blueprints.credentials.models import Credential, TrainingStartApplication
from portal.blueprints.recruitment.models import RecruitmentApplication
from portal.blueprints.recruitment.services import selection
from portal.db import utcnow
from portal.extensions import db
from portal.mail import OutboxMail
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.credentials import submit_credential, upload_credential
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.recruitment import START_FY
from tests.factories.helpers.rows import get, user


def test_a_director_cannot_review_their_own_credential(app, jsicm, client_for, world):
    jsicm.login("jsicm-800014")
    assert upload_credential(jsicm, pdf_bytes()).status_code == 303
    assert submit_credential(jsicm).status_code == 303
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        credential_id = db.session.scalar(select(Credential.id))
        db.session.get(User, world.jsicm.trainee).role = "program_director"  # promoted
        # and named as the director of their own 研修開始申請 (I-16 would hide it otherwise)
        db.session.get(TrainingStartApplication, world.jsicm.application).program_director_id = \
            world.jsicm.trainee
        db.session.commit()
    promoted = client_for("jsicm.localhost")
    promoted.login("jsicm-800014")
    for action in ("approve", "return"):
        response = promoted.post(f"/review/credentials/{credential_id}/{action}",
                                 {"reason": "不鮮明"}, csrf_from="/review/credentials")
        assert response.status_code == 403, action
        assert "ご自身の証票は審査できません。" in response.get_data(as_text=True)
    assert get(app, world.jsicm.tenant_id, Credential, credential_id).status == "pending_review"


def _counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(OutboxMail)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)))


def _own_application(scope, status: str) -> RecruitmentApplication:
    """The director of scope.program applying to it (an account that changed role)."""
    application = RecruitmentApplication(
        tenant_id=scope.tenant_id, applicant_id=scope.director, program_id=scope.program,
        round_id=scope.round1, start_fiscal_year=START_FY, status=status, applied_at=utcnow(),
        withdrawal_reason="家庭の事情" if status == "withdrawal_requested" else None)
    db.session.add(application)
    db.session.flush()
    return application


@pytest.mark.parametrize("decision", ["accepted", "rejected"])
def test_a_director_cannot_decide_on_their_own_application(scope, decision):
    application = _own_application(scope, "applied")
    before = _counts()
    with pytest.raises(selection.RecruitmentError) as info:
        selection.decide(user(scope.director), [application.id], decision)
    assert info.value.status == 403 and info.value.message == "ご自身の応募は選考できません。"
    assert application.status == "applied" and _counts() == before


@pytest.mark.parametrize("act", [
    lambda actor, app_id: selection.approve_withdrawal(actor, app_id),
    lambda actor, app_id: selection.decline_withdrawal(actor, app_id, "定員のため"),
], ids=["approve", "decline"])
def test_a_director_cannot_decide_on_their_own_withdrawal(scope, act):
    application = _own_application(scope, "withdrawal_requested")
    before = _counts()
    with pytest.raises(selection.RecruitmentError) as info:
        act(user(scope.director), application.id)
    assert info.value.status == 403 and info.value.message == "ご自身の辞退申請は処理できません。"
    assert application.status == "withdrawal_requested" and _counts() == before
