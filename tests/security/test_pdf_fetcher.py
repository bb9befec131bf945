"""SECURITY.md 12, on the URL fetcher itself: a metadata address and a redirect are refused
before any connection. Each check is first run against WeasyPrint's own permissive fetcher,
which must trip it: so the test fails if our fetcher ever let either through."""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from weasyprint.urls import URLFetcher

from portal.pdf import FetchRefused, make_url_fetcher

METADATA_URLS = ["http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                 "http://[fd00:ec2::254]/latest/meta-data/", "http://metadata.google.internal/"]


@pytest.fixture
def ours(app):
    return make_url_fetcher(Path(app.static_folder))


@pytest.fixture
def connections(monkeypatch) -> list:
    """Every outbound connection attempt, refused on the spot (no network wait)."""
    attempts: list = []

    def connect(self, address):
        attempts.append(address)
        raise ConnectionRefusedError(f"test: no connection to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (host, port or 80))])
    return attempts


def _fetch(fetcher, url: str) -> None:
    try:
        fetcher.fetch(url)
    except Exception:  # noqa: BLE001 - refused or failed to connect: either way nothing came back
        pass


@pytest.mark.parametrize("url", METADATA_URLS)
def test_a_metadata_address_is_refused_without_connecting(ours, connections, url):
    _fetch(URLFetcher(), url)
    assert connections, "the permissive fetcher should have tried to connect (harness check)"
    connections.clear()
    with pytest.raises(FetchRefused):
        ours.fetch(url)
    assert connections == []


class _Redirector(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's hook name
        type(self).hits.append(self.path)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/stand-in-for-169.254.169.254")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def redirector():
    _Redirector.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Redirector.hits
    server.shutdown()
    server.server_close()


def test_a_redirect_is_neither_fetched_nor_followed(ours, redirector):
    base, hits = redirector
    _fetch(URLFetcher(), f"{base}/redirect")
    assert hits == ["/redirect", "/stand-in-for-169.254.169.254"], "harness check: followed"
    hits.clear()
    for url in (f"{base}/redirect", "portal://app/static/../../redirect", "//127.0.0.1/redirect"):
        with pytest.raises(FetchRefused):
            ours.fetch(url)
    assert hits == []


def test_only_the_apps_own_assets_come_back(ours):
    assert ours.fetch("portal://app/static/portal.css").url.endswith("portal.css")
    for url in ("portal://app/static/../pdf.py", "file:///etc/passwd", "data:text/css,p{}"):
        with pytest.raises(FetchRefused):
            ours.fetch(url)
