"""B-R24 applied by the recruitment rules: 採用 stops at the specialty's ceiling, and people the
secretariat registered as シーリング対象外 are not counted."""
from __future__ import annotations

import pytest
from flask import g

from portal.accounts.models import User
from portal.blueprints.recruitment.services import selection
from portal.blueprints.recruitment.services.transitions import RecruitmentError
from portal.blueprints.training_record.services import ceiling
from portal.extensions import db


@pytest.fixture
def ceiling_of_one(scope):
    rules = g.rules
    g.rules = rules.model_copy(update={"recruitment": rules.recruitment.model_copy(
        update={"ceilings": {"pediatrics": 1}})})
    return scope


def test_acceptance_stops_at_the_ceiling(ceiling_of_one, applicants, applications):
    rec = ceiling_of_one
    first, second = applications(rec, applicants(rec.tenant_id, 2))
    director = db.session.get(User, rec.director)
    selection.decide(director, [first], "accepted")
    with pytest.raises(RecruitmentError) as refused:
        selection.decide(director, [second], "accepted")
    assert refused.value.status == 409
    assert "小児科のシーリング（2027年度 1名）を超えるため採用できません。" in refused.value.message


def test_a_ceiling_exempt_applicant_is_not_counted(ceiling_of_one, applicants, applications):
    rec = ceiling_of_one
    people = applicants(rec.tenant_id, 3)
    first, second, third = applications(rec, people)
    jimu, director = db.session.get(User, rec.secretariat), db.session.get(User, rec.director)
    ceiling.set_exemption(jimu, db.session.get(User, people[0]), True, "A県地域医療対策協議会", "地域枠")
    selection.decide(director, [first, second], "accepted")  # the exempt one takes no seat
    with pytest.raises(RecruitmentError):
        selection.decide(director, [third], "accepted")


def test_no_ceiling_no_limit(scope, applicants, applications):
    rec = scope
    ids = applications(rec, applicants(rec.tenant_id, 3))
    assert len(selection.decide(db.session.get(User, rec.director), ids, "accepted")) == 3
