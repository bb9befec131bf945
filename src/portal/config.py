"""Settings from the environment, with embedded defaults so a newcomer needs no services."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'portal.db'}"
    # Heroku-style URLs name the old driver; we use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Read once at start-up. Tests pass overrides to create_app()."""

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret()
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        # Migrations may run as the table owner while the app runs as a role without
        # ownership (so PostgreSQL row-level security applies to it).
        self.MIGRATE_DATABASE_URL = os.environ.get("MIGRATE_DATABASE_URL")
        # Connections idle in the pool are pinged before use (portal.connections), not all.
        self.SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
        # libpq waits for an unreachable server without end by default; a page must not:
        # after this it answers 503 (portal.errors.database_unavailable; create_app sets it).
        self.DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", 5))
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.MAIL_URL = os.environ.get("MAIL_URL") or None
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "no-reply@portal.example")
        self.STORAGE_DIR = Path(os.environ.get("STORAGE_DIR") or ROOT / "instance" / "storage")
        # s3://bucket/prefix keeps every file in an S3-compatible store (portal.objectstore),
        # so any node serves any file; STORAGE_DIR then only holds files being checked.
        self.STORAGE_URL = os.environ.get("STORAGE_URL") or None
        self.S3_ENDPOINT_URL = (os.environ.get("S3_ENDPOINT_URL")
                                or os.environ.get("AWS_ENDPOINT_URL") or None)
        self.BASE_DOMAIN = os.environ.get("BASE_DOMAIN", "localhost")
        # Links in mail are built from the tenant's configured host, never the request's.
        self.EXTERNAL_SCHEME = os.environ.get("EXTERNAL_SCHEME", "http")
        self.EXTERNAL_PORT = os.environ.get("EXTERNAL_PORT", "5000")
        # Strict-Transport-Security, sent when EXTERNAL_SCHEME is https (portal.security).
        self.HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", 365 * 24 * 3600))
        self.HSTS_INCLUDE_SUBDOMAINS = _bool("HSTS_INCLUDE_SUBDOMAINS")
        self.DEV_MAILBOX = _bool("DEV_MAILBOX")
        self.SECURE_COOKIES = _bool("SECURE_COOKIES", default=self.EXTERNAL_SCHEME == "https")
        self.MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 11 * 1024 * 1024))
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        # Several deployments (or test clusters) sharing one Redis count apart under their own prefix.
        self.RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
        # Rate limits fail open: with Redis down they count in this process's memory (the
        # same limits, per worker) instead of failing the login with a 500.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
        self.BABEL_DEFAULT_LOCALE = "ja"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
        self.WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock
        self.PERMANENT_SESSION_LIFETIME = 60 * 60 * 8
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.SECURE_COOKIES
        # __Host- cookies must be Secure, have Path=/ and no Domain: one cookie per host.
        self.SESSION_COOKIE_NAME = "__Host-portal" if self.SECURE_COOKIES else "portal_session"
        self.SESSION_COOKIE_DOMAIN = None
        self.TOKEN_TTL_SECONDS = 60 * 60
        # A PDF render still running after this is killed (its own process, portal.pdf).
        self.PDF_TIME_LIMIT_SECONDS = float(os.environ.get("PDF_TIME_LIMIT_SECONDS", 20))
        self.LOGIN_FAILURES_PER_MINUTE = 5
        # Failed logins from one client address, whatever the accounts tried (a limits string).
        self.LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS",
                                                         "20/minute;100/hour")
        # Proxies in front of the app that append to X-Forwarded-For (nginx, a load balancer):
        # 0 = none, the socket's address is the client's and the header is ignored.
        self.TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", 0))

        # Uploads per user, all upload forms together (Flask-Limiter syntax): bounds the disk
        # one account can fill between two daily purges.
        self.UPLOAD_RATE_LIMIT = os.environ.get("UPLOAD_RATE_LIMIT", "10/minute;60/hour")
        self.TENANTS_DIR = Path(__file__).resolve().parent / "tenants"
        # How long a node keeps a host's society in memory: a new domain (or a society made
        # again under a new id, as tests do) is seen by every node within this many seconds.
        self.TENANT_CACHE_SECONDS = float(os.environ.get("TENANT_CACHE_SECONDS", 30))
        self.OUTBOX_SWEEP_AGE_SECONDS = 30
        # A mail claimed ("sending") this long ago by a worker that never said how it went
        # is taken again: the worker died, perhaps after the SMTP server took the mail, so
        # the retry may be a duplicate (same Message-ID). With the sweeper every 10 s, a
        # retry comes within a minute. Longer than one SMTP operation's timeout (portal.mail).
        self.OUTBOX_STALE_SENDING_SECONDS = int(os.environ.get("OUTBOX_STALE_SENDING_SECONDS",
                                                               30))
        # Diagnostics for tests and bench/: X-SQL-Count on every response (portal.devdata.sqlcount).
        self.SQL_COUNT_HEADER = _bool("SQL_COUNT_HEADER")
        # Operations (portal.observability): `json` or `text` logs, one log line per request,
        # Prometheus metrics at /metrics (loopback only, or with this bearer token).
        self.LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
        self.LOG_REQUESTS = _bool("LOG_REQUESTS")
        self.METRICS_ENABLED = _bool("METRICS_ENABLED", default=True)
        self.METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None


def _dev_secret() -> str:
    """A stable random key per checkout for development; production must set SECRET_KEY."""
    path = ROOT / "instance" / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    return key
