"""SECURITY.md 21 and 26 on every society: the demo data of jsicm, jmsb, jspm and jsgt
(`flask seed-demo`, one login per role), each login (and anonymous) walking every GET route
of the URL map with that society's own ids. No GET changes a row; every page sends the
security headers; no rendered page has inline script.

JMSB gets a round whose 選考結果登録締切 has passed with an application still 応募済: the
state in which pages used to run the close-out (`close_due_rounds`) and write on GET."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter, PathConverter

from portal.accounts.models import User
from portal.blueprints.recruitment.models import (
    RecruitmentApplication,
    RecruitmentProgram,
    RecruitmentRound,
)
from portal.db import Base, TenantScoped, utcnow
from portal.extensions import db
from portal.tenants.models import Tenant
from portal.tenants.scoping import system_scope, tenant_scope
from tests.factories.helpers.security import changes, fill, ids_for

PASSWORD = "demo-pass-2024"
LOGINS = {
    "jsicm": ["800014", "800015", "900001", "jimu", "shisetsu"],
    "jmsb": ["trainee@jmsb.example", "program-director@jmsb.example",
             "director2@jmsb.example", "secretariat@jmsb.example"],
    "jspm": ["core@jspm.example", "renkei@jspm.example", "secretariat@jspm.example"],
    "jsgt": ["trainee@jsgt.example", "applicant@jsgt.example", "director@jsgt.example",
             "facility@jsgt.example", "secretariat@jsgt.example"],
}
IDS_PER_ARGUMENT = 2  # the society's own first rows: enough to render each page with data
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def _seed(app) -> dict[str, int]:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context(), system_scope(db.session):
        return {t.slug: t.id for t in db.session.scalars(select(Tenant))}


def _jmsb_round_past_its_selection(app, tenant_id: int) -> None:
    """An application still 応募済 in a round whose selection period ended a minute ago and
    that nobody has closed out yet (the cron runs every 5 minutes)."""
    now = utcnow()
    with app.app_context(), tenant_scope(db.session, tenant_id):
        round_ = db.session.scalars(select(RecruitmentRound).order_by(RecruitmentRound.seq)).first()
        round_.opens_at, round_.closes_at = now - timedelta(days=30), now - timedelta(days=2)
        round_.decisions_close_at = now - timedelta(minutes=1)
        program = db.session.scalars(select(RecruitmentProgram)).first()
        applicant = db.session.scalar(select(User).where(User.login_id == "trainee@jmsb.example"))
        db.session.add(RecruitmentApplication(
            tenant_id=tenant_id, applicant_id=applicant.id, program_id=program.id,
            round_id=round_.id, start_fiscal_year=round_.start_fiscal_year, status="applied",
            applied_at=now - timedelta(days=3)))
        db.session.commit()


def _own_ids(app, tenant_id: int) -> dict[str, list[int]]:
    models = [m.class_ for m in Base.registry.mappers if issubclass(m.class_, TenantScoped)]
    with app.app_context(), tenant_scope(db.session, tenant_id):
        return {m.__tablename__: list(db.session.scalars(select(m.id).order_by(m.id)))
                for m in models}


def _urls(rule, ids: dict[str, list[int]]) -> list[str]:
    per_arg = {}
    for arg in rule.arguments:
        conv = rule._converters[arg]
        per_arg[arg] = (ids_for(arg, ids)[:IDS_PER_ARGUMENT] or [1]
                        if isinstance(conv, IntegerConverter)
                        else ["logo.png"] if isinstance(conv, PathConverter) else ["no-such-token"])
    if not per_arg:
        return [rule.rule]
    base = {arg: values[0] for arg, values in per_arg.items()}
    return [fill(rule, {**base, arg: v}) for arg, values in per_arg.items() for v in values]


def _clients(client_for) -> list[tuple[str, str | None, object]]:
    """(society, login, client) for anonymous and every demo login; logging in writes rows
    (last login, session version), so it happens before the snapshot."""
    out = []
    for slug, logins in LOGINS.items():
        for login in [None, *logins]:
            client = client_for(f"{slug}.localhost")
            if login:
                client.login(login, PASSWORD)
            out.append((slug, login, client))
    return out


def _walk(app, clients, tenants: dict[str, int]):
    """Yield (society, login, url, response) for every society, role and GET route."""
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]
    urls = {slug: [url for rule in rules for url in _urls(rule, _own_ids(app, tenants[slug]))]
            for slug in LOGINS}
    for slug, login, client in clients:
        for url in urls[slug]:
            for headers in ({}, {"HX-Request": "true"}):
                yield slug, login, url, client.get(url, headers=headers)


@pytest.fixture
def demo(app, snapshot):
    """The demo societies, committed (the snapshot reads them from its own connection)."""
    tenants = _seed(app)
    _jmsb_round_past_its_selection(app, tenants["jmsb"])
    return tenants


def test_no_get_changes_any_row_in_any_society(app, client_for, demo, snapshot):
    clients = _clients(client_for)
    before = snapshot()
    ok = {slug: 0 for slug in LOGINS}
    for slug, login, url, response in _walk(app, clients, demo):
        assert response.status_code < 500, (slug, login, url)
        ok[slug] += response.status_code == 200
    assert changes(before, snapshot()) == {}
    assert all(count >= 20 for count in ok.values()), ok  # real pages, not only refusals


def test_every_page_of_every_society_sends_the_headers_and_no_inline_script(
        app, client_for, demo):
    pages = {slug: 0 for slug in LOGINS}
    for slug, login, url, response in _walk(app, _clients(client_for), demo):
        where = (slug, login, url, response.status_code)
        assert response.headers["X-Content-Type-Options"] == "nosniff", where
        assert "HX-Request" in response.headers.get("Vary", ""), where
        if response.mimetype != "text/html":
            continue  # downloads and PDFs carry their own headers (tests/uploads)
        csp = {d.split()[0]: d.split()[1:] for d in response.headers.get(
            "Content-Security-Policy", "").split(";") if d.strip()}
        scripts = csp.get("script-src", csp.get("default-src"))
        assert scripts and "'unsafe-inline'" not in scripts, where
        assert "'unsafe-eval'" not in scripts and csp["frame-ancestors"] == ["'none'"], where
        assert response.headers.get("Referrer-Policy"), where
        if login is not None and response.status_code == 200:
            assert response.headers["Cache-Control"] == "no-store", where
        html = response.get_data(as_text=True)
        assert not INLINE_SCRIPT.findall(html), where
        assert not INLINE_HANDLER.findall(html), where
        pages[slug] += response.status_code == 200
    assert all(count >= 20 for count in pages.values()), pages
