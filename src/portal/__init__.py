"""The portal: one Flask deployment, many societies (tenants), each on its own host."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_sqlalchemy.session import Session as FSASession

from portal.config import ROOT, Config
from portal.tenants.loader import TenantEnvironment


class PortalFlask(Flask):
    jinja_environment = TenantEnvironment


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = PortalFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(Config())
    app.config.update(config or {})
    # Before any route is added: every <int:...> is bounded to the database's integer range.
    from portal.web import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter
    from portal import observability

    observability.init_app(app)  # first: every later hook logs with the request id
    _trust_proxies(app)
    _init_extensions(app)
    _init_tenancy(app)
    _register_features(app)
    _register_errors(app)
    app.add_url_rule("/_health", "health", _health)
    from portal import cli, pdf, probes

    app.add_url_rule("/_ready", "ready", probes.ready)
    from portal.devdata import cli as devdata_cli

    cli.init_app(app)
    devdata_cli.init_app(app)  # seed-demo, bench-data: the one edge from the app to devdata
    pdf.check_at_startup()
    return app


def _health() -> Response:
    """The stack's own ceiling and a load balancer's probe: no tenant, no session, no SQL."""
    return Response("ok\n", mimetype="text/plain")


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_HOPS proxies, the client's address is the entry the nearest
    trusted proxy added to X-Forwarded-For (what rate limits count), and the scheme the
    one it was reached by. The Host stays the request's own: the tenant comes from it."""
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    from portal import connections, i18n, mail, objectstore, storage
    from portal.extensions import csrf, db, htmx, limiter, login_manager, migrate
    from portal.tenants import scoping

    _init_compression(app)  # first registered, so its after_request runs last
    _limit_connect_time(app)
    db.init_app(app)
    objectstore.init_app(app)
    connections.install(app)
    if app.config.get("SQL_COUNT_HEADER"):  # tests and bench/ only: a development tool
        from portal.devdata import sqlcount

        sqlcount.init_app(app)  # before _commit_once, so it also counts what the commit flushes
    import portal.models  # noqa: F401 - the whole schema, for Alembic

    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    scoping.install(FSASession)
    mail.install(FSASession)
    storage.install(FSASession)
    from portal.accounts.loader import init_login

    init_login(app, login_manager)
    app.after_request(_commit_once)


def _limit_connect_time(app: Flask) -> None:
    """PostgreSQL only (the final URL decides: tests switch databases): a connect gives up
    after DB_CONNECT_TIMEOUT seconds, so a page answers 503 instead of waiting forever."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    options["connect_args"] = {"connect_timeout": app.config["DB_CONNECT_TIMEOUT"],
                               **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _init_compression(app: Flask) -> None:
    """brotli/gzip for pages, but not for a request another site started (Sec-Fetch-Site:
    cross-site): BREACH guesses a secret (the CSRF token) from the compressed size of pages
    that also reflect its input, and it needs the victim's browser to send such requests."""
    from portal.extensions import compress

    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_REGISTER", False)
    # Pages are made per request and small: brotli quality 1 compresses a 7 KB page in a
    # quarter of quality 4's time (measured inside a request: 79 us against 320 us), for
    # about 300 more bytes on the wire. CPU is what a busy month runs short of.
    app.config.setdefault("COMPRESS_BR_LEVEL", 1)
    compress.init_app(app)

    @app.after_request
    def _compress(response: Response) -> Response:
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            response.vary.add("Accept-Encoding")
            return response
        return compress.after_request(response)


def _commit_once(response: Response) -> Response:
    """One commit per request, in one place: views and services never commit.
    Anything that answered with an error changes nothing."""
    from portal.extensions import db

    session = db.session()
    if response.status_code < 400:
        # The page is made: nothing reads this request's objects again, so the commit need
        # not mark every one of them stale (the session ends with the request).
        session.expire_on_commit = False
        session.commit()
    else:
        session.rollback()
    return response


def _init_tenancy(app: Flask) -> None:
    from portal import security, ui
    from portal.tenants import loader, resolve

    resolve.init_app(app)  # first before_request: everything after it knows the tenant
    security.init_app(app)
    loader.init_app(app)
    ui.init_app(app)


def _register_features(app: Flask) -> None:
    """Every feature registers its blueprint, menus, top-page panels, tasks and commands;
    a society gets those of the modules its rules.toml turns on (portal.registry)."""
    from portal import registry
    from portal.blueprints import (
        audit,
        auth,
        cases,
        credentials,
        deadlines,
        devtools,
        home,
        imports,
        notices,
        people,
        profile,
        progress,
        recruitment,
        registration,
        renewal,
        training_record,
    )

    registry.init_app(app, (auth.FEATURE, home.FEATURE, credentials.FEATURE, cases.FEATURE,
                            progress.FEATURE, profile.FEATURE, renewal.FEATURE, registration.FEATURE,
                            recruitment.FEATURE, imports.FEATURE, people.FEATURE, notices.FEATURE,
                            training_record.FEATURE, audit.FEATURE, deadlines.FEATURE,
                            devtools.FEATURE))


def _register_errors(app: Flask) -> None:
    """One answer for every error (portal.errors): a Refusal rolls back and shows its message,
    and an htmx request that fails with a 4xx gets only the message, in the message region."""
    from portal import errors

    errors.init_app(app)
