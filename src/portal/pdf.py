"""Printable forms: HTML templates rendered by WeasyPrint.

The URL fetcher only serves the app's own static files (by path, from disk); every other
URL — file://, http(s)://, data from a metadata address, a redirect — is refused, so a
template fed hostile data fetches nothing and attaches nothing (Indico's IndicoURLFetcher idea).
Fonts come from the system (fonts-ipaexfont); HarfBuzz subsetting keeps the files small.
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template

from portal import objectstore
from portal.errors import Refusal
from portal.i18n import N_

log = logging.getLogger(__name__)
ASSET_PREFIX = "/static/"
DEFAULT_TIME_LIMIT = 20
TOO_SLOW = N_("PDFの作成に時間がかかりすぎたため、中止しました。"
              "時間をおいて、もう一度お試しください。")
FAILED = N_("PDFを作成できませんでした。時間をおいて、もう一度お試しください。")


class PdfError(Refusal):
    """Rendering failed or was cut off: the page says so (503, the user may try again)."""

    status = 503


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


def _render(html: str, static_dir: str, record: bool) -> tuple[str, Any, list[str] | None]:
    fetched: list[str] | None = [] if record else None
    try:
        from weasyprint import HTML

        fetcher = make_url_fetcher(Path(static_dir), fetched)
        pdf = HTML(string=html, base_url="portal://app/", url_fetcher=fetcher).write_pdf()
        return "ok", pdf, fetched
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises PdfError
        return "error", f"{type(exc).__name__}: {exc}", fetched


def _serve(connection: Connection) -> None:
    """The renderer process: one document at a time, until the web process goes away (EOF)
    or has had enough of it. It stays warm between documents (fonts, Pango)."""
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(_render(*job))


class _Renderer:
    """One renderer process per web or job process, started on first use. A render that
    outlives its limit gets the process killed (and a new one next time): a hard limit that
    cannot land in this process's code, as a SIGALRM handler could, anywhere in it."""

    RENEW_AFTER = 200  # documents; bounds whatever WeasyPrint's caches keep
    _lock = threading.Lock()
    _process: multiprocessing.process.BaseProcess | None = None
    _connection: Connection | None = None
    _served = 0

    @classmethod
    def render(cls, job: tuple[str, str, bool], limit: float) -> tuple[str, Any, list | None]:
        with cls._lock:  # a threaded server: one document at a time through the pipe
            connection = cls._ready()
            connection.send(job)
            try:
                if not connection.poll(limit):
                    log.warning("PDF rendering cut off after %s s", limit)
                    raise PdfError(TOO_SLOW)
                answer = connection.recv()
            except EOFError:
                log.error("the PDF renderer died without an answer")
                raise PdfError(FAILED) from None
            except BaseException:
                cls.stop()
                raise
            cls._served += 1
            return answer

    @classmethod
    def _ready(cls) -> Connection:
        if cls._process is None or not cls._process.is_alive() or cls._served >= cls.RENEW_AFTER:
            cls.stop()
            context = _context()
            ours, theirs = context.Pipe()
            cls._process = context.Process(target=_serve, args=(theirs,), daemon=True,
                                           name="portal-pdf-renderer")
            cls._process.start()
            theirs.close()
            cls._connection, cls._served = ours, 0
        assert cls._connection is not None
        return cls._connection

    @classmethod
    def stop(cls) -> None:
        process, connection = cls._process, cls._connection
        cls._process = cls._connection = None
        if connection is not None:
            connection.close()
        if process is not None:
            if process.is_alive():
                process.kill()
            process.join()


def _context() -> multiprocessing.context.BaseContext:
    """forkserver: the renderer is forked from a small server process that has imported
    WeasyPrint and nothing of the app's state (no database connections, threads or held
    locks), so it can be killed at any moment and leaves this process as it was."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["portal.pdf"])
    return context


def _time_limit() -> float:
    return float(current_app.config.get("PDF_TIME_LIMIT_SECONDS") or DEFAULT_TIME_LIMIT)


def html_to_pdf(html: str, *, time_limit_s: float | None = None,
                fetched: list[str] | None = None) -> bytes:
    job = (html, str(current_app.static_folder), fetched is not None)
    status, payload, seen = _Renderer.render(job, time_limit_s or _time_limit())
    if fetched is not None and seen:
        fetched.extend(seen)
    if status != "ok":
        log.error("PDF rendering failed: %s", payload)
        raise PdfError(FAILED)
    return payload


def render_pdf(template: str, **context: Any) -> bytes:
    """Render templates/pdf/<name>.html (tenant overrides apply) to PDF bytes.

    The cache is keyed by the SHA-256 of the rendered HTML: the same HTML always makes the
    same PDF, so an unchanged application is served from disk and a change (data, revision,
    issue date, template) can never be served stale. Rendering the HTML takes milliseconds;
    WeasyPrint is the slow part."""
    html = render_template(template, **context)
    key = _cache_key(html)
    files = objectstore.store()  # the same store as uploads: every node shares the cache
    cached = files.get_bytes(key)
    if cached is not None:
        return cached
    pdf = html_to_pdf(html)
    files.put_bytes(key, pdf)  # atomic on disk and in S3: a reader sees all of it or none
    return pdf


def _cache_key(html: str) -> str:
    from flask import g

    tenant = getattr(g.get("tenant"), "id", "none")
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    return f"{tenant}/pdf-cache/{digest}.pdf"


def check_at_startup() -> None:
    if not harfbuzz_subsetting_available():
        log.warning("libharfbuzz-subset is missing: PDFs will be large and slow "
                    "(install libharfbuzz-subset0; scripts/setup does)")
