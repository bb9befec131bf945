"""i18n: Japanese by default and complete; English from the en catalog (DOMAIN.md Q33).

msgids are the Japanese UI strings, so the catalog must cover every one of them, stay in step
with the sources (scripts/i18n re-extracts), and the English pages must really be English."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from portal.extensions import babel
from portal.tenants.rules import load_all_rules
from tests.factories.helpers.files import pdf_bytes

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "src" / "portal" / "translations"
POT = TRANSLATIONS / "messages.pot"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _ids(catalog) -> set[str]:
    return {m.id for m in catalog if m.id}


@pytest.fixture(scope="module")
def english(app):
    """Compile en/messages.po when the .mo is missing or older (a fresh clone has no .mo:
    it is gitignored), then drop Flask-Babel's cached catalogs so requests load it."""
    if not EN_MO.exists() or EN_MO.stat().st_mtime < EN_PO.stat().st_mtime:
        out = io.BytesIO()
        write_mo(out, _read(EN_PO))
        fd, tmp = tempfile.mkstemp(dir=EN_MO.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(out.getvalue())
        os.chmod(tmp, 0o644)
        os.replace(tmp, EN_MO)  # atomic: parallel workers never see half a file
    with app.app_context():
        babel.domain_instance.cache.clear()
    yield
    with app.app_context():
        babel.domain_instance.cache.clear()


def _switch(client, lang: str, page: str = "/"):
    response = client.post("/lang", {"lang": lang}, csrf_from=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


# --- the catalog -----------------------------------------------------------------------


def test_every_english_entry_is_translated_and_not_fuzzy():
    catalog = _read(EN_PO)
    assert len(_ids(catalog)) > 100
    untranslated = [m.id for m in catalog if m.id and not (
        all(m.string) if isinstance(m.string, tuple) else m.string)]  # tuple: plural forms
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_english_keeps_every_placeholder_of_the_japanese():
    wrong = [(m.id, m.string) for m in _read(EN_PO) if m.id
             and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))]
    assert wrong == []


def test_english_has_no_markup_or_straight_double_quotes():
    """Jinja marks translations safe and some go into attributes (data-msg-*, aria-label):
    a translation must not be able to add markup or close an attribute."""
    risky = [m.string for m in _read(EN_PO) if m.id and re.search(r'[<"]', m.string)]
    assert risky == []


def test_english_catalog_covers_exactly_the_template():
    assert _ids(_read(EN_PO)) == _ids(_read(POT))


