"""採用 -> 在籍 (issue 17 item 1, B-W02 `accepted --> enrolled`, B-R09): the daily command
enrols accepted applicants once their program year has begun, once, with a mail, audited."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit import AuditEvent
from portal.blueprints.recruitment.models import RecruitmentApplication
from portal.blueprints.training_record.models import TraineeEnrollment
from portal.blueprints.training_record.services import enrolment
from portal.extensions import db
from tests.factories.helpers.recruitment import START_FY
from tests.factories.helpers.rows import get, outbox, read


def run(app, today: str) -> str:
    result = app.test_cli_runner().invoke(args=["training-enrol", "--today", today])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_an_accepted_applicant_is_enrolled_at_the_start_of_the_program_year(
        app, rec, applicants, applications):
    person = applicants(rec.tenant_id, 1)[0]
    accepted = applications(rec, [person], status="accepted")[0]
    waiting = applications(rec, applicants(rec.tenant_id, 1, start=2), status="applied")[0]

    assert run(app, f"{START_FY}-03-31") == "enrolled 0 trainee(s)"  # B-R09: not before April
    assert run(app, f"{START_FY}-04-01") == "enrolled 1 trainee(s)"

    [row] = read(app, rec.tenant_id, select(TraineeEnrollment))
    assert (row.trainee_id, row.application_id, row.cohort_fiscal_year, row.planned_start_date,
            row.specialty, row.director_id) == (person, accepted, START_FY, date(START_FY, 4, 1),
                                                "pediatrics", rec.director)
    assert get(app, rec.tenant_id, RecruitmentApplication, accepted).status == "enrolled"
    assert get(app, rec.tenant_id, RecruitmentApplication, waiting).status == "applied"
    [mail] = outbox(app, template="training_enrolled")
    assert mail.to_addr == "bulk-1@example.jp" and "在籍登録" in mail.subject
    assert "jmsb.localhost" in mail.body and "/training-record/" in mail.body
    actions = {e.action for e in read(app, rec.tenant_id, select(AuditEvent))}
    assert {"trainee_enrolled", "recruitment_enrolled"} <= actions


def test_running_twice_enrols_once(app, rec, applicants, applications):
    applications(rec, applicants(rec.tenant_id, 2), status="accepted")
    assert run(app, f"{START_FY}-04-02") == "enrolled 2 trainee(s)"
    assert run(app, f"{START_FY}-04-03") == "enrolled 0 trainee(s)"
    assert len(read(app, rec.tenant_id, select(TraineeEnrollment))) == 2
    assert len(outbox(app, template="training_enrolled")) == 2


def test_a_run_that_lost_the_race_enrols_nobody(app, scope, applicants, applications):
    """Two hosts listed the same application; the one whose guarded UPDATE comes second finds
    it moved already and adds no enrolment and no mail."""
    rec = scope
    applications(rec, applicants(rec.tenant_id, 1), status="accepted")
    from flask import g

    from portal.registry import registry

    [row] = registry().answer("accepted_for_enrollment", g.rules, START_FY)
    assert enrolment._enrol(row, rec.now) is True
    assert enrolment._enrol(row, rec.now) is False  # the stale listing of the other host
    db.session.flush()
    assert len(db.session.scalars(select(TraineeEnrollment)).all()) == 1


def test_the_unique_key_is_the_second_wall(app, scope, applicants, applications):
    rec = scope
    application = applications(rec, applicants(rec.tenant_id, 1), status="accepted")[0]
    person = db.session.get(RecruitmentApplication, application).applicant_id

    def enrollment():
        return TraineeEnrollment(
            tenant_id=rec.tenant_id, trainee_id=person, application_id=application,
            program_name="p", specialty="pediatrics", cohort_fiscal_year=START_FY,
            director_id=rec.director, planned_start_date=date(START_FY, 4, 1), enrolled_at=rec.now)

    db.session.add(enrollment())
    db.session.flush()
    db.session.add(enrollment())
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.committed  # two hosts at once: each run on a connection of its own
def test_two_hosts_running_at_once_enrol_each_trainee_once(app, rec, applicants, applications):
    import threading

    applications(rec, applicants(rec.tenant_id, 3), status="accepted")
    barrier, results = threading.Barrier(2), [None, None]

    def host(i: int) -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            results[i] = enrolment.enrol_everywhere(date(START_FY, 4, 1))

    threads = [threading.Thread(target=host, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(enrolled for enrolled, _failed in results) == 3
    rows = read(app, rec.tenant_id, select(TraineeEnrollment))
    assert len(rows) == len({r.application_id for r in rows}) == 3
    assert len(outbox(app, template="training_enrolled")) == 3
