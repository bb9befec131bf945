"""A refusal raised by a service after it has already changed rows (a bulk 採否 whose second
guarded UPDATE finds the row changed by someone else) is rolled back by portal.errors, with no
rollback in the view: nothing moves, no audit event, no mail. Under htmx the answer is only the
message, in the page's message region."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.blueprints.recruitment.models import RecruitmentApplication, RecruitmentProgram
from portal.blueprints.recruitment.services import selection
from portal.db import utcnow
from portal.extensions import db
from portal.mail import OutboxMail
from portal.tenants.scoping import system_scope, tenant_scope

DECIDE = "/recruitment/director/decide"
STALE = "この応募は既に状態が変わっています。画面を更新してください。"


@pytest.fixture
def pair(app, factories, rec):
    """Two applicants to the director's program in the open round, both 応募済."""
    other = factories.user(rec.tenant_id, "jiro", "trainee", full_name="応募 次郎",
                           email="jiro@jmsb.example.jp")
    with app.app_context(), tenant_scope(db.session, rec.tenant_id):
        year = db.session.get(RecruitmentProgram, rec.program).start_fiscal_year
        rows = [RecruitmentApplication(
            tenant_id=rec.tenant_id, applicant_id=person, program_id=rec.program,
            round_id=rec.round1, start_fiscal_year=year, status="applied", track="program",
            applied_at=utcnow()) for person in (rec.applicant, other)]
        db.session.add_all(rows)
        db.session.commit()
        return tuple(row.id for row in rows)


@pytest.fixture
def race(monkeypatch, pair):
    """The second row's guarded UPDATE matches nothing, as when another director decided it
    between the check and the UPDATE: the first row has moved (flushed) by then."""
    real_move, seen = selection.move, []

    def move(application, from_states, **values):
        seen.append(application.id)
        if len(seen) == 2:
            from_states = ("withdrawn",)  # what the row no longer is
        return real_move(application, from_states, **values)

    monkeypatch.setattr(selection, "move", move)
    return seen


def snapshot(app, rec, ids) -> tuple:
    with app.app_context(), tenant_scope(db.session, rec.tenant_id):
        states = [db.session.get(RecruitmentApplication, i).status for i in ids]
    with app.app_context(), system_scope(db.session):
        return (states, db.session.scalar(select(func.count(AuditEvent.id))),
                db.session.scalar(select(func.count(OutboxMail.id))))


def decide_both(client_for, pair, headers=None):
    client = client_for("jmsb.localhost")
    client.login("jmsb-director@example.jp")
    return client.post(DECIDE, {"application_id": [str(i) for i in pair],
                                "decision": "accepted"},
                       csrf_from="/recruitment/director", headers=headers)


def test_htmx_bulk_refused_midway_answers_the_message_region_and_changes_nothing(
        app, rec, pair, race, client_for):
    before = snapshot(app, rec, pair)
    assert before[0] == ["applied", "applied"]
    response = decide_both(client_for, pair, {"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert race == list(pair)  # the first row did move before the refusal
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert STALE in body and "<header" not in body and "<table" not in body
    assert snapshot(app, rec, pair) == before

