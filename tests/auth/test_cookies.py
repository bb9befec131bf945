"""SECURITY 17: production cookies are __Host- prefixed, Secure, HttpOnly, SameSite=Lax,
with no Domain, so each society's host keeps its own session."""
from __future__ import annotations

import re

from portal import create_app
from tests.factories.helpers.clients import PASSWORD


def test_https_deployment_issues_host_only_secure_cookies(app_config, world):
    secure_app = create_app({**app_config, "SECURE_COOKIES": True,
                             "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_NAME": "__Host-portal"})
    client = secure_app.test_client()
    base = "https://jsicm.localhost"
    page = client.get("/login", base_url=base).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    # Over HTTPS Flask-WTF also checks the Referer (our Referrer-Policy keeps it same-origin).
    response = client.post("/login", base_url=base, headers={"Referer": f"{base}/login"}, data={
        "csrf_token": token, "identifier": "jsicm-800014", "password": PASSWORD})
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("__Host-portal="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "samesite=lax" in cookie.lower() and "domain" not in attributes
    assert "path=/" in cookie.lower()


def test_config_turns_on_host_cookies_for_https(monkeypatch):
    from portal.config import Config

    monkeypatch.setenv("EXTERNAL_SCHEME", "https")
    config = Config()
    assert config.SESSION_COOKIE_NAME == "__Host-portal"
    assert config.SESSION_COOKIE_SECURE and config.SESSION_COOKIE_HTTPONLY
    assert config.SESSION_COOKIE_SAMESITE == "Lax" and config.SESSION_COOKIE_DOMAIN is None
