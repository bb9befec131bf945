"""Test set-up: the real migrated schema (Alembic, not create_all), on SQLite by default and
on PostgreSQL when DATABASE_URL says so. On PostgreSQL the app connects as `portal_app`,
a role that does not own the tables, so row-level security is exercised by every test."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.db import Base
from portal.extensions import limiter
from portal.tenants.resolve import clear_cache
from tests.factories import Factories

APP_ROLE = "portal_app"


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


@pytest.fixture(autouse=True)
def _clean(request, db_urls):
    yield
    if "app" in request.fixturenames or "world" in request.fixturenames:
        _wipe(db_urls)
        clear_cache()
        limiter.reset()


@pytest.fixture
def factories(app) -> Factories:
    return Factories(app)


@pytest.fixture
def world(factories):
    """Two societies (jsicm with the manual's trainee, and jmsb) and their people."""
    return factories.world()


class HostClient(FlaskClient):
    """Every request goes to this client's tenant host unless told otherwise."""

    host = "localhost"

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)


class TenantClient:
    """A test client bound to one tenant host; posts carry the page's CSRF token."""

    def __init__(self, app, host: str):
        self.client = HostClient(app, app.response_class, use_cookies=True)
        self.client.host = host
        self.host = host

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data=None, csrf_from: str | None = None, headers=None, **kw):
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = self.csrf(csrf_from or "/login")
        return self.client.post(path, data=data, headers=headers, **kw)

    def csrf(self, path: str = "/login") -> str:
        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'"X-CSRFToken": "([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, identifier: str, password: str = "pass-word-123"):
        response = self.post("/login", {"identifier": identifier, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def text(self, path: str) -> str:
        return self.get(path).get_data(as_text=True)


@pytest.fixture
def client_for(app):
    return lambda host: TenantClient(app, host)


@pytest.fixture
def jsicm(client_for, world):
    return client_for("jsicm.localhost")


@pytest.fixture
def jmsb(client_for, world):
    return client_for("jmsb.localhost")


@pytest.fixture
def files_dir(app) -> Path:
    return Path(app.config["STORAGE_DIR"])
