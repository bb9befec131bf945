"""flask recruitment-close-rounds: rounds whose selection period has ended close in every
society even when nobody opens a page (応募済 -> 未設定, 不採用/未設定 -> 未応募 again), once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.audit import AuditEvent
from portal.blueprints.recruitment.models import RecruitmentApplication, RecruitmentRound
from portal.db import utcnow
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.rows import get, outbox, read


def end_selection(app, tenant_id: int, round_id: int) -> None:
    """Round 1's application and selection periods ended a minute ago."""
    with app.app_context(), tenant_scope(db.session, tenant_id):
        row = db.session.get(RecruitmentRound, round_id)
        row.closes_at = row.decisions_close_at = utcnow() - timedelta(minutes=1)
        db.session.commit()


def run(app) -> str:
    result = app.test_cli_runner().invoke(args=["recruitment-close-rounds"])
    assert result.exit_code == 0, result.output
    return result.output


def test_close_out_runs_for_every_society_and_only_once(app, factories, world, rec, applicants, applications, make_recruitment):
    foreign = make_recruitment(world.jsicm)
    people = applicants(rec.tenant_id, 3)
    waiting = applications(rec, people[:1])[0]
    rejected = applications(rec, people[1:2], status="rejected")[0]
    accepted = applications(rec, people[2:], status="accepted")[0]
    later = applications(rec, [rec.applicant], round_id=rec.round2)[0]
    for society in (rec, foreign):
        end_selection(app, society.tenant_id, society.round1)
    mails_before = len(outbox(app, template="recruitment_result"))

    assert run(app).strip() == "closed 2 recruitment round(s)"

    def state(application_id):
        row = get(app, rec.tenant_id, RecruitmentApplication, application_id)
        return row.status, row.closed_at is not None

    assert state(waiting) == ("undecided", True)
    assert state(rejected) == ("rejected", True)  # 未応募 again: free to apply in 二次募集
    assert state(accepted) == ("accepted", False)
    assert state(later) == ("applied", False)  # 二次募集 is not due
    assert get(app, rec.tenant_id, RecruitmentRound, rec.round1).closed_at is not None
    assert get(app, foreign.tenant_id, RecruitmentRound, foreign.round1).closed_at is not None
    assert get(app, rec.tenant_id, RecruitmentRound, rec.round2).closed_at is None
    [mail] = outbox(app, template="recruitment_result")[mails_before:]
    assert mail.to_addr == "bulk-1@example.jp" and "jmsb.localhost" in mail.body
    events = read(app, rec.tenant_id, select(AuditEvent).where(
        AuditEvent.action == "recruitment_round_closed"))
    assert sorted((e.entity_id, e.actor_id) for e in events) == [(waiting, None), (rejected, None)]

    assert run(app).strip() == "closed 0 recruitment round(s)"  # safe to run twice
    assert len(outbox(app, template="recruitment_result")) == mails_before + 1


def test_close_out_with_nothing_due_changes_nothing(app, rec, applications):
    applications(rec, [rec.applicant])
    assert run(app).strip() == "closed 0 recruitment round(s)"
    [row] = read(app, rec.tenant_id, select(RecruitmentApplication))
    assert (row.status, row.closed_at) == ("applied", None)