def test_pot_is_up_to_date_with_the_sources(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "_l", "--ignore-dirs=.* __pycache__", "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True, timeout=120)
    extracted, committed = _ids(_read(fresh)), _ids(_read(POT))
    assert extracted - committed == set(), "new strings: run scripts/i18n and translate them"
    assert committed - extracted == set(), "removed strings: run scripts/i18n"


def test_every_society_login_label_has_english():
    catalog = _read(EN_PO)
    rules = load_all_rules(ROOT / "src" / "portal" / "tenants")
    for slug, society in rules.items():
        message = catalog.get(society.auth.login_label)
        assert message is not None and message.string, (slug, society.auth.login_label)


# --- the pages ---------------------------------------------------------------------------


def test_japanese_is_the_default_with_no_catalog_needed(jsicm):
    jsicm.login("jsicm-800014")
    page = jsicm.text("/")
    assert '<html lang="ja">' in page
    for text in ("在籍状況", "証票アップロード", "未申請", "（専攻医）", ">English</button>"):
        assert text in page, text


def test_trainee_top_page_in_english_then_back_to_japanese(english, jsicm):
    jsicm.login("jsicm-800014")
    _switch(jsicm, "en")
    page = jsicm.text("/")
    assert '<html lang="en">' in page
    for text in ("Trainee Home", "Current Enrollment", "Training Start Application Status",
                 "Training Facility", "Program Director", "Credential Review Status",
                 "Not Submitted", "Approved", "Tasks (1 pending)", "Please upload your credential.",
                 "No notices", "Credential Upload", "View / Change Registration Info",
                 "Available once this requirement is met: Credential approved.",
                 "This feature is not available yet.", "(Trainee)", "Log Out", ">日本語</button>"):
        assert text in page, text
    for japanese in ("在籍状況", "未申請", "証票アップロード", "タスク", "ログアウト"):
        assert japanese not in page, japanese
    # Names and the society's own branding are data, not UI: they stay as registered.
    assert "施設A" in page and "統括 太郎" in page and "日本集中治療医学会" in page

    _switch(jsicm, "ja")
    page = jsicm.text("/")
    assert '<html lang="ja">' in page
    assert "在籍状況" in page and "未申請" in page and "Current Enrollment" not in page


def test_lang_switch_needs_csrf_and_a_known_language(english, jsicm):
    jsicm.login("jsicm-800014")
    assert jsicm.client.post("/lang", data={"lang": "en"}).status_code == 400
    assert jsicm.post("/lang", {"lang": "fr"}, csrf_from="/").status_code == 400
    assert '<html lang="ja">' in jsicm.text("/")


def test_language_chosen_before_login_survives_login_and_logout(english, jsicm):
    _switch(jsicm, "en", page="/login")
    login = jsicm.text("/login")
    assert "Login ID (Member Number)" in login and "Forgot your password?" in login
    jsicm.login("jsicm-800014")
    assert "Current Enrollment" in jsicm.text("/")
    response = jsicm.post("/logout", {}, csrf_from="/")
    assert response.status_code == 302
    assert "You have logged out." in jsicm.text("/login")


def test_form_errors_and_flashes_are_translated(english, jsicm):
    _switch(jsicm, "en", page="/login")
    page = jsicm.post("/login", {"identifier": "jsicm-800014", "password": "wrong-password-0"})
    assert page.status_code == 400
    assert "The login ID or password is incorrect." in page.get_data(as_text=True)
    page = jsicm.post("/login", {"identifier": "", "password": ""}).get_data(as_text=True)
    assert "This field is required." in page and "入力してください。" not in page


def test_upload_screen_and_its_messages_in_english(english, jsicm):
    jsicm.login("jsicm-800014")
    _switch(jsicm, "en")
    form = jsicm.text("/credentials/upload")
    for text in ("Trainee Registration Info", "Pediatrics", "Specialist Certificate",
                 "Specialist Certified (internal medicine: Certified Physician also accepted)",
                 "You can upload pdf/ png/ jpg/ jpeg files up to 5MB.", "Choose File",
                 "No file chosen", "The file is too large. Please choose a file up to 5MB."):
        assert text in form, text
    token = jsicm.csrf("/credentials/upload")
    response = jsicm.client.post("/credentials/upload", data={
        "csrf_token": token, "document_type": "specialist_certificate",
        "file": (io.BytesIO(pdf_bytes()), "certificate.txt")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Please choose a file in PDF, PNG, JPEG format." in response.get_data(as_text=True)


def test_upload_rejection_stays_japanese_in_japanese(jsicm):
    jsicm.login("jsicm-800014")
    token = jsicm.csrf("/credentials/upload")
    response = jsicm.client.post("/credentials/upload", data={
        "csrf_token": token, "document_type": "specialist_certificate",
        "file": (io.BytesIO(pdf_bytes()), "certificate.txt")}, content_type="multipart/form-data")
    assert "PDF、PNG、JPEG 形式のファイルを選択してください。" in response.get_data(as_text=True)


def test_error_page_in_english(english, jsicm):
    jsicm.login("jsicm-800014")
    _switch(jsicm, "en")
    response = jsicm.get("/review/credentials")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "You do not have permission to do this." in page and "Go to Home" in page


def test_template_gettext_formats_and_escapes_as_jinja_newstyle_does(app, english, jsicm):
    """`_()` in templates is our own shortcut of jinja's newstyle gettext: the same output
    for values (escaped), `%%`, plain strings, and the English catalog."""
    from flask import render_template_string, session
    cases = {
        "{{ _('該当 %(count)d件', count=3) }}": "該当 3件",
        "{{ _('%(name)s様', name='<b>') }}": "&lt;b&gt;様",
        "{{ _('100%%') }}": "100%",
        "{{ _('氏名') }}": "氏名",
        "{% trans n=2 %}{{ n }}件{% endtrans %}": "2件",
    }
    with app.test_request_context("/", headers={"Host": "jsicm.localhost"}):
        app.preprocess_request()
        for source, expected in cases.items():
            assert render_template_string(source) == expected, source
        session["lang"] = "en"
        from flask_babel import refresh
        refresh()
        assert render_template_string("{{ _('氏名') }}") == "Name"
