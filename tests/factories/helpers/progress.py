"""研修終了要件 (tests/progress): rows that make a trainee's credential approved and name their
program director, and stand-in facts for the features whose facts are not built yet."""
from __future__ import annotations

import uuid
from datetime import date

from portal.blueprints.credentials.models import Credential, Enrollment
from portal.db import utcnow
from portal.registry import Registry
from portal.storage import StoredFile


def approved_credential(society, trainee_id: int, application_id: int, status: str = "approved"):
    """A credential in `status` (and its file) for `trainee_id` at the society's facility."""
    file = StoredFile(tenant_id=society.tenant_id, key=str(uuid.uuid4()), owner_id=trainee_id,
                      slot="credential", original_filename="認定証.pdf", mime_type="application/pdf",
                      size_bytes=10, sha256="0" * 64, state="committed")
    return Credential(tenant_id=society.tenant_id, trainee_id=trainee_id,
                      training_start_application_id=application_id, facility_id=society.facility,
                      document_type="specialist_certificate", file=file, status=status,
                      submitted_at=utcnow())


def enrollment(society, trainee_id: int, director_id: int, to_date: date | None = None):
    return Enrollment(tenant_id=society.tenant_id, trainee_id=trainee_id,
                      facility_id=society.facility, program_director_id=director_id,
                      from_date=date(2024, 4, 1), to_date=to_date)


def stub_facts(monkeypatch, facts: dict[int, dict]) -> None:
    """Facts for these trainees laid over what the features answer ("requirement_facts"):
    only tests stand in for facts a feature does not compute yet."""
    real = Registry.collect

    def collect(self, question, rules, *args):
        found = real(self, question, rules, *args)
        if question == "requirement_facts":
            for trainee_id in args[0]:
                if trainee_id in facts:
                    found.setdefault(trainee_id, {}).update(facts[trainee_id])
        return found

    monkeypatch.setattr(Registry, "collect", collect)
