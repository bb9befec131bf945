"""症例レポート (cases feature): `make_report_case` files a case straight into the case log (the case
entry form is built elsewhere), `unlock_case_entry` gives a trainee an approved credential (A-R06),
and `report_world` is `world` with the jsicm trainee unlocked and two cases of theirs, plus a
second unlocked trainee of the same director with a case."""
from __future__ import annotations

import uuid
from datetime import date
from types import SimpleNamespace

import pytest

from portal.blueprints.cases.models import Case
from portal.blueprints.credentials.models import Credential
from portal.db import utcnow
from portal.storage import StoredFile


@pytest.fixture
def make_report_case(add_rows):
    """make_report_case(society, trainee_id=None, **fields) -> the id of a case (entered, 敗血症性ショック unless
    told), filed under the society's director and facility."""

    def make(society, trainee_id: int | None = None, **fields) -> int:
        fields.setdefault("director_id", society.director)
        fields.setdefault("facility_id", society.facility)
        fields.setdefault("icu_admission_date", date(2026, 5, 10))
        case = Case(tenant_id=society.tenant_id, trainee_id=trainee_id or society.trainee,
                    entry_date=date(2026, 5, 20), age_band="65-79", sex="male",
                    primary_category=fields.pop("primary_category", "sepsis_shock"),
                    organ_supports=["imv"], procedures=[{"code": "intubation", "role": "operator"}],
                    outcome="alive_discharge", summary="人工呼吸管理を行い第5病日に抜管した。",
                    **fields)
        return add_rows(society.tenant_id, case)[0]

    return make


@pytest.fixture
def unlock_case_entry(add_rows):
    """unlock_case_entry(society, trainee_id=None): an approved credential, so the case log opens."""

    def unlock(society, trainee_id: int | None = None) -> int:
        trainee_id = trainee_id or society.trainee
        file = StoredFile(tenant_id=society.tenant_id, key=str(uuid.uuid4()), owner_id=trainee_id,
                          slot="credential", original_filename="専門医認定証.pdf",
                          mime_type="application/pdf", size_bytes=10, sha256="0" * 64,
                          state="committed")
        credential = Credential(tenant_id=society.tenant_id, trainee_id=trainee_id,
                                training_start_application_id=society.application,
                                facility_id=society.facility, document_type="specialist_certificate",
                                file=file, status="approved", submitted_at=utcnow(),
                                reviewed_by_id=society.director, reviewed_at=utcnow())
        return add_rows(society.tenant_id, credential)[0]

    return unlock


@pytest.fixture
def report_world(world, factories, make_report_case, unlock_case_entry):
    jsicm = world.jsicm
    unlock_case_entry(jsicm)
    other = factories.user(jsicm.tenant_id, "jsicm-800020", "trainee", full_name="専攻医 別人",
                           member_number="800020", facility_id=jsicm.facility,
                           email="other@jsicm.example.jp")
    unlock_case_entry(jsicm, other)
    return SimpleNamespace(
        world=world, jsicm=jsicm, other_trainee=other,
        case=make_report_case(jsicm, icu_admission_date=date(2026, 6, 1)),
        older_case=make_report_case(jsicm, icu_admission_date=date(2026, 4, 1),
                             primary_category="resp_ards"),
        other_case=make_report_case(jsicm, other))
