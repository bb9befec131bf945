"""Issue 13 items 2, 3, 5 and 13: hostile text in forms and CSV (controls, NUL, bidi overrides),
huge numbers in query strings and paths, oversized CSV fields, and the upload messages that
must name what is wrong. Each answers a clear Japanese message (4xx) and stores nothing."""
from __future__ import annotations

import io

import pytest
from flask_wtf import FlaskForm as FlaskWTFForm
from sqlalchemy import select
from wtforms import Form as WTForm

from portal import forms as portal_forms
from portal.blueprints.credentials.models import Credential
from portal.blueprints.renewal.models import RenewalWindow
from portal.directory.models import Facility
from tests.factories.helpers.credentials import submit_credential, upload_credential
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.renewal import JIMU_LOGIN
from tests.factories.helpers.rows import outbox, read

CONTROLS = "使用できない制御文字が含まれています。"
HUGE = "99999999999999999999999"
HOSTILE_TEXT = ["80\x0014", "a\x07b", "a\r\nBcc: x@example.jp", "abc\u202egnp.exe", "\u2066x\u2069",
                "a\x85b", "a\x7fb"]


def _body(response) -> str:
    return response.get_data(as_text=True)


# --- item 2: one form filter for every text field ------------------------------------------

def _all_subclasses(cls) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _all_subclasses(sub)
    return found


def test_every_portal_form_derives_from_the_guarded_base(app):
    """A form on flask_wtf's FlaskForm or wtforms' Form directly would miss the text filter."""
    portal = {c for c in _all_subclasses(WTForm) if c.__module__.startswith("portal.")}
    unguarded = [f"{c.__module__}.{c.__qualname__}" for c in portal
                 if not issubclass(c, (portal_forms.FlaskForm, portal_forms.Form))]
    assert len(portal) > 20 and unguarded == []
    assert issubclass(portal_forms.FlaskForm, FlaskWTFForm)


@pytest.mark.parametrize("identifier", HOSTILE_TEXT)
def test_login_with_control_characters_is_told_and_not_looked_up(jsicm, identifier):
    response = jsicm.post("/login", {"identifier": identifier, "password": "x"})
    assert response.status_code == 400 and CONTROLS in _body(response)


def test_nul_in_the_password_is_refused_too(jsicm):
    response = jsicm.post("/login", {"identifier": "jsicm-800014", "password": "pass\x00word"})
    assert response.status_code == 400 and CONTROLS in _body(response)


def _submitted(app, world, jsicm) -> int:
    jsicm.login("jsicm-800014")
    assert upload_credential(jsicm, pdf_bytes()).status_code == 303
    assert submit_credential(jsicm).status_code == 303
    [credential] = read(app, world.jsicm.tenant_id, select(Credential))
    return credential.id


@pytest.mark.parametrize("reason", ["理由\x00です", "理由\u202eです", "理由\x1bです"])
def test_return_reason_with_controls_is_refused_and_nothing_changes(app, world, jsicm, client_for,
                                                                     reason):
    credential_id = _submitted(app, world, jsicm)
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    path = f"/review/credentials/{credential_id}"
    response = director.post(f"{path}/return", {"reason": reason}, csrf_from=path)
    assert response.status_code == 303  # back to the review page, the message flashed there
    assert CONTROLS in director.text(path)
    [credential] = read(app, world.jsicm.tenant_id, select(Credential))
    assert credential.status == "pending_review"
    assert outbox(app, template="credential_returned") == []


def test_a_multi_line_reason_keeps_tab_and_newline_and_stores_lf(app, world, jsicm, client_for):
    credential_id = _submitted(app, world, jsicm)
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    path = f"/review/credentials/{credential_id}"
    response = director.post(f"{path}/return", {"reason": "1行目\r\n\t2行目"}, csrf_from=path)
    assert response.status_code == 303
    [credential] = read(app, world.jsicm.tenant_id, select(Credential))
    assert credential.status == "returned" and credential.review_comment == "1行目\n\t2行目"


@pytest.fixture
def jimu(jspm, jspm_world):
    jspm.login(JIMU_LOGIN)
    return jspm


@pytest.mark.parametrize("label", ["2027年度\x00更新", "2027年度\r\n更新", "\u202e新更年7202"])
def test_window_label_with_controls_is_refused(app, jimu, jspm_world, label):
    page = "/renewal/admin/windows/manage"
    before = read(app, jspm_world.tenant_id, select(RenewalWindow.id))
    response = jimu.post(page, {"label": label, "opens_date": "2027-02-01", "opens_time": "00:00",
                                "closes_date": "2027-02-28", "closes_time": "23:59"}, csrf_from=page)
    assert response.status_code == 422 and CONTROLS in _body(response)
    assert read(app, jspm_world.tenant_id, select(RenewalWindow.id)) == before


