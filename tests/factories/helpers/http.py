"""A browser-like HTTP client for real servers on loopback (the cluster's nginx or a node):
the tenant's Host header, cookies, CSRF tokens read from the page."""
from __future__ import annotations

import re

import requests

from tests.factories.helpers.clients import PASSWORD


class HttpClient:
    def __init__(self, base: str, host: str):
        self.base, self.session = base, requests.Session()
        self.session.headers["Host"] = host

    def at(self, base: str) -> HttpClient:
        """The same browser (cookies) talking to another server."""
        other = HttpClient(base, self.session.headers["Host"])
        other.session = self.session
        return other

    def get(self, path: str, **kw) -> requests.Response:
        return self.session.get(self.base + path, allow_redirects=False, timeout=15, **kw)

    def post(self, path: str, data: dict | None = None, csrf_from: str | None = None,
             **kw) -> requests.Response:
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(csrf_from or path))
        return self.session.post(self.base + path, data=data, allow_redirects=False, timeout=15,
                                 **kw)

    def csrf(self, path: str) -> str:
        page = self.get(path).text
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'"X-CSRFToken": "([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, identifier: str, password: str = PASSWORD) -> requests.Response:
        return self.post("/login", {"identifier": identifier, "password": password})
