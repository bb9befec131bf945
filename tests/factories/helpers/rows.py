"""Reading rows back, each in its own app context and tenant scope, detached from the session
(so a test can look at them after the context is gone); and the SQL a request sends."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.extensions import db
from portal.mail import OutboxMail
from portal.tenants.scoping import system_scope, tenant_scope


def outbox(app, **filters) -> list[OutboxMail]:
    """Every mail in the outbox (all societies), oldest first, where column == value."""
    with app.app_context(), system_scope(db.session):
        stmt = select(OutboxMail).order_by(OutboxMail.id)
        for key, value in filters.items():
            stmt = stmt.where(getattr(OutboxMail, key) == value)
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return rows


def read(app, tenant_id: int, stmt) -> list:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return rows


def get(app, tenant_id: int, model, row_id: int):
    with app.app_context(), tenant_scope(db.session, tenant_id):
        row = db.session.get(model, row_id)
        db.session.expunge_all()
        return row


def find_user(app, tenant_id: int, **where) -> User | None:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        stmt = select(User)
        for key, value in where.items():
            stmt = stmt.where(getattr(User, key) == value)
        user = db.session.scalar(stmt)
        if user is not None:
            db.session.expunge(user)
        return user


def audit_actions(app, tenant_id: int, entity_type: str) -> list[str]:
    return [e.action for e in read(app, tenant_id, select(AuditEvent).where(
        AuditEvent.entity_type == entity_type).order_by(AuditEvent.id))]


def user(user_id: int) -> User:
    """The user in the session of the app context in force (a request being imitated)."""
    return db.session.get(User, user_id)


@contextmanager
def writing(app, tenant_id: int) -> Iterator[Session]:
    """A session in the tenant's scope, committed at the end: rows changed directly, as another
    process or a script would."""
    with app.app_context(), tenant_scope(db.session, tenant_id):
        yield db.session
        db.session.commit()


def sql_sent(app, request: Callable[[], object]) -> list[str]:
    """The statements `request()` sends to the database, as text."""
    seen: list[str] = []

    def keep(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return seen
