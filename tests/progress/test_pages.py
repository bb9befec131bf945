"""研修終了要件チェック (the trainee's own), 専攻医の進捗 (the program director's trainees only),
研修進捗一覧 with its CSV (the secretariat), the society's own requirements with no code, other
societies' trainees a 404, and the menu's locked items naming the requirement that locks them.
Facts the case log and training periods will answer are stood in for (stub_facts)."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from portal.blueprints.credentials.models import TrainingStartApplication
from portal.blueprints.progress import queries
from tests.factories.helpers.progress import approved_credential, enrollment, stub_facts

LEAVES = ("resp_pneumonia", "cardio_acs", "sepsis_shock", "neuro_stroke", "trauma_multiple",
          "resp_ards", "resp_copd", "cardio_hf", "cardio_arrhythmia", "cardio_surgery",
          "sepsis_other", "neuro_status", "neuro_pcas", "trauma_burn", "abdomen_liver")
EVERYTHING = {  # every JSICM requirement but the credential, exactly at its minimum
    "rotation_days": {"icu": 366, "emergency": 31, "anaesthesia": 31},
    "longest_run_days": {"icu": 84},
    "cases_total": 100,
    "cases_by_category": {**dict.fromkeys(LEAVES, 1), "resp_pneumonia": 13,
                          "cardio_acs": 12, "sepsis_shock": 9, "neuro_stroke": 3,
                          "trauma_multiple": 2},
    "accepted_reports": 10,
}
LOCKED = "証票の承認を満たすと利用できます。"


def _approve(add_rows, society, trainee_id, application_id):
    add_rows(society.tenant_id, approved_credential(society, trainee_id, application_id))


def test_nothing_yet_every_requirement_unmet_with_what_is_missing(world, jsicm):
    jsicm.login("jsicm-800014")
    page = jsicm.text("/progress/")
    assert "未達の要件が 13 件あります" in page
    assert page.count('class="badge status-unmet"') == 13 and "status-met" not in page
    for text in ("集中治療研修 12か月以上", "うち連続12週以上の集中治療研修", "証票が未承認です",
                 "あと100例", "あと12か月", "あと12週", "あと10件", "あと15区分", "0 / 15例"):
        assert text in page, text
    assert "症例区分: 呼吸器" in page  # the branch a category requirement counts
    assert "✗" in page  # an icon and words, not colour alone


def test_everything_met_says_so(world, jsicm, add_rows, monkeypatch):
    _approve(add_rows, world.jsicm, world.jsicm.trainee, world.jsicm.application)
    stub_facts(monkeypatch, {world.jsicm.trainee: EVERYTHING})
    jsicm.login("jsicm-800014")
    page = jsicm.text("/progress/")
    assert "研修終了要件を満たしています" in page and "未達の要件" not in page
    assert page.count('class="badge status-met"') == 13
    assert "12 / 12か月" in page and "100 / 100例" in page and "承認済" in page


def test_one_short_is_named(world, jsicm, add_rows, monkeypatch):
    _approve(add_rows, world.jsicm, world.jsicm.trainee, world.jsicm.application)
    stub_facts(monkeypatch, {world.jsicm.trainee: {**EVERYTHING, "rotation_days": {
        "icu": 365, "emergency": 31, "anaesthesia": 31}}})
    jsicm.login("jsicm-800014")
    page = jsicm.text("/progress/")
    assert "未達の要件が 1 件あります" in page and "あと1か月" in page and "11 / 12か月" in page


def test_a_society_with_other_requirements_shows_its_own(factories, client_for):
    jsgt = factories.society("jsgt", "日本総合研修医学会")
    client = client_for("jsgt.localhost")
    client.login("trainee@jsgt.example.jp")
    page = client.text("/progress/")
    assert "総合研修 18か月以上" in page and "地域医療 6か月以上" in page
    assert "集中治療" not in page and "未達の要件が 5 件あります" in page
    assert jsgt.tenant_id


def test_locked_menu_items_name_the_requirement_and_the_server_still_refuses(
        world, jsicm, add_rows):
    jsicm.login("jsicm-800014")
    page = jsicm.text("/progress/")
    assert page.count(LOCKED) == 3  # 経験症例新規登録, 症例レポート新規登録, 症例一覧
    assert jsicm.get("/cases/new").status_code == 403
    _approve(add_rows, world.jsicm, world.jsicm.trainee, world.jsicm.application)
    page = jsicm.text("/progress/")
    assert LOCKED not in page and 'href="/cases/new"' in page
    assert jsicm.get("/cases/").status_code == 200


# --- the program director -----------------------------------------------------------------

@pytest.fixture
def trainees(world, factories, add_rows):
    """jsicm: the world's trainee and 専攻医 二 are 統括 太郎's; 専攻医 三 is 統括 次郎's;
    専攻医 四 left 統括 太郎 (their 在籍 ended)."""
    s = world.jsicm
    two = factories.user(s.tenant_id, "t2", "trainee", full_name="専攻医 二", member_number="800002",
                         facility_id=s.facility)
    three = factories.user(s.tenant_id, "t3", "trainee", full_name="専攻医 三",
                           member_number="800003", facility_id=s.other_facility)
    four = factories.user(s.tenant_id, "t4", "trainee", full_name="専攻医 四", facility_id=s.facility)
    add_rows(s.tenant_id, enrollment(s, s.trainee, s.director), enrollment(s, two, s.director),
             enrollment(s, three, s.other_director),
             enrollment(s, four, s.director, to_date=date(2025, 3, 31)),
             TrainingStartApplication(tenant_id=s.tenant_id, trainee_id=three, facility_id=s.other_facility,
                                      program_director_id=s.other_director,
                                      training_start_date=date(2025, 4, 1), status="approved"))
    _approve(add_rows, s, s.trainee, s.application)
    return {"one": s.trainee, "two": two, "three": three, "four": four}


def test_a_director_sees_their_own_trainees_and_no_one_elses(world, trainees, client_for):
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    page = director.text("/progress/trainees")
    assert "専攻医 テスト1" in page and "専攻医 二" in page
    assert "専攻医 三" not in page and "専攻医 四" not in page
    # the world's trainee: the credential, and 12 months of ICU in an unbroken run (their
    # 在籍 since 2024-04-01 is the society's first rotation)
    assert "3 / 13 件" in page and "未達 10 件" in page
    check = director.text(f"/progress/trainees/{trainees['two']}")
    assert "専攻医 二" in check and "未達の要件が 11 件あります" in check
    for other in (trainees["three"], trainees["four"], world.jmsb.trainee, 10**9):
        assert director.get(f"/progress/trainees/{other}").status_code == 404, other
    assert director.get("/progress/cohort").status_code == 403


def test_trainees_cannot_look_at_others(world, trainees, jsicm):
    jsicm.login("jsicm-800014")
    assert jsicm.get(f"/progress/trainees/{trainees['two']}").status_code == 404
    assert jsicm.get("/progress/trainees").status_code == 403


# --- the secretariat ------------------------------------------------------------------------

def _rows(page: str) -> int:
    return page.count('<tr id="trainee-')


def test_the_cohort_table_filters_by_start_year_and_facility(world, trainees, client_for, add_rows):
    jimu = client_for("jsicm.localhost")
    jimu.login("jsicm-jimu")
    page = jimu.text("/progress/cohort")
    assert _rows(page) == 4 and "研修終了要件" not in page.split("<main")[0]
    assert page.count("<th scope=\"col\">") == 13 + 2  # 専攻医, 13 requirements, 達成数
    assert "済 承認済" in page and "未 0 / 100例" in page
    assert _rows(jimu.text(f"/progress/cohort?facility={world.jsicm.other_facility}")) == 1
    only_2025 = jimu.text("/progress/cohort?year=2025")
    assert _rows(only_2025) == 1 and "専攻医 三" in only_2025
    assert _rows(jimu.text("/progress/cohort?year=2024")) == 1  # the world's migrated trainee
    s = world.jsicm  # 専攻医 四 applied for 2023, then again for 2025: the latest counts
    add_rows(s.tenant_id, *[TrainingStartApplication(
        tenant_id=s.tenant_id, trainee_id=trainees["four"], facility_id=s.facility,
        program_director_id=s.director, training_start_date=date(y, 4, 1), status=status)
        for y, status in ((2023, "returned"), (2025, "pending_review"))])
    assert _rows(jimu.text("/progress/cohort?year=2023")) == 0
    assert _rows(jimu.text("/progress/cohort?year=2025")) == 2
    assert _rows(jimu.text("/progress/cohort?year=abc")) == 4  # not a year: no filter
    assert "専攻医 二" in jimu.text(f"/progress/trainees/{trainees['two']}")


def test_the_cohort_csv_has_a_column_per_requirement_and_a_row_per_trainee(
        world, trainees, client_for, monkeypatch):
    monkeypatch.setattr(queries, "CSV_CHUNK", 3)  # 4 trainees: two chunks
    stub_facts(monkeypatch, {trainees["two"]: EVERYTHING})
    jimu = client_for("jsicm.localhost")
    jimu.login("jsicm-jimu")
    response = jimu.get("/progress/cohort.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[:3] == ["会員番号", "氏名", "施設"] and header[-1] == "達成数"
    assert header[3:-1] == [r.label for r in _jsicm_requirements(jimu)]
    assert [r[1] for r in rows] == ["専攻医 テスト1", "専攻医 二", "専攻医 三", "専攻医 四"]
    two = rows[1]
    assert two[3] == "未 未承認" and two[4] == "済 12 / 12か月" and two[-1] == "12"
    one_facility = jimu.get(f"/progress/cohort.csv?facility={world.jsicm.other_facility}")
    assert len(one_facility.get_data().decode("utf-8-sig").strip().splitlines()) == 2


def _jsicm_requirements(client):
    from portal.tenants.resolve import rules_for

    with client.client.application.app_context():
        return rules_for("jsicm").requirements


def test_another_societys_trainee_is_not_found(world, trainees, factories, client_for):
    other = factories.society("jsgt", "日本総合研修医学会")
    jimu = client_for("jsgt.localhost")
    jimu.login("jsgt-jimu@example.jp")
    assert jimu.get(f"/progress/trainees/{trainees['two']}").status_code == 404
    assert jimu.get(f"/progress/trainees/{other.trainee}").status_code == 200
    assert "専攻医 二" not in jimu.text("/progress/cohort")
    mine = client_for("jsicm.localhost")
    mine.login("jsicm-jimu")
    assert mine.get(f"/progress/trainees/{other.trainee}").status_code == 404
    # a society without the case log has no progress pages at all
    jmsb = client_for("jmsb.localhost")
    jmsb.login("jmsb-jimu@example.jp")
    assert jmsb.get("/progress/cohort").status_code == 404
