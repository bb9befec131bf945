"""WeasyPrint is locked down: only the app's own static files are fetched (SECURITY 12, 13)."""
from __future__ import annotations

import io
import multiprocessing
import signal
import time

import pytest
from pypdf import PdfReader

from portal.pdf import PdfError, harfbuzz_subsetting_available, html_to_pdf
from tests.factories.helpers.objectstore import stored_keys
from tests.factories.helpers.renewal import CORE_LOGIN, form1_data, physicians, post_form1

HOSTILE = """<html style="font-family: 'IPAexGothic', sans-serif"><head>
<link rel="attachment" href="file:///etc/passwd">
<link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">
<link rel="stylesheet" href="/static/../../../../etc/passwd">
</head><body><h1>申請書 髙橋 﨑山</h1>
<img src="file:///etc/passwd"><img src="https://example.com/redirect?to=file:///etc/hosts">
<object data="file:///etc/shadow"></object>
<p style="background: url('file:///etc/passwd')">在籍証明書</p></body></html>"""


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_hostile_template_fetches_nothing_and_attaches_nothing(ctx):
    fetched: list[str] = []
    pdf = html_to_pdf(HOSTILE, fetched=fetched)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(fetched) >= 5  # every attempt reached our fetcher...
    assert not reader.attachments  # ...and none produced an attachment
    assert b"root:" not in pdf


def test_own_static_asset_is_served(ctx):
    fetched: list[str] = []
    html_to_pdf('<link rel="stylesheet" href="/static/portal.css"><p>x</p>', fetched=fetched)
    assert fetched == ["/static/portal.css"]


def test_rare_kanji_render_with_a_real_glyph(ctx):
    pdf = html_to_pdf(HOSTILE)
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "髙" in text and "﨑" in text and "在籍証明書" in text
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("IPAex" in name for name in fonts), fonts


def test_harfbuzz_subsetting_is_in_use():
    assert harfbuzz_subsetting_available()


def test_pathological_document_is_cut_off(ctx):
    rows = "".join(f"<tr><td>{i}</td><td>髙﨑</td></tr>" for i in range(40000))
    started = time.monotonic()
    with pytest.raises(PdfError) as refused:
        html_to_pdf(f"<table>{rows}</table>", time_limit_s=0.5)
    assert time.monotonic() - started < 5  # cut off, not left running
    assert "PDFの作成に時間がかかりすぎたため" in refused.value.message
    assert multiprocessing.active_children() == []  # the renderer was killed and reaped


def test_the_time_limit_never_signals_this_process(ctx, monkeypatch):
    """The limit is a separate process's: no SIGALRM handler or timer here, which could raise
    inside whatever code runs at that moment (it once landed in SQLAlchemy's GC callback)."""
    armed: list[object] = []
    monkeypatch.setattr(signal, "setitimer", lambda *a: armed.append(a) or (0.0, 0.0))
    real_signal = signal.signal
    monkeypatch.setattr(signal, "signal", lambda num, handler: (
        armed.append(num) if num == signal.SIGALRM else None) or real_signal(num, handler))
    html_to_pdf("<p>x</p>")
    with pytest.raises(PdfError):
        html_to_pdf("".join(f"<p>{i}</p>" for i in range(50000)), time_limit_s=0.2)
    assert armed == []
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


def test_a_render_cut_off_in_a_request_answers_with_a_japanese_error(
        app, jspm, monkeypatch, tmp_path):
    import portal.pdf as pdf_module

    jspm.login(CORE_LOGIN)
    assert post_form1(jspm, form1_data(), physicians()).status_code == 200
    monkeypatch.setitem(app.config, "PDF_TIME_LIMIT_SECONDS", 0.001)
    # Rendered for real: not served from the cache an earlier test may have filled.
    monkeypatch.setattr(pdf_module, "_cache_key", lambda html: f"none/{tmp_path.name}/fresh.pdf")
    response = jspm.get("/renewal/document.pdf")
    assert response.status_code == 503
    assert "PDFの作成に時間がかかりすぎたため" in response.get_data(as_text=True)


def test_unchanged_document_is_served_from_the_cache(app, monkeypatch, world, store_kind):
    """On each backend (portal.objectstore): every node shares the cache through it."""
    import portal.pdf as pdf_module
    from portal.tenants.resolve import TenantRef, rules_for

    calls: list[int] = []
    real = pdf_module.html_to_pdf
    monkeypatch.setattr(pdf_module, "html_to_pdf", lambda html, **kw: calls.append(1) or real(html))
    with app.test_request_context():
        from flask import g

        g.tenant = TenantRef(world.jsicm.tenant_id, "jsicm", "日本集中治療医学会", "jsicm.localhost")
        g.rules = rules_for("jsicm")
        first = pdf_module.render_pdf("pdf/renewal_application.html", **_renewal_context("r1"))
        started = time.perf_counter()
        second = pdf_module.render_pdf("pdf/renewal_application.html", **_renewal_context("r1"))
        elapsed = time.perf_counter() - started
        changed = pdf_module.render_pdf("pdf/renewal_application.html", **_renewal_context("r2"))
    assert first == second and len(calls) == 2 and changed != first
    cached = {key.rsplit("/", 1)[-1] for key in stored_keys(store_kind, f"{world.jsicm.tenant_id}/pdf-cache/")}
    assert len(cached) >= 2 and all(name.endswith(".pdf") for name in cached)
    assert elapsed < 1.0  # a file read, not a render (the bench measures the real figure)


def _renewal_context(revision: str) -> dict:
    from datetime import datetime
    from types import SimpleNamespace

    application = SimpleNamespace(
        document_number=f"JSPM-1-{revision}", facility_type="core", id=1, revision=1,
        facility=SimpleNamespace(name="髙田緩和ケア病院"), physicians=[],
        facility_type_label="基幹施設")
    return {"application": application, "qr_svg": "", "data": {}, "physicians": [],
            "issued": datetime(2026, 2, 1)}
