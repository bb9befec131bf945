"""Pooled database connections: checked before use only when they have sat idle.

SQLAlchemy's `pool_pre_ping` sends a round trip before every request's first statement; on a
busy worker that is about a tenth of a small page's cost, to catch the rare connection the
server closed (a restart, a failover, an idle timeout in a proxy). Those close connections that
sat in the pool, so a connection idle longer than IDLE_PING_SECONDS is pinged before use and
replaced if dead (SQLAlchemy's pessimistic recipe: DisconnectionError makes the pool retry
with a fresh one). One that was in use a moment ago is not; if the server went away in
between, the statement fails, SQLAlchemy invalidates the whole pool, and the next request
starts on new connections.
"""
from __future__ import annotations

import time
from typing import Any

from flask import Flask
from sqlalchemy import event, exc

IDLE_PING_SECONDS = 10.0
_CHECKED_IN = "portal.checked_in_at"


def _checkin(dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_CHECKED_IN] = time.monotonic()


def _make_checkout(engine: Any):
    def _checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        checked_in = record.info.get(_CHECKED_IN)
        if checked_in is None or time.monotonic() - checked_in < IDLE_PING_SECONDS:
            return  # new (just connected) or in use a moment ago
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if not dialect.is_disconnect(error, dbapi_connection, None):
                raise
            raise exc.DisconnectionError("connection closed while idle in the pool") from error

    return _checkout


def install(app: Flask) -> None:
    """Per engine: the idle ping, and the tenant setting each connection carries."""
    from portal.extensions import db
    from portal.tenants.scoping import install_pg_memory

    with app.app_context():
        for engine in db.engines.values():
            if not event.contains(engine, "checkin", _checkin):
                event.listen(engine, "checkin", _checkin)
                event.listen(engine, "checkout", _make_checkout(engine))
            install_pg_memory(engine)
