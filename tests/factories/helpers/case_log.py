"""The case log's test set-up: a trainee whose credential is approved (A-R06) and who is
enrolled with a facility and director, and cases added directly for lists and counts."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from portal.blueprints.cases.models import Case
from portal.blueprints.credentials.models import Credential, Enrollment
from portal.db import utcnow
from portal.extensions import db
from portal.storage import StoredFile
from portal.tenants.scoping import tenant_scope


def unlock(app, society, trainee_id: int | None = None, director_id: int | None = None,
           facility_id: int | None = None) -> None:
    """Approve a credential for the trainee and enrol them (the placement cases are filed under)."""
    trainee_id = trainee_id or society.trainee
    with app.app_context(), tenant_scope(db.session, society.tenant_id):
        file = StoredFile(tenant_id=society.tenant_id, key=str(uuid.uuid4()), owner_id=trainee_id,
                          slot="credential", original_filename="専門医認定証.pdf",
                          mime_type="application/pdf", size_bytes=10, sha256="0" * 64,
                          state="committed")
        credential = Credential(tenant_id=society.tenant_id, trainee_id=trainee_id,
                                training_start_application_id=society.application,
                                facility_id=facility_id or society.facility,
                                document_type="specialist_certificate", file=file,
                                status="approved", submitted_at=utcnow())
        db.session.add(credential)
        db.session.flush()
        db.session.add(Enrollment(tenant_id=society.tenant_id, trainee_id=trainee_id,
                                  facility_id=facility_id or society.facility,
                                  program_director_id=director_id or society.director,
                                  credential_id=credential.id, from_date=date(2024, 4, 1)))
        db.session.commit()


def case_rows(society, count: int, trainee_id: int | None = None, director_id: int | None = None,
              status: str = "entered", category: str = "resp_ards", supports=("imv",),
              start: date = date(2025, 1, 1)) -> list[Case]:
    """`count` cases for add_rows, admitted one day apart from `start`."""
    return [Case(tenant_id=society.tenant_id, trainee_id=trainee_id or society.trainee,
                 director_id=director_id or society.director, facility_id=society.facility,
                 entry_date=start + timedelta(days=i + 1), icu_admission_date=start + timedelta(days=i),
                 icu_discharge_date=start + timedelta(days=i + 1), age_band="65-79", sex="male",
                 primary_category=category, organ_supports=list(supports),
                 procedures=[{"code": "intubation", "role": "operator"}], outcome="alive_discharge",
                 summary="第3病日に抜管", status=status) for i in range(count)]


def case_form(**changes) -> dict:
    """A complete 経験症例 post (JSICM's choices); `changes` replace or add fields."""
    data = {"entry_date": "2025-03-05", "icu_admission_date": "2025-03-01",
            "icu_discharge_date": "2025-03-04", "age_band": "65-79", "sex": "female",
            "primary_category": "resp_ards", "organ_supports": ["imv", "ecmo"],
            "procedures": ["intubation", "cvc"], "role_intubation": "operator",
            "role_cvc": "assistant", "outcome": "alive_discharge",
            "summary": "第3病日にECMO導入、PaO2/FiO2 150から改善し第10病日に離脱。"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
