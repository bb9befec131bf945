"""B-R05 / Q26: at the end of a recruitment year (1 April, when its training starts), accounts
registered before it that never applied are archived: inactive, sessions void, and their
医籍登録番号, e-mail and login set aside, so the doctor can register again as a new user. The
secretariat can undo it while nobody has registered with them since. Whether someone applied
is recruitment's answer ("ever_applied"). Services flush, never commit."""
from __future__ import annotations

from datetime import date, datetime, time

from flask import current_app, g
from sqlalchemy import func, or_, select, update

from portal import audit
from portal.accounts.models import Role, User
from portal.accounts.services import void_sessions
from portal.blueprints.registration.models import ArchivedRegistration
from portal.blueprints.registration.services.registrant import RegistrationError
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import N_
from portal.registry import registry
from portal.tenants.scoping import system_scope, tenant_scope
from portal.ui import JST

TAKEN = N_("この医籍登録番号またはメールアドレスで新しいアカウントが登録されているため、取り消せません。")
NOT_ARCHIVED = N_("このアカウントはアーカイブされていません。")


def fiscal_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _candidates(cutoff: datetime) -> list[User]:
    archived = select(ArchivedRegistration.user_id).where(ArchivedRegistration.restored_at.is_(None))
    return list(db.session.scalars(select(User).where(
        User.role == Role.trainee.value, User.active.is_(True), User.facility_id.is_(None),
        User.medical_registration_number.is_not(None), User.created_at < cutoff,
        User.id.not_in(archived)).order_by(User.id)))


def archive_never_applied(today: date, now: datetime | None = None) -> int:
    """This society's accounts registered before this fiscal year that never applied."""
    if not g.rules.registration.archive_never_applied:
        return 0
    year = fiscal_year(today)
    cutoff = datetime.combine(date(year, 4, 1), time(0, 0), tzinfo=JST)
    people = _candidates(cutoff)
    applied = registry().answer("ever_applied", g.rules, [u.id for u in people], default=None)
    if applied is None:  # nobody can say who applied: archive nobody
        return 0
    now = now or utcnow()
    return sum(_archive(user, year - 1, now) for user in people if user.id not in applied)


def _archive(user: User, year: int, now: datetime) -> bool:
    previous = db.session.scalar(select(ArchivedRegistration).where(
        ArchivedRegistration.user_id == user.id))
    row = previous or ArchivedRegistration(tenant_id=user.tenant_id, user_id=user.id)
    row.medical_registration_number, row.email, row.login_id = (
        user.medical_registration_number, user.email, user.login_id)
    row.fiscal_year, row.archived_at, row.restored_at, row.restored_by_id = year, now, None, None
    moved = db.session.execute(
        update(User).where(User.id == user.id, User.active.is_(True))
        .values(active=False, medical_registration_number=None,
                email=f"archived-{user.id}@archived.invalid", login_id=f"archived-{user.id}")
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        return False
    db.session.add(row)
    db.session.flush()
    db.session.refresh(user)
    void_sessions(user)
    audit.record("registration_archived", user, from_state="active", to_state="archived",
                 reason=f"{year}年度 未応募")
    return True


def archived(user_id: int) -> ArchivedRegistration | None:
    return db.session.scalar(select(ArchivedRegistration).where(
        ArchivedRegistration.user_id == user_id, ArchivedRegistration.restored_at.is_(None)))


def restore(actor: User, user_id: int, now: datetime | None = None) -> User:
    """取り消し: the account gets its number, e-mail and login back, unless taken since."""
    row = archived(user_id)
    if row is None:
        raise RegistrationError(NOT_ARCHIVED, 409)
    taken = db.session.scalar(select(User.id).where(User.id != user_id, or_(
        User.medical_registration_number == row.medical_registration_number,
        func.lower(User.email) == row.email.lower(), User.login_id == row.login_id)).limit(1))
    if taken is not None:
        raise RegistrationError(TAKEN, 409)
    claimed = db.session.execute(
        update(ArchivedRegistration).where(ArchivedRegistration.id == row.id,
                                           ArchivedRegistration.restored_at.is_(None))
        .values(restored_at=now or utcnow(), restored_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise RegistrationError(NOT_ARCHIVED, 409)
    user = db.session.get(User, user_id)
    user.active, user.medical_registration_number = True, row.medical_registration_number
    user.email, user.login_id = row.email, row.login_id
    db.session.flush()
    audit.record("registration_restored", user, actor=actor, from_state="archived",
                 to_state="active")
    return user


def archive_everywhere(today: date) -> tuple[int, list[str]]:
    """Every active society that archives, each in its own request context and commit."""
    from portal.tenants.models import Tenant
    from portal.tenants.resolve import TenantRef, bind_tenant, primary_host, rules_for

    app = current_app._get_current_object()
    with system_scope(db.session):
        refs = [TenantRef(t.id, t.slug, t.name, primary_host(t, app.config["BASE_DOMAIN"]))
                for t in db.session.scalars(select(Tenant).order_by(Tenant.id))
                if t.is_active and rules_for(t.slug, t.name).registration.archive_never_applied]
    db.session.rollback()
    done, failed = 0, []
    for ref in refs:
        with app.test_request_context("/", base_url=f"http://{ref.primary_host}"):
            bind_tenant(ref)
            try:
                with tenant_scope(db.session, ref.id):
                    done += archive_never_applied(today)
                    db.session.commit()
            except Exception:
                db.session.rollback()
                current_app.logger.exception("archiving failed for %s", ref.slug)
                failed.append(ref.slug)
            finally:
                db.session.close()
    return done, failed
