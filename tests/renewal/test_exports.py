"""Secretariat exports: the CSV for Japanese Excel, the document-number check and the ZIP of
a window's sealed scans (inline mode: no Redis in unit tests)."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from urllib.parse import quote

import pytest

from portal.blueprints.renewal.models import RenewalApplication
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.renewal import (
    AFFILIATED_LOGIN,
    CORE_LOGIN,
    JIMU_LOGIN,
    form1_data,
    form2_data,
    physicians,
    post_form1,
    upload_scan,
)

HEADERS = ["申請ID", "施設名", "認定番号", "施設種別", "状況", "版", "申請日時", "施設責任者", "会員番号"]
SCAN = pdf_bytes(pad_to=4096)


def submitted(client, login=CORE_LOGIN, **form1) -> None:
    client.login(login)
    assert post_form1(client, form1_data(**form1), physicians()).status_code == 200
    assert client.post("/renewal/form2", form2_data(), csrf_from="/renewal/apply").status_code == 200
    assert upload_scan(client, SCAN).status_code == 303
    assert client.post("/renewal/submit", {}, csrf_from="/renewal/apply").status_code == 303
    client.post("/logout", {}, csrf_from="/")


def app_id(app, tenant_id: int, facility_id: int) -> int:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        return db.session.query(RenewalApplication.id).filter_by(facility_id=facility_id).scalar()


def set_app(app, tenant_id: int, application_id: int, **values) -> None:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        db.session.query(RenewalApplication).filter_by(id=application_id).update(values)
        db.session.commit()


@pytest.fixture
def jspm2(app, factories, client_for, jspm_world, monkeypatch, make_society):
    """A second society with the renewal module (jspm's rules under another host)."""
    import portal.tenants.resolve as resolve

    original = resolve.rules_for
    monkeypatch.setattr(resolve, "rules_for",
                        lambda slug, name="": original("jspm" if slug == "jspm2" else slug, name))
    world = make_society(slug="jspm2", name="別学会")
    world.client = client_for("jspm2.localhost")
    return world


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


# --- CSV ---------------------------------------------------------------------------------------------

def test_csv_is_utf8_with_bom_crlf_japanese_headers_and_rows(jspm, jspm_world):
    submitted(jspm, responsible_name="緩和 一郎")
    jspm.login(JIMU_LOGIN)
    response = jspm.get("/renewal/admin/applications.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode("utf-8"))
    text = body.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert f"filename*=UTF-8''{quote('更新申請一覧.csv')}" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    header, row = rows_of(response)
    assert header == HEADERS
    assert row[1:6] == ["髙田緩和ケア病院", "K-0001", "基幹施設", "申請済み", "1"]
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}", row[6])
    assert row[7:] == ["緩和 一郎", "100001"]


def test_csv_neutralises_formula_injection(jspm, jspm_world):
    jspm.login(CORE_LOGIN)
    post_form1(jspm, form1_data(institution_head='=HYPERLINK("http://evil")', responsible_name="@SUM(A1)"),
               physicians())
    jspm.post("/logout", {}, csrf_from="/")
    jspm.login(JIMU_LOGIN)
    _, row = rows_of(jspm.get("/renewal/admin/applications.csv"))
    assert row[7] == "'@SUM(A1)" and row[4] == "未申請"


def test_csv_filtered_by_window_and_unknown_window_is_404(app, factories, jspm, jspm_world, make_society):
    submitted(jspm)
    jspm.login(JIMU_LOGIN)
    assert len(rows_of(jspm.get(f"/renewal/admin/applications.csv?window={jspm_world.window}"))) == 2
    other = make_society(slug="jspm2", name="別学会")
    assert jspm.get(f"/renewal/admin/applications.csv?window={other.window}").status_code == 404
    assert jspm.get("/renewal/admin/applications.csv?window=abc").status_code == 404


@pytest.mark.parametrize("login", [CORE_LOGIN, AFFILIATED_LOGIN])
def test_exports_are_refused_to_facility_accounts(jspm, jspm_world, login):
    jspm.login(login)
    assert jspm.get("/renewal/admin/applications.csv").status_code == 403
    assert jspm.get("/renewal/admin/verify?number=JSPM-1-r1").status_code == 403
    assert jspm.get("/renewal/admin/windows").status_code == 403
    token = jspm.csrf("/renewal/apply")
    assert jspm.client.post(f"/renewal/admin/windows/{jspm_world.window}/zip",
                            data={"csrf_token": token}).status_code == 404


def test_csv_needs_login(jspm, jspm_world):
    response = jspm.get("/renewal/admin/applications.csv")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


# --- verification ------------------------------------------------------------------------------------

def test_verify_current_revision(app, jspm, jspm_world):
    submitted(jspm)
    number = f"JSPM-{app_id(app, jspm_world.tenant_id, jspm_world.core)}-r1"
    jspm.login(JIMU_LOGIN)
    response = jspm.get(f"/renewal/admin/verify?number={number.lower()}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "この書式は最新版です。" in page and "髙田緩和ケア病院" in page and "2025年度更新" in page
    assert "申請済み" in page


def test_verify_old_revision_names_the_latest(app, jspm, jspm_world):
    submitted(jspm)
    application_id = app_id(app, jspm_world.tenant_id, jspm_world.core)
    set_app(app, jspm_world.tenant_id, application_id, revision=3, status="passed")
    jspm.login(JIMU_LOGIN)
    page = jspm.text(f"/renewal/admin/verify?number=JSPM-{application_id}-r2")
    assert "この書式は旧版です（最新は r3）。" in page and "合格" in page


@pytest.mark.parametrize("number,message", [
    ("JSPM-99999-r1", "この文書番号の申請書は見つかりません。"),
    ("JSPM-{id}-r9", "この文書番号の申請書は見つかりません。"),
    ("12-r2", "文書番号の形式が正しくありません"),
    ("<script>", "文書番号の形式が正しくありません"),
])
def test_verify_unknown_or_malformed_is_404_with_a_message(app, jspm, jspm_world, number, message):
    submitted(jspm)
    number = number.format(id=app_id(app, jspm_world.tenant_id, jspm_world.core))
    jspm.login(JIMU_LOGIN)
    response = jspm.get("/renewal/admin/verify", query_string={"number": number})
    assert response.status_code == 404 and message in response.get_data(as_text=True)
    assert "<script>" not in response.get_data(as_text=True)


def test_verify_another_societys_number_is_unknown(app, jspm, jspm2):
    submitted(jspm2.client)
    their_number = f"JSPM-{app_id(app, jspm2.tenant_id, jspm2.core)}-r1"
    jspm2.client.login(JIMU_LOGIN)
    assert "この書式は最新版です。" in jspm2.client.text(f"/renewal/admin/verify?number={their_number}")
    jspm.login(JIMU_LOGIN)
    response = jspm.get(f"/renewal/admin/verify?number={their_number}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "この文書番号の申請書は見つかりません。" in page
    assert "髙田緩和ケア病院" not in page


def test_verify_without_number_shows_the_form(jspm, jspm_world):
    jspm.login(JIMU_LOGIN)
    page = jspm.text("/renewal/admin/verify")
    assert 'name="number"' in page and "文書番号" in page


# --- ZIP ---------------------------------------------------------------------------------------------

def start_zip(client, window_id: int):
    token = client.csrf("/renewal/admin/windows")
    return client.client.post(f"/renewal/admin/windows/{window_id}/zip", data={"csrf_token": token},
                              headers={"HX-Request": "true"})


def test_zip_inline_contains_sealed_pdfs_named_by_number_facility_revision(
        app, jspm, jspm_world, store_kind):
    """On each backend (portal.objectstore): the scans are read from it, the ZIP kept in it."""
    submitted(jspm)
    jspm.login(AFFILIATED_LOGIN)  # a draft with a scan is not in the ZIP
    assert upload_scan(jspm, pdf_bytes()).status_code == 303
    jspm.post("/logout", {}, csrf_from="/")
    jspm.login(JIMU_LOGIN)
    started = start_zip(jspm, jspm_world.window)
    assert started.status_code == 202
    job_id = started.headers["X-Job-Id"]
    fragment = started.get_data(as_text=True)
    assert "<html" not in fragment and "ZIPの作成が完了しました。" in fragment
    assert 'hx-trigger="every 1s"' not in fragment  # finished: polling stops
    assert store_kind.exists(f"{jspm_world.tenant_id}/exports/{job_id}.zip")
    progress = jspm.get(f"/renewal/admin/zip/{job_id}", headers={"HX-Request": "true"})
    assert progress.status_code == 200 and f"/renewal/admin/zip/{job_id}/download" in progress.get_data(as_text=True)
    download = jspm.get(f"/renewal/admin/zip/{job_id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.get_data())) as archive:
        assert archive.namelist() == ["K-0001_髙田緩和ケア病院_r1.pdf"]
        assert archive.read("K-0001_髙田緩和ケア病院_r1.pdf") == SCAN  # kept as sent


def test_zip_of_another_tenant_is_404(jspm, jspm_world, jspm2):
    submitted(jspm)
    jspm.login(JIMU_LOGIN)
    job_id = start_zip(jspm, jspm_world.window).headers["X-Job-Id"]
    them = jspm2.client
    them.login(JIMU_LOGIN)
    assert start_zip(them, jspm2.window).status_code == 202  # their own window works
    assert them.get(f"/renewal/admin/zip/{job_id}").status_code == 404
    assert them.get(f"/renewal/admin/zip/{job_id}/download").status_code == 404
    assert start_zip(them, jspm_world.window).status_code == 404  # our window id there
    assert start_zip(jspm, jspm2.window).status_code == 404
    assert jspm.get(f"/renewal/admin/zip/{job_id}/download").status_code == 200


def test_zip_unknown_or_malformed_job_id_is_404(jspm, jspm_world):
    jspm.login(JIMU_LOGIN)
    assert jspm.get("/renewal/admin/zip/00000000-0000-4000-8000-000000000000").status_code == 404
    assert jspm.get("/renewal/admin/zip/..%2F..%2Fetc/download").status_code == 404


def test_zip_progress_is_refused_to_a_facility(jspm, jspm_world):
    jspm.login(JIMU_LOGIN)
    job_id = start_zip(jspm, jspm_world.window).headers["X-Job-Id"]
    jspm.post("/logout", {}, csrf_from="/")
    jspm.login(CORE_LOGIN)
    assert jspm.get(f"/renewal/admin/zip/{job_id}/download").status_code == 404
