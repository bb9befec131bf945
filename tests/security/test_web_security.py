"""SECURITY.md 21, 23, 26: headers and CSP, CSRF, open redirects, safe GETs and forged
form fields, tried through the test client on the jsicm tenant."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter, PathConverter

from portal.audit import AuditEvent
from portal.blueprints.credentials.models import Credential
from portal.extensions import db
from portal.storage import StoredFile
from portal.tenants.scoping import system_scope
from tests.factories.helpers.credentials import submit_credential as submit
from tests.factories.helpers.credentials import upload_credential as upload
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.security import changes, fill, ids_for

PAGES = {
    None: ["/login", "/password/forgot", "/password/reset/not-a-token", "/no-such-page"],
    "jsicm-800014": ["/", "/credentials/upload", "/credentials/complete", "/training-start",
                     "/profile", "/no-such-page"],
    "jsicm-director": ["/", "/review/credentials", "/review/credentials/{credential_id}",
                       "/profile"],
    "jsicm-jimu": ["/", "/review/credentials", "/_dev/mail"],
}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def _pages(client_for, tenant_a):
    for login, paths in PAGES.items():
        client = client_for("jsicm.localhost")
        if login:
            client.login(login)
        for path in paths:
            yield login, path, client.get(path.format(credential_id=tenant_a.credential_id))


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in csp.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def test_every_page_sends_csp_without_inline_script_and_the_other_headers(client_for, tenant_a):
    for _login, path, response in _pages(client_for, tenant_a):
        csp = _directives(response.headers.get("Content-Security-Policy", ""))
        scripts = csp.get("script-src", csp.get("default-src"))
        assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
        assert csp["frame-ancestors"] == ["'none'"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer",
                                                       "strict-origin-when-cross-origin")
        assert "HX-Request" in response.headers.get("Vary", ""), path


def test_authenticated_pages_are_no_store_and_out_of_the_htmx_history(client_for, tenant_a):
    for login, path, response in _pages(client_for, tenant_a):
        if login is None:
            continue
        assert response.headers["Cache-Control"] == "no-store", path
        assert "HX-Request" in response.headers["Vary"], path
        html = response.get_data(as_text=True)
        assert 'hx-history="false"' in html and '"historyCacheSize":0' in html, path


def test_no_rendered_page_has_inline_script_or_event_handlers(client_for, tenant_a):
    checked = 0
    for _login, path, response in _pages(client_for, tenant_a):
        html = response.get_data(as_text=True)
        assert "<html" in html, path
        assert not INLINE_SCRIPT.findall(html), (path, INLINE_SCRIPT.findall(html))
        assert not INLINE_HANDLER.findall(html), (path, INLINE_HANDLER.findall(html))
        checked += response.status_code == 200
    assert checked >= 12  # real pages were looked at, not only error pages


# --- CSRF --------------------------------------------------------------------------------------

def _credential_status(app, credential_id: int) -> str:
    with app.app_context(), system_scope(db.session):
        return db.session.get(Credential, credential_id).status


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"},
                                     {"HX-Request": "true", "X-CSRFToken": "forged"}])
@pytest.mark.parametrize("action", ["approve", "return"])
def test_review_post_without_a_valid_csrf_token_is_400_and_changes_nothing(
        app, client_for, tenant_a, db_urls, headers, action, snapshot):
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    before = snapshot()
    response = director.client.post(f"/review/credentials/{tenant_a.credential_id}/{action}",
                                    data={"reason": "不鮮明"}, headers=headers)
    assert response.status_code == 400
    assert "リクエストの内容が正しくありません。" in response.get_data(as_text=True)
    assert changes(before, snapshot()) == {}
    assert _credential_status(app, tenant_a.credential_id) == "pending_review"


def test_htmx_post_carrying_only_the_csrf_header_succeeds(app, client_for, tenant_a):
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    token = director.csrf("/review/credentials")
    response = director.client.post(f"/review/credentials/{tenant_a.credential_id}/approve",
                                    headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    assert "承認しました。" in response.get_data(as_text=True)
    assert _credential_status(app, tenant_a.credential_id) == "approved"


# --- Redirects after login ---------------------------------------------------------------------

@pytest.mark.parametrize("target", ["https://elsewhere.example/", "//elsewhere.example",
                                    "/\\elsewhere.example", "/\t/elsewhere.example",
                                    "https:elsewhere.example", "javascript:alert(1)"])
def test_login_refuses_a_next_that_leaves_the_site(jsicm, target):
    response = jsicm.post("/login", {"identifier": "jsicm-800014", "password": "pass-word-123"},
                          query_string={"next": target})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "jsicm.localhost") and location.path == "/"


def test_login_honours_a_same_site_next(jsicm):
    response = jsicm.post("/login", {"identifier": "jsicm-800014", "password": "pass-word-123"},
                          query_string={"next": "/profile"})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/profile"


def test_language_switch_refuses_an_off_site_next(jsicm):
    response = jsicm.post("/lang", {"lang": "ja", "next": "//elsewhere.example"})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"


# --- No GET changes state ----------------------------------------------------------------------

def _own_urls(rule, tenant_a) -> list[str]:
    per_arg = {}
    for arg in rule.arguments:
        conv = rule._converters[arg]
        per_arg[arg] = (ids_for(arg, tenant_a.ids) if isinstance(conv, IntegerConverter)
                        else ["logo.png"] if isinstance(conv, PathConverter) else tenant_a.tokens)
    if not per_arg:
        return [rule.rule]
    base = {arg: values[0] for arg, values in per_arg.items()}
    return [fill(rule, {**base, arg: v}) for arg, values in per_arg.items() for v in values]


def test_no_get_changes_any_row(app, client_for, tenant_a, db_urls, snapshot):
    clients = [client_for("jsicm.localhost")]
    for login in ("jsicm-800014", "jsicm-director", "jsicm-jimu"):
        clients.append(client_for("jsicm.localhost"))
        clients[-1].login(login)
    before = snapshot()
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]
    statuses = set()
    for rule in rules:
        for url in _own_urls(rule, tenant_a):
            for client in clients:
                for headers in ({}, {"HX-Request": "true"}):
                    statuses.add(client.get(url, headers=headers).status_code)
    assert changes(before, snapshot()) == {}
    assert 200 in statuses and max(statuses) < 500
    assert _credential_status(app, tenant_a.credential_id) == "pending_review"


# --- Forged form fields ------------------------------------------------------------------------

def test_status_tenant_and_owner_fields_posted_in_forms_are_ignored(app, world, jsicm, client_for):
    forged = {"status": "approved", "tenant_id": world.jmsb.tenant_id, "state": "committed",
              "trainee_id": world.jmsb.trainee, "owner_id": world.jmsb.trainee,
              "user_id": world.jmsb.trainee, "facility_id": world.jmsb.facility,
              "reviewed_by_id": world.jsicm.director, "is_provisional": "1"}
    jsicm.login("jsicm-800014")
    assert upload(jsicm, pdf_bytes(), "forged.pdf", extra=forged).status_code == 303
    assert submit(jsicm, forged).status_code == 303
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    with app.app_context(), system_scope(db.session):
        credential_id = db.session.scalar(select(Credential.id))
    director.post(f"/review/credentials/{credential_id}/return",
                  {**forged, "status": "approved", "reason": "画像が不鮮明です。"},
                  csrf_from="/review/credentials")
    with app.app_context(), system_scope(db.session):
        file = db.session.scalar(select(StoredFile).where(StoredFile.original_filename == "forged.pdf"))
        credential = db.session.get(Credential, credential_id)
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert (file.tenant_id, file.owner_id) == (world.jsicm.tenant_id, world.jsicm.trainee)
        assert (credential.tenant_id, credential.trainee_id, credential.facility_id) == (
            world.jsicm.tenant_id, world.jsicm.trainee, world.jsicm.facility)
        assert (credential.status, credential.reviewed_by_id) == ("returned", world.jsicm.director)
        assert not credential.is_provisional
        assert {e.tenant_id for e in events} == {world.jsicm.tenant_id}
