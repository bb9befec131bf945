"""The renewal's society-specific wording is data (issue 12): jspm's rules.toml gives its
words ([renewal] document_prefix and addressee, [terminology] society.self, renewal.*), and
jspm still sees them on every screen, message, the printed form, mail and document numbers.
A society that sets none gets generic defaults, never jspm's words."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from portal.tenants.rules import Renewal
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.renewal import (
    CORE_LOGIN,
    JIMU_LOGIN,
    form1_data,
    form2_data,
    physicians,
    post_form1,
    upload_scan,
)
from tests.factories.helpers.rows import outbox

HX = {"HX-Request": "true"}
JSPM_WORDS = ("緩和医療指導医", "緩和ケア病棟", "緩和ケアチーム", "当学会", "日本緩和医療学会",
              "施設マイページ", "JSPM")


def pdf_text(client) -> str:
    pdf = client.get("/renewal/document.pdf")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    return re.sub(r"\s+", "", text)  # the layout's spaces and line breaks say nothing here


def submit_everything(client) -> None:
    assert post_form1(client, form1_data(), physicians()).status_code == 200
    assert client.post("/renewal/form2", form2_data(), csrf_from="/renewal/apply").status_code == 200
    assert upload_scan(client, pdf_bytes()).status_code == 303
    assert client.post("/renewal/submit", {}, csrf_from="/renewal/apply").status_code == 303


def test_jspm_forms_and_their_messages_use_its_words(jspm):
    jspm.login(CORE_LOGIN)
    form1 = jspm.text("/renewal/form1")
    assert "<legend>緩和医療指導医</legend>" in form1
    assert "「施設責任者」の欄には当学会の認定取得者を記入してください。" in form1
    assert "基幹施設には「緩和医療指導医」が1名以上常勤していることが条件となります。" in form1
    form2 = jspm.text("/renewal/form2")
    assert "<legend>緩和ケア病棟の有無</legend>" in form2 and ">年間の緩和ケアチーム介入件数</label>" in form2

    saved = post_form1(jspm, form1_data(responsible_member_number="100003"),
                       physicians(full_time=False), headers=HX).get_data(as_text=True)
    assert "基幹施設には常勤の緩和医療指導医が1名以上必要です。" in saved
    assert "施設責任者は当学会の認定取得者である必要があります。" in saved
    page = jspm.post("/renewal/form2", form2_data(team_cases="", has_pcu=""),
                     csrf_from="/renewal/apply").get_data(as_text=True)
    assert "年間の緩和ケアチーム介入件数を入力してください。" in page
    assert "緩和ケア病棟の有無を選択してください。" in page


def test_jspm_printed_form_mail_and_review_keep_its_wording(app, jspm, client_for):
    jspm.login(CORE_LOGIN)
    submit_everything(jspm)
    text = pdf_text(jspm)
    assert "日本緩和医療学会理事長殿" in text  # <p class="to">日本緩和医療学会 理事長 殿</p>
    assert re.search(r"文書番号JSPM-\d+-r1", text)
    for phrase in ("（当学会認定取得者）", "下記の緩和医療指導医が当施設に在籍していることを証明します。",
                   "施設マイページ「1.申請書」の下からアップロードしてください。"):
        assert phrase in text, phrase
    [mail] = outbox(app, template="renewal_submitted")
    assert re.search(r"文書番号: JSPM-\d+-r1", mail.body)

    jimu = client_for("jspm.localhost")
    jimu.login(JIMU_LOGIN)
    app_id = int(re.search(r'href="/renewal/review/(\d+)"', jimu.text("/renewal/review")).group(1))
    review = jimu.text(f"/renewal/review/{app_id}")
    assert f"JSPM-{app_id}-r1" in review and "<caption>緩和医療指導医</caption>" in review
    assert "<dt>緩和ケア病棟の有無</dt>" in review and "<dt>年間の緩和ケアチーム介入件数</dt>" in review
    assert jimu.post(f"/renewal/review/{app_id}/pass", {},
                     csrf_from=f"/renewal/review/{app_id}").status_code == 303
    [passed] = outbox(app, template="renewal_passed")
    assert "結果は施設マイページでご確認ください。" in passed.body


def test_jspm_document_number_check_shows_its_prefix(jspm, jspm_world):
    jspm.login(JIMU_LOGIN)
    assert 'placeholder="JSPM-12-r2"' in jspm.text("/renewal/admin/verify")
    response = jspm.get("/renewal/admin/verify", query_string={"number": "12-r2"})
    assert response.status_code == 404
    assert "文書番号の形式が正しくありません（例: JSPM-12-r2）。" in response.get_data(as_text=True)


def test_jspm_words_are_translated_on_english_screens(jspm):
    jspm.login(CORE_LOGIN)
    jspm.post("/lang", {"lang": "en"}, csrf_from="/")
    form1 = jspm.text("/renewal/form1")
    assert "<legend>緩和医療指導医</legend>" not in form1 and "palliative" in form1.lower()
    assert "当学会" not in form1


# --- a society that words nothing of its own ---------------------------------------------------

@pytest.fixture
def plain(app, factories, client_for, monkeypatch, make_society):
    """jspm's rules minus its wording, as society 日本テスト学会 (slug plain) on its own host."""
    import portal.tenants.resolve as resolve

    original = resolve.rules_for

    def rules_for(slug, name=""):
        if slug != "plain":
            return original(slug, name)
        jspm = original("jspm")
        branding = jspm.branding.model_copy(update={"society_name": "日本テスト学会",
                                                    "system_name": "テスト研修ポータル"})
        return jspm.model_copy(update={"slug": "plain", "branding": branding, "terminology": {},
                                       "renewal": Renewal()})

    monkeypatch.setattr(resolve, "rules_for", rules_for)
    make_society(slug="plain", name="日本テスト学会")
    return client_for("plain.localhost")


def test_a_society_without_its_own_wording_gets_the_generic_defaults(app, plain):
    plain.login(CORE_LOGIN)
    form1, form2 = plain.text("/renewal/form1"), plain.text("/renewal/form2")
    assert "<legend>指導医</legend>" in form1 and "本会の認定取得者を記入してください" in form1
    assert "<legend>専門病棟の有無</legend>" in form2 and ">年間の専門チーム介入件数</label>" in form2
    submit_everything(plain)
    text = pdf_text(plain)
    assert "日本テスト学会理事長殿" in text and "（本会認定取得者）" in text
    assert re.search(r"文書番号PLAIN-\d+-r1", text) and "施設用ページ「1.申請書」" in text
    [mail] = outbox(app, template="renewal_submitted")
    assert re.search(r"文書番号: PLAIN-\d+-r1", mail.body)
    for seen in (form1, form2, text, mail.body):
        for word in JSPM_WORDS:
            assert word not in seen, word
