"""Test set-up: the real migrated schema (Alembic, not create_all), on SQLite by default and
on PostgreSQL when DATABASE_URL says so. On PostgreSQL the app connects as `portal_app`,
a role that does not own the tables, so row-level security is exercised by every test.

Every test that uses the app gets `db`, which undoes the test's rows afterwards:

- by default, by rolling back. The test has one connection with a transaction begun on it;
  the session of every app context (each request, each factory call) joins that connection
  in a SAVEPOINT of its own, so the app's commit once per request is real to the app and to
  the test, and the whole lot is rolled back at the end (SQLAlchemy's "Joining a Session into
  an External Transaction");
- for tests marked `committed`, by emptying every table afterwards. Those are the tests whose
  rows another connection must read: an rq worker process, a live server thread, requests
  run in parallel threads, a second app with its own engine that counts statements, the
  owner's snapshot, PostgreSQL roles and pooled connections checked from outside. Tests that
  use the fixtures in COMMITTING_FIXTURES are marked by themselves.

Factories and the other shared fixtures come from the plugin tests/factories."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from portal import create_app, extensions
from portal.db import Base
from portal.extensions import limiter
from portal.tenants import scoping
from portal.tenants.resolve import clear_cache

pytest_plugins = ["tests.factories"]

APP_ROLE = "portal_app"
# Fixtures whose tests need real commits (see above): a second app with its own pool, a
# worker process, and the owner's snapshot of every table.
COMMITTING_FIXTURES = frozenset({"make_live_app", "run_worker", "snapshot", "wipe_tables"})


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if COMMITTING_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.committed)


def _pg_urls(owner_url: str) -> tuple[str, str]:
    owner = make_url(owner_url).set(drivername="postgresql+psycopg")
    app_url = owner.set(username=APP_ROLE, password=None)
    return owner.render_as_string(hide_password=False), app_url.render_as_string(hide_password=False)


def _prepare_postgres(owner_url: str) -> None:
    engine = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}).scalar()
        if not exists:
            conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN"))
    engine.dispose()


def grant_app_role(owner_url: str) -> None:
    engine = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
        conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}"))
        conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {APP_ROLE}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}"))
    engine.dispose()


@pytest.fixture(scope="session")
def db_urls(tmp_path_factory) -> dict:
    raw = os.environ.get("DATABASE_URL", "")
    if raw.startswith("postgres"):
        owner, app_url = _pg_urls(raw)
        _prepare_postgres(owner)
        return {"app": app_url, "owner": owner, "dialect": "postgresql"}
    path = tmp_path_factory.mktemp("db") / "portal-test.db"
    return {"app": f"sqlite:///{path}", "owner": f"sqlite:///{path}", "dialect": "sqlite"}


@pytest.fixture(scope="session")
def app_config(db_urls, tmp_path_factory) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": db_urls["app"],
        "MIGRATE_DATABASE_URL": db_urls["owner"] if db_urls["dialect"] == "postgresql" else None,
        "STORAGE_DIR": tmp_path_factory.mktemp("storage"),
        "REDIS_URL": None,  # unit tests run jobs in-process; integration tests use real Redis
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_URL": None,
        "DEV_MAILBOX": True,
        "BASE_DOMAIN": "localhost",
        "EXTERNAL_PORT": "5000",
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def app(app_config, db_urls):
    application = create_app(app_config)
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    if db_urls["dialect"] == "postgresql":
        grant_app_role(db_urls["owner"])
    # Fast hashes in tests; production keeps argon2's defaults.
    import portal.accounts.services as auth_services

    auth_services._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return application


# --- isolation ----------------------------------------------------------------------------

class JoinedSession(FlaskSQLAlchemySession):
    """db.session's class while a test is rolled back. Flask-SQLAlchemy's session picks an
    engine for each statement by itself; this one always answers the test's connection, which
    it joins in a SAVEPOINT (join_transaction_mode="create_savepoint"). The app's listeners
    on Flask-SQLAlchemy's session class (tenant scoping, mail, storage) apply to it as well."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


_JOINED = "tests.joined_sessions"


@event.listens_for(JoinedSession, "after_begin")
def _joined(session, transaction, connection) -> None:
    sessions = connection.info.setdefault(_JOINED, [])
    if session not in sessions:
        sessions.append(session)


@event.listens_for(JoinedSession, "after_transaction_end")
def _left(session, transaction) -> None:
    """Sessions of nested app contexts share the test's connection, where in the app each has
    its own. app.tenant_id is set per connection on PostgreSQL (portal.tenants.scoping), so
    when an inner session ends, the session it interrupted gets its own tenant back: a
    factory committing jmsb rows must not leave a jsicm request's session under jmsb's
    row-level security. (A ROLLBACK TO SAVEPOINT puts the server's value back by itself.)"""
    if transaction.parent is not None:
        return
    connection = session.bind
    sessions = connection.info.get(_JOINED, [])
    if session not in sessions:
        return
    sessions.remove(session)
    if sessions and connection.dialect.name == "postgresql" and connection.in_transaction():
        scoping._set_connection_tenant(connection, sessions[-1].info.get("pg_tenant", ""))


@contextmanager
def _rolled_back(app) -> Iterator[None]:
    with app.app_context():
        engine = extensions.db.engine
    connection = engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # pysqlite starts a transaction only before a write (not for SAVEPOINT), so releasing
        # the first savepoint would commit. Its own handling is off for this connection and
        # BEGIN is sent explicitly (SQLAlchemy's pysqlite SAVEPOINT recipe).
        driver = connection.connection.driver_connection
        isolation_level, driver.isolation_level = driver.isolation_level, None
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    real_session = extensions.db.session
    extensions.db.session = extensions.db._make_scoped_session({
        "class_": JoinedSession, "bind": connection, "join_transaction_mode": "create_savepoint"})
    try:
        yield
    finally:
        extensions.db.session = real_session
        connection.info.pop(_JOINED, None)
        outer.rollback()
        if sqlite:
            driver.isolation_level = isolation_level
        connection.close()


def _wipe(db_urls) -> None:
    engine = create_engine(db_urls["owner"])
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if db_urls["dialect"] == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
    engine.dispose()


@pytest.fixture
def db(app, db_urls, request):
    """portal.extensions.db for this test; whatever the test wrote is gone afterwards (rolled
    back, or for tests marked `committed`, deleted)."""
    if request.node.get_closest_marker("committed"):
        yield extensions.db
        _wipe(db_urls)
    else:
        with _rolled_back(app):
            yield extensions.db
    clear_cache()
    limiter.reset()


@pytest.fixture(autouse=True)
def _isolated(request):
    """Every test that uses the app (and so the database) is isolated by `db`."""
    if "app" in request.fixturenames:
        request.getfixturevalue("db")


@pytest.fixture
def wipe_tables(db_urls):
    """wipe_tables(): empty every table now (tests marked `committed` only)."""
    return lambda: _wipe(db_urls)


# --- clients ------------------------------------------------------------------------------

@pytest.fixture
def client_for(app):
    """client_for(host, app=the session app) -> a TenantClient on that host."""
    from tests.factories.helpers.clients import TenantClient  # after the plugin (assertions)

    return lambda host, other_app=None: TenantClient(other_app or app, host)


@pytest.fixture
def jsicm(client_for, world):
    return client_for("jsicm.localhost")


@pytest.fixture
def jmsb(client_for, world):
    return client_for("jmsb.localhost")


@pytest.fixture
def files_dir(app) -> Path:
    return Path(app.config["STORAGE_DIR"])
