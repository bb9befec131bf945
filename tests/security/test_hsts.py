"""Strict-Transport-Security (issue 13 item 7): sent when the portal is served over https,
never over plain http (a browser ignores it there, and a development host must not pin it)."""
from __future__ import annotations

import pytest

ONE_YEAR = 365 * 24 * 3600


@pytest.fixture
def https(app, monkeypatch):
    monkeypatch.setitem(app.config, "EXTERNAL_SCHEME", "https")


def _max_age(value: str) -> int:
    return int(next(p for p in value.split(";") if p.strip().startswith("max-age")).split("=")[1])


def test_https_pages_and_errors_carry_hsts_without_subdomains(https, jsicm, world):
    for path in ("/login", "/no-such-page"):
        value = jsicm.get(path).headers["Strict-Transport-Security"]
        assert _max_age(value) >= ONE_YEAR
        assert "includesubdomains" not in value.lower()  # each society has its own host


def test_include_subdomains_only_when_configured(https, app, jsicm, world, monkeypatch):
    monkeypatch.setitem(app.config, "HSTS_INCLUDE_SUBDOMAINS", True)
    assert "includeSubDomains" in jsicm.get("/login").headers["Strict-Transport-Security"]


def test_plain_http_has_no_hsts(jsicm, world):
    assert "Strict-Transport-Security" not in jsicm.get("/login").headers
