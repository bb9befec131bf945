"""Printable forms: HTML templates rendered by WeasyPrint.

The URL fetcher only serves the app's own static files (by path, from disk); every other
URL — file://, http(s)://, data from a metadata address, a redirect — is refused, so a
template fed hostile data fetches nothing and attaches nothing (Indico's IndicoURLFetcher idea).
Fonts come from the system (fonts-ipaexfont); HarfBuzz subsetting keeps the files small.
"""
from __future__ import annotations

import hashlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template

log = logging.getLogger(__name__)
ASSET_PREFIX = "/static/"
DEFAULT_TIME_LIMIT = 20


class PdfError(RuntimeError):
    pass


class PdfTimeLimit(BaseException):
    """Raised from SIGALRM. A BaseException, so WeasyPrint's own `except Exception`
    handlers (which log and go on) cannot swallow it."""


class FetchRefused(ValueError):
    pass


def harfbuzz_subsetting_available() -> bool:
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def make_url_fetcher(static_dir: Path, fetched: list[str] | None = None):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = static_dir.resolve()

    class AppAssetsOnly(URLFetcher):
        """Serves /static/... from disk; refuses everything else without any I/O."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if fetched is not None:
                fetched.append(url)
            parts = urlsplit(url)
            if parts.scheme not in ("", "portal") or not parts.path.startswith(ASSET_PREFIX):
                raise FetchRefused(f"refused to fetch {url!r}")
            target = (root / parts.path[len(ASSET_PREFIX):]).resolve()
            if root not in target.parents or not target.is_file():
                raise FetchRefused(f"refused to fetch {url!r}")
            return URLFetcherResponse(url, target.read_bytes())

    return AppAssetsOnly(allowed_protocols=("portal",), allow_redirects=False)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Cut a pathological document off. SIGALRM works in the main thread (gunicorn sync
    workers, rq workers); elsewhere the job's own timeout is the limit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(signum: int, frame: Any) -> None:
        raise PdfTimeLimit()

    previous = signal.signal(signal.SIGALRM, _expired)
    # Repeats until cleared, in case one delivery lands somewhere that cannot raise.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)
    try:
        yield
    except PdfTimeLimit:
        raise PdfError(f"PDF rendering took longer than {seconds} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def html_to_pdf(html: str, *, time_limit_s: float = DEFAULT_TIME_LIMIT,
                fetched: list[str] | None = None) -> bytes:
    from weasyprint import HTML

    fetcher = make_url_fetcher(Path(current_app.static_folder), fetched)
    with time_limit(time_limit_s):
        return HTML(string=html, base_url="portal://app/", url_fetcher=fetcher).write_pdf()


def render_pdf(template: str, **context: Any) -> bytes:
    """Render templates/pdf/<name>.html (tenant overrides apply) to PDF bytes.

    The cache is keyed by the SHA-256 of the rendered HTML: the same HTML always makes the
    same PDF, so an unchanged application is served from disk and a change (data, revision,
    issue date, template) can never be served stale. Rendering the HTML takes milliseconds;
    WeasyPrint is the slow part."""
    html = render_template(template, **context)
    path = _cache_path(html)
    if path.is_file():
        return path.read_bytes()
    pdf = html_to_pdf(html)
    _store(path, pdf)
    return pdf


def _cache_path(html: str) -> Path:
    from flask import g

    tenant = getattr(g.get("tenant"), "id", "none")
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    return Path(current_app.config["STORAGE_DIR"]) / str(tenant) / "pdf-cache" / f"{digest}.pdf"


def _store(path: Path, pdf: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pdf)
    os.replace(tmp, path)  # atomic: a concurrent reader sees the whole file or none


def check_at_startup() -> None:
    if not harfbuzz_subsetting_available():
        log.warning("libharfbuzz-subset is missing: PDFs will be large and slow "
                    "(install libharfbuzz-subset0; scripts/setup does)")
