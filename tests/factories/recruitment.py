"""JMSB recruitment: `make_recruitment(society)` (two programs with two directors, two rounds
relative to now: 一次 open now, 二次 later, and an applicant with her 医師免許証 on file), `rec`
for jmsb, `scope` (services run as a request on jmsb.localhost), the logged-in secretariat
`jimu`, and applicants and applications made in bulk."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal.accounts.models import User
from portal.blueprints.recruitment.models import (
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
)
from portal.db import utcnow
from portal.extensions import db
from tests.factories.helpers.recruitment import JIMU, START_FY


@pytest.fixture
def make_recruitment(factories, add_rows, give_license):
    """make_recruitment(society) -> its rounds, programs, people and dates."""

    def make(society) -> SimpleNamespace:
        tid, now = society.tenant_id, utcnow()
        first = RecruitmentRound(tenant_id=tid, start_fiscal_year=START_FY, seq=1, label="一次募集",
                                 opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7),
                                 decisions_close_at=now + timedelta(days=14))
        second = RecruitmentRound(tenant_id=tid, start_fiscal_year=START_FY, seq=2, label="二次募集",
                                  opens_at=now + timedelta(days=20),
                                  closes_at=now + timedelta(days=27),
                                  decisions_close_at=now + timedelta(days=34))
        programs = [
            RecruitmentProgram(tenant_id=tid, name="髙田大学病院 小児科専門研修プログラム",
                               specialty="pediatrics", core_facility_id=society.facility,
                               director_id=society.director, capacity=5,
                               start_fiscal_year=START_FY),
            RecruitmentProgram(tenant_id=tid, name="みなと総合病院 小児科専門研修プログラム",
                               specialty="pediatrics", core_facility_id=society.other_facility,
                               director_id=society.other_director, capacity=3,
                               start_fiscal_year=START_FY),
        ]
        first_id, second_id, p1, p2 = add_rows(tid, first, second, *programs)
        applicant = factories.user(tid, "jmsb-applicant", "trainee", full_name="応募 花子",
                                   full_name_kana="オウボ ハナコ",
                                   medical_registration_number="654321",
                                   email="hanako@jmsb.example.jp")
        give_license(tid, applicant)
        return SimpleNamespace(society=society, tenant_id=tid, round1=first_id, round2=second_id,
                               program=p1, other_program=p2, applicant=applicant,
                               director=society.director, other_director=society.other_director,
                               secretariat=society.secretariat, now=now,
                               round1_closes=now + timedelta(days=7),
                               round1_decisions_close=now + timedelta(days=14),
                               round2_opens=now + timedelta(days=20),
                               round2_closes=now + timedelta(days=27))

    return make


@pytest.fixture
def rec(make_recruitment, world):
    return make_recruitment(world.jmsb)


@pytest.fixture
def scope(app, rec):
    """Run services as in a request on jmsb.localhost (g.tenant/g.rules set)."""
    with app.test_request_context("/", base_url="http://jmsb.localhost"):
        app.preprocess_request()
        yield rec


@pytest.fixture
def in_jmsb(app):
    """in_jmsb(fn) -> fn(): run services as a request on jmsb.localhost would, and commit."""

    def run(fn):
        with app.test_request_context("/", base_url="http://jmsb.localhost"):
            app.preprocess_request()
            result = fn()
            db.session.commit()
            return result

    return run


@pytest.fixture
def jimu(jmsb, rec):
    """The jmsb 事務局, logged in."""
    jmsb.login(JIMU)
    return jmsb


@pytest.fixture
def applicants(add_rows):
    """applicants(tenant_id, n, prefix="応募者", start=1) -> ids of n trainees with distinct
    names, kana and 医籍登録番号 (100001, 100002, ... from start)."""

    def make(tenant_id: int, n: int, prefix: str = "応募者", start: int = 1) -> list[int]:
        rows = [User(tenant_id=tenant_id, login_id=f"bulk-{i}", email=f"bulk-{i}@example.jp",
                     role="trainee", full_name=f"{prefix} {i:03d}",
                     full_name_kana=f"オウボシャ {i:03d}",
                     medical_registration_number=str(100000 + i)) for i in range(start, start + n)]
        return add_rows(tenant_id, *rows)

    return make


@pytest.fixture
def applications(add_rows):
    """applications(rec, people, program=None, round_id=None, status="applied", **fields) ->
    ids of one application per person, applied an hour before rec.now."""

    def make(rec, people: list[int], program: int | None = None, round_id: int | None = None,
             status: str = "applied", **fields) -> list[int]:
        at = rec.now - timedelta(hours=1)
        rows = [RecruitmentApplication(
            tenant_id=rec.tenant_id, applicant_id=person, program_id=program or rec.program,
            round_id=round_id or rec.round1, start_fiscal_year=START_FY, status=status,
            applied_at=at, **fields) for person in people]
        return add_rows(rec.tenant_id, *rows)

    return make
