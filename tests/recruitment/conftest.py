"""JMSB recruitment fixtures: two programs (two directors), two rounds relative to now
(一次 open now, 二次 later), and the applicant's 医師免許証 on file."""
from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal.accounts.licences import MedicalLicense
from portal.accounts.models import User
from portal.blueprints.recruitment.models import RecruitmentProgram, RecruitmentRound
from portal.db import utcnow
from portal.extensions import db
from portal.storage import StoredFile
from portal.tenants.scoping import tenant_scope

START_FY = 2027


def add_rows(app, tenant_id: int, *rows) -> list[int]:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        db.session.add_all(rows)
        db.session.commit()
        return [r.id for r in rows]


def give_license(app, tenant_id: int, user_id: int, provisional: bool = False) -> int:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        file = StoredFile(tenant_id=tenant_id, key=str(uuid.uuid4()), owner_id=user_id,
                          slot="medical_license", original_filename="医師免許証.png",
                          mime_type="image/png", size_bytes=10, sha256="0" * 64, state="committed")
        licence = MedicalLicense(tenant_id=tenant_id, user_id=user_id, file=file,
                                 is_provisional=provisional,
                                 status="provisional" if provisional else "submitted",
                                 uploaded_at=utcnow())
        db.session.add(licence)
        db.session.commit()
        return licence.id


def make_recruitment(app, factories, society) -> SimpleNamespace:
    tid, now = society.tenant_id, utcnow()
    first = RecruitmentRound(tenant_id=tid, start_fiscal_year=START_FY, seq=1, label="一次募集",
                             opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7),
                             decisions_close_at=now + timedelta(days=14))
    second = RecruitmentRound(tenant_id=tid, start_fiscal_year=START_FY, seq=2, label="二次募集",
                              opens_at=now + timedelta(days=20), closes_at=now + timedelta(days=27),
                              decisions_close_at=now + timedelta(days=34))
    programs = [
        RecruitmentProgram(tenant_id=tid, name="髙田大学病院 小児科専門研修プログラム",
                           specialty="pediatrics", core_facility_id=society.facility,
                           director_id=society.director, capacity=5, start_fiscal_year=START_FY),
        RecruitmentProgram(tenant_id=tid, name="みなと総合病院 小児科専門研修プログラム",
                           specialty="pediatrics", core_facility_id=society.other_facility,
                           director_id=society.other_director, capacity=3,
                           start_fiscal_year=START_FY),
    ]
    first_id, second_id, p1, p2 = add_rows(app, tid, first, second, *programs)
    applicant = factories.user(tid, "jmsb-applicant", "trainee", full_name="応募 花子",
                               full_name_kana="オウボ ハナコ", medical_registration_number="654321",
                               email="hanako@jmsb.example.jp")
    give_license(app, tid, applicant)
    return SimpleNamespace(society=society, tenant_id=tid, round1=first_id, round2=second_id,
                           program=p1, other_program=p2, applicant=applicant,
                           director=society.director, other_director=society.other_director,
                           secretariat=society.secretariat, now=now,
                           round1_closes=now + timedelta(days=7),
                           round1_decisions_close=now + timedelta(days=14),
                           round2_opens=now + timedelta(days=20),
                           round2_closes=now + timedelta(days=27))


@pytest.fixture
def rec(app, factories, world):
    return make_recruitment(app, factories, world.jmsb)


@pytest.fixture
def scope(app, rec):
    """Run services as in a request on jmsb.localhost (g.tenant/g.rules set)."""
    with app.test_request_context("/", base_url="http://jmsb.localhost"):
        app.preprocess_request()
        yield rec


def user(user_id: int) -> User:
    return db.session.get(User, user_id)
