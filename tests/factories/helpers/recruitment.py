"""JMSB recruitment: the logins of the world's jmsb people, the fiscal year the factory's
rounds recruit for, and row counts read back."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.blueprints.recruitment.models import (
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
)
from portal.extensions import db
from portal.tenants.scoping import tenant_scope

START_FY = 2027
JIMU = "jmsb-jimu@example.jp"
DIRECTOR = "jmsb-director@example.jp"
TRAINEE = "trainee@jmsb.example.jp"
TABLES = (RecruitmentProgram, RecruitmentRound, RecruitmentApplication, AuditEvent)


def counts(app, tenant_id: int) -> tuple[int, ...]:
    """Rows of programs, rounds, applications and audit events: what a refused form left."""
    with app.app_context(), tenant_scope(db.session, tenant_id):
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in TABLES)
