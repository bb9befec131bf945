"""The test client bound to one society's host. Tests get them from the `client_for` fixture
(and `jsicm`, `jmsb`, `jspm`); the class is here for type hints."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

PASSWORD = "pass-word-123"  # every user the factories make has it


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

    def login(self, identifier: str, password: str = PASSWORD):
        response = self.post("/login", {"identifier": identifier, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def text(self, path: str) -> str:
        return self.get(path).get_data(as_text=True)
