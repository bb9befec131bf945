"""Shared set-up for the secretariat's recruitment tests: a logged-in 事務局 client, rows read
back from the database, and applications made in bulk."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.blueprints.recruitment.models import (
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
)
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.recruitment.conftest import add_rows

JIMU = "jmsb-jimu@example.jp"
DIRECTOR = "jmsb-director@example.jp"
TRAINEE = "trainee@jmsb.example.jp"
TABLES = (RecruitmentProgram, RecruitmentRound, RecruitmentApplication, AuditEvent)


@pytest.fixture
def jimu(jmsb, rec):
    jmsb.login(JIMU)
    return jmsb


def read(app, tenant_id: int, stmt):
    with app.app_context(), tenant_scope(db.session, tenant_id):
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return rows


def get(app, tenant_id: int, model, row_id: int):
    with app.app_context(), tenant_scope(db.session, tenant_id):
        row = db.session.get(model, row_id)
        db.session.expunge_all()
        return row


def counts(app, tenant_id: int) -> tuple[int, ...]:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in TABLES)


def audit_actions(app, tenant_id: int, entity_type: str) -> list[str]:
    return [e.action for e in read(app, tenant_id, select(AuditEvent).where(
        AuditEvent.entity_type == entity_type).order_by(AuditEvent.id))]


def applicants(app, tenant_id: int, n: int, prefix: str = "応募者", start: int = 1) -> list[int]:
    """n trainees with distinct names, kana and 医籍登録番号 (100001, 100002, ... from start)."""
    rows = [User(tenant_id=tenant_id, login_id=f"bulk-{i}", email=f"bulk-{i}@example.jp",
                 role="trainee", full_name=f"{prefix} {i:03d}", full_name_kana=f"オウボシャ {i:03d}",
                 medical_registration_number=str(100000 + i)) for i in range(start, start + n)]
    return add_rows(app, tenant_id, *rows)


def applications(app, rec, people: list[int], program: int | None = None, round_id: int | None = None,
                 status: str = "applied", **fields) -> list[int]:
    at = rec.now - timedelta(hours=1)
    rows = [RecruitmentApplication(
        tenant_id=rec.tenant_id, applicant_id=person, program_id=program or rec.program,
        round_id=round_id or rec.round1, start_fiscal_year=2027, status=status, applied_at=at,
        **fields) for person in people]
    return add_rows(app, rec.tenant_id, *rows)
