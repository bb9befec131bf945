"""Security tests: real tenant-A (jsicm) data made through the app's own flow (`tenant_a`),
tenant B with every module on (`tenant_b_has_every_module`), and `snapshot`, every row read as
the table owner."""
from __future__ import annotations

import re
from types import SimpleNamespace
from typing import get_args

import pytest
from sqlalchemy import create_engine, select, text

from portal.accounts.licences import MedicalLicense
from portal.accounts.models import User
from portal.db import Base, TenantScoped, utcnow
from portal.directory.models import Facility
from portal.extensions import db
from portal.storage import StoredFile
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.credentials import submit_credential, upload_credential
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.rows import outbox
from tests.factories.helpers.security import SECRET_FACILITY, SECRET_FILE, SECRET_NAME


def _rename_jsicm_people(app, world) -> None:
    """Factories give both tenants the same names; tenant A gets names nobody else has."""
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        db.session.get(User, world.jsicm.trainee).full_name = SECRET_NAME
        db.session.get(Facility, world.jsicm.facility).name = SECRET_FACILITY
        db.session.commit()


def _token(app, template: str, path: str) -> str:
    mail = outbox(app, template=template)[-1]
    return re.search(re.escape(path) + r"([A-Za-z0-9_\-]+)", mail.body).group(1)


def _ids_by_table(app, tenant_id: int) -> dict[str, list[int]]:
    models = [m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantScoped)]
    with app.app_context(), tenant_scope(db.session, tenant_id):
        return {m.__tablename__: list(db.session.scalars(select(m.id))) for m in models}


def _add_import(app, world) -> None:
    """An import batch (with a row naming tenant A's people) so the import routes are probed
    with real foreign ids."""
    from portal.blueprints.imports.models import ImportBatch, ImportRow

    tid = world.jsicm.tenant_id
    with app.app_context(), tenant_scope(db.session, tid):
        batch = ImportBatch(tenant_id=tid, created_by_id=world.jsicm.secretariat,
                            filename=SECRET_FILE, status="previewed", total_rows=1,
                            counts={"error": 1}, unknown_columns=[])
        db.session.add(batch)
        db.session.flush()
        db.session.add(ImportRow(tenant_id=tid, batch_id=batch.id, line=2, action="error",
                                 key="800014", values={"full_name": SECRET_NAME},
                                 reasons=[["%(field)sが入力されていません。", {"field": "email"}]]))
        db.session.commit()


def _add_license(app, world) -> None:
    """A 医師免許証 row in tenant A, so the licence routes are probed with real foreign ids
    (jsicm has no registration pages to make one through)."""
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        file = db.session.scalar(select(StoredFile).where(StoredFile.original_filename == SECRET_FILE))
        db.session.add(MedicalLicense(tenant_id=world.jsicm.tenant_id, user_id=world.jsicm.trainee,
                                      file_id=file.id, status="submitted", uploaded_at=utcnow()))
        db.session.commit()


@pytest.fixture
def tenant_a(app, world, jsicm, client_for):
    """jsicm data made through the flow: a submitted credential (StoredFile, Credential,
    Task, AuditEvent, OutboxMail) and unused password-reset and e-mail-change tokens."""
    _rename_jsicm_people(app, world)
    jsicm.login("jsicm-800014")
    assert upload_credential(jsicm, pdf_bytes(), SECRET_FILE).status_code == 303
    assert submit_credential(jsicm).status_code == 303
    assert jsicm.post("/profile/email", {"new_email": "new-secret@jsicm.example.jp",
                                         "new_email_confirmation": "new-secret@jsicm.example.jp"},
                      csrf_from="/profile").status_code == 200
    anonymous = client_for("jsicm.localhost")
    assert anonymous.post("/password/forgot", {"email": "trainee@jsicm.example.jp"},
                          csrf_from="/password/forgot").status_code == 200
    _add_license(app, world)
    _add_import(app, world)
    ids = _ids_by_table(app, world.jsicm.tenant_id)
    ids["tenants"] = [world.jsicm.tenant_id]
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        file = db.session.scalar(select(StoredFile).where(StoredFile.original_filename == SECRET_FILE))
        key, sha = file.key, file.sha256
    tokens = [_token(app, "password_reset", "/password/reset/"),
              _token(app, "email_change_received", "/profile/email/verify/")]
    markers = [SECRET_FILE, SECRET_NAME, SECRET_FACILITY, key, sha, "jsicm", "日本集中治療医学会",
               "new-secret@"]
    return SimpleNamespace(ids=ids, file_id=ids["stored_files"][0], file_key=key,
                           credential_id=ids["credentials"][0], tokens=tokens, markers=markers,
                           tenant_id=world.jsicm.tenant_id)


@pytest.fixture
def snapshot(db_urls):
    """snapshot(tenant_id=None) -> every row of every table (of one tenant if given), read as
    the owner (no RLS) on a connection of its own: only for tests marked `committed`."""

    def take(tenant_id: int | None = None) -> dict[str, list[tuple]]:
        engine = create_engine(db_urls["owner"])
        out = {}
        try:
            with engine.connect() as conn:
                for table in Base.metadata.sorted_tables:
                    where = " WHERE tenant_id = :t" if tenant_id and "tenant_id" in table.c else ""
                    rows = conn.execute(text(f"SELECT * FROM {table.name}{where} ORDER BY 1"),
                                        {"t": tenant_id})
                    out[table.name] = [tuple(r) for r in rows]
            return out
        finally:
            engine.dispose()

    return take


@pytest.fixture
def tenant_b_has_every_module(monkeypatch):
    """jmsb has the credentials and case-log pages too, so that a 404 there comes from the
    tenant filter and not from the module gate (a weaker wall the probe would hide behind)."""
    from portal.tenants import resolve
    from portal.tenants.rules import TenantRules

    real = resolve.rules_for
    every = get_args(get_args(TenantRules.model_fields["modules"].annotation)[0])

    def rules_for(slug: str, name: str = ""):
        rules = real(slug, name)
        if slug != "jmsb":
            return rules
        uploads = {**real("jsicm").uploads, **rules.uploads}
        return rules.model_copy(update={"modules": every, "uploads": uploads})

    monkeypatch.setattr(resolve, "rules_for", rules_for)
