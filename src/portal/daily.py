"""Daily jobs across societies: list the tenants with work under system_scope, then run the
job's body once per tenant with that tenant bound as a request would bind it (g.tenant,
g.rules, mail links on its primary host), under tenant_scope, with its own commit."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.tenants.scoping import system_scope, tenant_scope


def active_tenant_ids(query=None) -> list[int]:
    """The ids `query` (a select of tenant ids) yields, or every active tenant's."""
    from portal.tenants.models import Tenant

    with system_scope(db.session):
        ids = set(db.session.scalars(query if query is not None else select(Tenant.id)))
        found = sorted(t.id for t in (db.session.get(Tenant, i) for i in ids)
                       if t is not None and t.is_active)
    db.session.rollback()
    return found


def run_per_tenant(tenant_ids: Iterable[int], body: Callable[[int], Any]) -> list[Any]:
    """body(tenant_id) for each tenant, committed one tenant at a time. The body must be safe
    to run twice (guarded updates, unique keys): on SQLite it may be run again, see _once."""
    from portal.tenants.resolve import bind_tenant, ref_for_id

    app = current_app._get_current_object()
    results = []
    for tenant_id in tenant_ids:
        with system_scope(db.session):
            ref = ref_for_id(tenant_id)
        db.session.rollback()
        with app.test_request_context("/", base_url=f"http://{ref.primary_host}"):
            bind_tenant(ref)
            results.append(_once(ref.id, body))
    return results


def _once(tenant_id: int, body: Callable[[int], Any], wait_seconds: float = 60.0) -> Any:
    """One tenant's transaction. SQLite (the embedded default) has one writer, and a run that
    read first and then wants to write while another run writes is refused at once ("database
    is locked": SQLite does not wait where waiting could deadlock); it rolls back and starts
    again until the other run has committed, then finds the work done. PostgreSQL waits row by
    row on its own (unique keys, guarded UPDATEs), so nothing is retried there."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            with tenant_scope(db.session, tenant_id):
                result = body(tenant_id)
                db.session.commit()
            return result
        except OperationalError as exc:
            db.session.rollback()
            locked = db.session.get_bind().dialect.name == "sqlite" and "locked" in str(exc)
            if not locked or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        except Exception:
            db.session.rollback()
            raise
