"""Societies and their people: `factories` (tenant, user, facility, a whole society), `world`
(jsicm and jmsb), and `add_rows` / `give_license` for rows a test builds itself. Every
factory commits, as the app does once per request; the test's isolation (tests/conftest.py
`db`) undoes it afterwards."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import pytest

from portal.accounts.licences import MedicalLicense
from portal.accounts.models import User
from portal.accounts.services import hash_password
from portal.blueprints.credentials.models import TrainingStartApplication
from portal.db import utcnow
from portal.directory.models import Facility
from portal.extensions import db
from portal.storage import StoredFile
from portal.tenants.scoping import tenant_scope
from portal.tenants.services import ensure_domain, ensure_tenant
from portal.worklist.services import open_task
from tests.factories.helpers.clients import PASSWORD


@dataclass
class Factories:
    app: object

    def tenant(self, slug: str, name: str) -> int:
        with self.app.app_context():
            tenant = ensure_tenant(slug, name)
            ensure_domain(tenant, f"{slug}.localhost", primary=True)
            db.session.commit()
            return tenant.id

    def user(self, tenant_id: int, login_id: str, role: str, **fields) -> int:
        with self.app.app_context(), tenant_scope(db.session, tenant_id):
            fields.setdefault("email", f"{login_id}@example.jp")
            fields.setdefault("full_name", login_id)
            user = User(tenant_id=tenant_id, login_id=login_id, role=role,
                        password_hash=hash_password(PASSWORD), **fields)
            db.session.add(user)
            db.session.flush()
            db.session.commit()
            return user.id

    def facility(self, tenant_id: int, name: str) -> int:
        with self.app.app_context(), tenant_scope(db.session, tenant_id):
            facility = Facility(tenant_id=tenant_id, name=name)
            db.session.add(facility)
            db.session.commit()
            return facility.id

    def migrated_application(self, tenant_id: int, trainee_id: int, facility_id: int,
                             director_id: int) -> int:
        with self.app.app_context(), tenant_scope(db.session, tenant_id):
            application = TrainingStartApplication(
                tenant_id=tenant_id, trainee_id=trainee_id, facility_id=facility_id,
                program_director_id=director_id, training_start_date=date(2024, 4, 1),
                status="approved", origin="migrated_cohort")
            db.session.add(application)
            open_task(db.session.get(User, trainee_id), "upload_credential", "credentials.upload")
            db.session.commit()
            return application.id

    def society(self, slug: str, name: str) -> SimpleNamespace:
        tid = self.tenant(slug, name)
        fac = self.facility(tid, "施設A")
        other_fac = self.facility(tid, "施設B")
        director = self.user(tid, f"{slug}-director", "program_director", full_name="統括 太郎",
                             facility_id=fac)
        other_director = self.user(tid, f"{slug}-director-b", "program_director",
                                   full_name="統括 次郎", facility_id=other_fac)
        secretariat = self.user(tid, f"{slug}-jimu", "secretariat", full_name="事務局 担当")
        trainee = self.user(
            tid, f"{slug}-800014", "trainee", full_name="専攻医 テスト1",
            full_name_kana="センコウイ テストイチ", member_number="800014",
            medical_registration_number="A1234567", jmsb_basic_specialty="pediatrics",
            basic_program_status="specialist_certified", facility_id=fac,
            email=f"trainee@{slug}.example.jp")
        application = self.migrated_application(tid, trainee, fac, director)
        return SimpleNamespace(tenant_id=tid, facility=fac, other_facility=other_fac,
                               director=director, other_director=other_director,
                               secretariat=secretariat, trainee=trainee, application=application,
                               slug=slug)

    def world(self) -> SimpleNamespace:
        return SimpleNamespace(jsicm=self.society("jsicm", "日本集中治療医学会"),
                               jmsb=self.society("jmsb", "日本専門医機構"))


@pytest.fixture
def factories(app) -> Factories:
    return Factories(app)


@pytest.fixture
def world(factories):
    """Two societies (jsicm with the manual's trainee, and jmsb) and their people."""
    return factories.world()


@pytest.fixture
def add_rows(app):
    """add_rows(tenant_id, *rows) -> their ids: ORM rows added and committed in that tenant."""

    def add(tenant_id: int, *rows) -> list[int]:
        with app.app_context(), tenant_scope(db.session, tenant_id):
            db.session.add_all(rows)
            db.session.commit()
            return [r.id for r in rows]

    return add


@pytest.fixture
def give_license(app):
    """give_license(tenant_id, user_id, provisional=False) -> the id of a 医師免許証 on file."""

    def give(tenant_id: int, user_id: int, provisional: bool = False) -> int:
        with app.app_context(), tenant_scope(db.session, tenant_id):
            file = StoredFile(tenant_id=tenant_id, key=str(uuid.uuid4()), owner_id=user_id,
                              slot="medical_license", original_filename="医師免許証.png",
                              mime_type="image/png", size_bytes=10, sha256="0" * 64,
                              state="committed")
            licence = MedicalLicense(tenant_id=tenant_id, user_id=user_id, file=file,
                                     is_provisional=provisional,
                                     status="provisional" if provisional else "submitted",
                                     uploaded_at=utcnow())
            db.session.add(licence)
            db.session.commit()
            return licence.id

    return give
