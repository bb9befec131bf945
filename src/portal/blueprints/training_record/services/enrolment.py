"""採用 -> 在籍 (issue 17 item 1, B-W02 `accepted --> enrolled`): at the start of the program
year every accepted applicant becomes an enrolled trainee with a planned start date (1 April,
B-R09) and a cohort (the start fiscal year). The daily command runs it in every society with
the module; the guarded UPDATE in recruitment and the unique key on application_id make it
happen once however often, and on however many hosts, it runs."""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app, g
from sqlalchemy import select

from portal import audit
from portal.accounts.models import User
from portal.blueprints.training_record.models import TraineeEnrollment
from portal.db import utcnow
from portal.extensions import db
from portal.mail import queue_mail
from portal.registry import registry
from portal.tenants.scoping import system_scope, tenant_scope
from portal.urls import external_url
from portal.worklist.services import notify_user


def fiscal_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def enrol_due(today: date, now: datetime | None = None) -> int:
    """This society's 採用 applicants whose program year has begun. Returns how many enrolled."""
    now = now or utcnow()
    due = registry().answer("accepted_for_enrollment", g.rules, fiscal_year(today), default=[])
    return sum(_enrol(row, now) for row in due)


def _enrol(row: dict, now: datetime) -> bool:
    if not registry().answer("claim_enrollment", g.rules, row["application_id"], default=False):
        return False  # another run moved it first
    trainee = db.session.get(User, row["trainee_id"])
    enrollment = TraineeEnrollment(
        tenant_id=trainee.tenant_id, trainee_id=trainee.id, application_id=row["application_id"],
        program_name=row["program_name"], specialty=row["specialty"],
        cohort_fiscal_year=row["start_fiscal_year"], director_id=row["director_id"],
        facility_id=row["facility_id"], track=row["track"] or "program",
        planned_start_date=date(row["start_fiscal_year"], 4, 1), enrolled_at=now)
    db.session.add(enrollment)
    db.session.flush()
    audit.record("trainee_enrolled", enrollment, from_state="accepted", to_state="enrolled",
                 reason=row["program_name"])
    queue_mail("training_enrolled", trainee.email, trainee=trainee, enrollment=enrollment,
               link=external_url("training_record.index"))
    notify_user(trainee, "専攻医として在籍登録されました。", row["program_name"], now=now)
    return True


def enrollment_of(trainee_id: int) -> TraineeEnrollment | None:
    return db.session.scalar(select(TraineeEnrollment).where(
        TraineeEnrollment.trainee_id == trainee_id).order_by(TraineeEnrollment.id.desc()).limit(1))


def enrol_everywhere(today: date) -> tuple[int, list[str]]:
    """Every active society with the module, each in its own request context (rules, mail
    links), tenant scope and commit; one failing does not stop the others."""
    from portal.tenants.models import Tenant
    from portal.tenants.resolve import TenantRef, bind_tenant, primary_host, rules_for

    app = current_app._get_current_object()
    with system_scope(db.session):
        refs = [TenantRef(t.id, t.slug, t.name, primary_host(t, app.config["BASE_DOMAIN"]))
                for t in db.session.scalars(select(Tenant).order_by(Tenant.id))
                if t.is_active and rules_for(t.slug, t.name).has_module("training_record")]
    db.session.rollback()
    enrolled, failed = 0, []
    for ref in refs:
        with app.test_request_context("/", base_url=f"http://{ref.primary_host}"):
            bind_tenant(ref)
            try:
                with tenant_scope(db.session, ref.id):
                    enrolled += enrol_due(today)
                    db.session.commit()
            except Exception:
                db.session.rollback()
                current_app.logger.exception("enrolment failed for %s", ref.slug)
                failed.append(ref.slug)
            finally:
                db.session.close()
    return enrolled, failed
