"""A pooled connection the server closed while it sat idle is replaced before a page uses it
(portal.connections), and one in use a moment ago is not pinged at all."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from portal import connections
from portal.extensions import db

# The pool's own connections are closed, terminated and pinged: no test connection in between.
pytestmark = pytest.mark.committed


@pytest.fixture
def pg_app(app, db_urls, world):
    if db_urls["dialect"] != "postgresql":
        pytest.skip("needs a server that can close a connection")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()


def _backend_pid(app) -> int:
    with app.app_context():
        pid = db.session.connection().execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.commit()
        db.session.remove()
        return pid


def _terminate(db_urls, pid: int) -> None:
    owner = create_engine(db_urls["owner"], isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    owner.dispose()


def test_a_connection_closed_while_idle_is_replaced_and_the_page_answers(
        pg_app, db_urls, jsicm, monkeypatch):
    jsicm.login("jsicm-800014")
    pid = _backend_pid(pg_app)
    _terminate(db_urls, pid)
    monkeypatch.setattr(connections, "IDLE_PING_SECONDS", 0.0)  # it has been idle "long enough"
    response = jsicm.get("/")
    assert response.status_code == 200
    assert _backend_pid(pg_app) != pid


def test_a_connection_in_use_a_moment_ago_is_not_pinged(pg_app, monkeypatch):
    with pg_app.app_context():
        dialect = db.engine.dialect
    pings = []
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    _backend_pid(pg_app)
    _backend_pid(pg_app)
    assert pings == []
    monkeypatch.setattr(connections, "IDLE_PING_SECONDS", 0.0)
    _backend_pid(pg_app)
    assert pings == [1]
