"""No patient identifier in the case log's free text: birth dates (any full date), ID-like
numbers and names are refused with the kind found and why; clinical shorthand passes; full-width
input is folded first. And through the page: refused on the field, nothing saved."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.blueprints.cases.models import Case
from portal.blueprints.cases.services.identifiers import (
    BIRTH_DATE,
    PATIENT_ID,
    PATIENT_NAME,
    identifier_problem,
)
from tests.factories.helpers.case_log import case_form, unlock
from tests.factories.helpers.rows import read

CLINICAL = [
    "", "   ", "PaO2/FiO2 150", "P/F比 150", "第3病日に抜管", "CRP 25", "CRP 25 mg/dL、PCT 12.3",
    "SOFA 12点、APACHE II 25", "COVID-19肺炎", "IL-6 12000 pg/mL", "BT 38.5℃", "摂氏39度の発熱",
    "2024年1月に発症", "1/2に抜管、1/5に退室", "血小板 12.3万/μL", "H2 blocker 併用", "S1 S2 正常",
    "同様の経過", "様子観察とした", "多様な病態", "様々な合併症", "さまざまな合併症", "たくさんの輸液",
    "患者さんと家族に説明", "ご家族様へ説明", "お母さんが付き添い", "主治医の先生と相談", "看護師さんと協議",
    "ECMO導入後第5病日に離脱", "NPPV → HFNC 40L/min FiO2 0.4", "体重 62kg、BMI 23.1",
    "ノルアドレナリン 0.3γ", "A氏（匿名化）", "Hb 7.2 g/dL で輸血 2単位", "CHDF QB 100 mL/min",
    "VV-ECMO 1234 rpm", "入室時 GCS E1VTM4", "Mr. の表記はない", "ID番号なし" ,
]
BIRTH_DATES = ["生年月日 不明", "誕生日は", "DOB: unknown", "1950/1/2生", "1950-01-02", "1950.1.2",
               "1950年1月2日生まれ", "昭和25年1月2日", "平成元年1月2日", "S25.1.2", "H2/1/2",
               "1/2/1950", "１９５０／１／２", "2024/12/31 入室"]
IDS = ["患者ID 123", "患者番号あり", "カルテ番号 4567", "カルテNo.12", "ID: A12", "ID:1234",
       "MRN 12345", "mrn#12345", "12345678", "電話 09012345678", "ＩＤ：１２３４", "診察券 あり"]
NAMES = ["山田太郎さん", "田中様より", "鈴木氏は", "佐藤殿", "本日は山田さんが来院", "ヤマダさん",
         "患者名 記載なし", "氏名", "Mr. Smith", "Mrs Brown", "Yamada-san"]


@pytest.mark.parametrize("text", CLINICAL)
def test_clinical_text_passes(text):
    assert identifier_problem(text) is None


@pytest.mark.parametrize(("texts", "message"), [(BIRTH_DATES, BIRTH_DATE), (IDS, PATIENT_ID),
                                                 (NAMES, PATIENT_NAME)])
def test_each_kind_is_refused_with_its_reason(texts, message):
    for text in texts:
        assert identifier_problem(text) == message, text
        assert identifier_problem(f"経過良好。{text}。第3病日に退室") == message, text


def test_the_messages_say_what_was_found_and_why():
    assert BIRTH_DATE.startswith("患者を特定できる情報（生年月日と思われる日付）は入力できません。")
    assert "患者IDやカルテ番号" in PATIENT_ID and "氏名と思われる語" in PATIENT_NAME


@pytest.mark.parametrize(("summary", "kind"), [("S25.1.2生まれ", "生年月日と思われる日付"),
                                               ("カルテ番号 12345", "患者IDやカルテ番号"),
                                               ("Mr. Tanaka", "氏名と思われる語")])
def test_the_page_refuses_it_on_the_field_and_saves_nothing(app, world, jsicm, summary, kind):
    unlock(app, world.jsicm)
    jsicm.login("jsicm-800014")
    response = jsicm.post("/cases/new", case_form(summary=summary), csrf_from="/cases/new")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"患者を特定できる情報（{kind}" in page and 'id="summary-error"' in page
    assert read(app, world.jsicm.tenant_id, select(Case)) == []