@pytest.mark.parametrize("name", ["新緑\x00ホスピス", "新緑\u202eホスピス", "新緑\tホスピス"])
def test_facility_name_with_controls_is_refused_on_the_page(app, jimu, jspm_world, name):
    response = jimu.post("/renewal/admin/facilities", {
        "name": name, "certification_number": "R-0500", "facility_type": "affiliated",
        "email": "shinryoku@example.jp"}, csrf_from="/renewal/admin/facilities")
    assert response.status_code == 422 and CONTROLS in _body(response)
    assert read(app, jspm_world.tenant_id, select(Facility).where(Facility.name.like("新緑%"))) == []
    assert outbox(app) == []


def _import(client, data: bytes):
    token = client.csrf("/renewal/admin/facilities")
    return client.client.post("/renewal/admin/facilities/import", content_type="multipart/form-data",
                              data={"csrf_token": token, "file": (io.BytesIO(data), "施設.csv")})


CSV_HEADER = "施設名,認定番号,種別,メールアドレス\n"


@pytest.mark.parametrize("cell", ["若葉\x00病院", "若葉\u202e病院", "若葉\x1f病院"])
def test_csv_row_with_controls_is_refused_with_its_line(app, jimu, jspm_world, cell):
    text = CSV_HEADER + "青葉病院,K-0900,基幹施設,aoba@example.jp\n" + f"{cell},K-0901,基幹施設,w@example.jp\n"
    response = _import(jimu, text.encode())
    assert response.status_code == 422 and f"3行目: {CONTROLS}" in _body(response)
    assert read(app, jspm_world.tenant_id, select(Facility).where(Facility.name == "青葉病院")) == []
    assert outbox(app) == []


def test_search_text_with_nul_does_not_fail(jmsb, world):
    jmsb.login("jmsb-jimu@example.jp")
    response = jmsb.get("/admin/registrants", query_string={"q": "テスト\x00", "status": "\x00"})
    assert response.status_code == 200


# --- item 3: numbers in query strings and paths ----------------------------------------------

@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "-1", "0", "1e9", "abc", "１２"])
def test_huge_or_bad_after_in_the_review_queue_does_not_fail(jsicm, world, value):
    jsicm.login("jsicm-director")
    assert jsicm.get("/review/credentials", query_string={"after": value}).status_code in (200, 400)


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "2147483648"])
def test_huge_after_in_the_registrant_list_does_not_fail(jmsb, world, value):
    jmsb.login("jmsb-jimu@example.jp")
    assert jmsb.get("/admin/registrants", query_string={"after": value}).status_code in (200, 400)


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "2147483648", "x"])
def test_huge_window_in_the_applications_csv_does_not_fail(jimu, value):
    response = jimu.get("/renewal/admin/applications.csv", query_string={"window": value})
    assert response.status_code in (200, 400, 404)


@pytest.mark.parametrize("path", [f"/review/credentials/{HUGE}", "/review/credentials/2147483648",
                                  f"/files/{HUGE}"])
def test_huge_ids_in_the_path_are_not_found(jsicm, world, path):
    jsicm.login("jsicm-director")
    assert jsicm.get(path).status_code == 404


# --- item 5: CSV fields over the csv module's limit, and other CSV faults -------------------

@pytest.mark.parametrize("data", [
    (CSV_HEADER + "若葉病院,K-0900,基幹施設," + "a" * 140_000 + "\n").encode(),
    (CSV_HEADER + '若葉病院,K-0900,基幹施設,"' + "a" * 140_000 + '"\n').encode(),
    (CSV_HEADER + "若葉\x00病院,K-0900,基幹施設,w@example.jp\n").encode(),
])
def test_csv_with_an_oversized_or_broken_field_names_the_row(app, jimu, jspm_world, data):
    response = _import(jimu, data)
    assert response.status_code == 422 and "2行目" in _body(response)
    assert outbox(app) == []


def test_csv_that_is_not_utf8_or_has_nul_in_the_header_is_refused(jimu):
    for data in (b"\xff\xfe\x00\x00", "施設名\x00,認定番号\n".encode()):
        response = _import(jimu, data)
        assert response.status_code == 422


# --- item 13: messages that name the problem ---------------------------------------------------

def test_a_300_character_file_name_is_told_the_name_is_too_long(app, world, jsicm):
    jsicm.login("jsicm-800014")
    response = upload_credential(jsicm, pdf_bytes(), "あ" * 300 + ".pdf")
    body = _body(response)
    formats = "形式のファイルを選択してください"  # also in the page's data-msg-* for the script
    assert response.status_code == 400 and "ファイル名が長すぎます" in body
    assert body.count(formats) == jsicm.text("/credentials/upload").count(formats)


def test_request_over_the_server_limit_names_the_slot_limit(app, world, jsicm):
    jsicm.login("jsicm-800014")
    big = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = upload_credential(jsicm, big, "大きい.pdf")
    assert response.status_code == 413 and "5MB以下" in _body(response)


def test_licence_over_the_server_limit_names_its_own_limit(app, jmsb, world):
    jmsb.login("trainee@jmsb.example.jp")
    token = jmsb.csrf("/")
    big = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = jmsb.client.post("/license", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(big), "免許証.pdf")})
    assert response.status_code == 413 and "10MB未満" in _body(response)
