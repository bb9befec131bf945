"""The timeline picture (issue 17 item 3) on the trainee's and the director's pages, the
director's view of their own trainees and the secretariat's CSV of every record (item 8)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

from tests.factories.helpers.recruitment import DIRECTOR, TRAINEE


def _two_rows_with_a_gap_and_an_overlap(rec, add_records):
    add_records(rec.tenant_id, rec.society.trainee,
                ("facility_period", "training", date(2024, 4, 1), date(2024, 9, 30), rec.society.facility),
                ("interruption", "interruption", date(2024, 11, 1), date(2025, 1, 31), "illness_treatment"),
                ("facility_period", "training", date(2025, 1, 1), None, rec.society.other_facility))


def test_the_timeline_is_an_svg_with_gaps_overlaps_and_a_text_alternative(jmsb, rec, enrol, add_records):
    enrol(rec, rec.society.trainee, cohort=2024)
    _two_rows_with_a_gap_and_an_overlap(rec, add_records)
    jmsb.login(TRAINEE)
    page = jmsb.text("/training-record/")
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="timeline-title timeline-desc"' in svg
    assert "<script" not in page[page.index("<figure"):page.index("</figure>")]
    assert svg.count('class="bar"') == 3
    assert svg.count('class="mark mark-gap"') == 1 and svg.count('class="mark mark-overlap"') == 1
    # the text alternative says the same in words
    assert "研修実績 3件（2024/04/01〜" in page and "空白期間 1件、重複 1件" in page
    assert "空白期間: 2024/10/01〜2024/10/31" in page and "重複: 2025/01/01〜2025/01/31" in page
    assert "2024/11/01〜2025/01/31 中断 病気療養" in page


def test_the_director_sees_their_trainees_records_and_no_one_elses(client_for, rec, enrol, add_records, make_recruitment):
    enrollment = enrol(rec, rec.society.trainee, cohort=2024)
    _two_rows_with_a_gap_and_an_overlap(rec, add_records)
    director = client_for("jmsb.localhost")
    director.login(DIRECTOR)
    listing = director.text("/training-record/director/trainees")
    assert "専攻医 テスト1" in listing
    page = director.text(f"/training-record/director/trainees/{enrollment}")
    assert "<svg" in page and "空白期間: 2024/10/01〜2024/10/31" in page
    assert "研修施設の登録" not in page and "/edit" not in page  # read-only
    other = client_for("jmsb.localhost")
    other.login("jmsb-director-b@example.jp")
    assert "専攻医 テスト1" not in other.text("/training-record/director/trainees")
    assert other.get(f"/training-record/director/trainees/{enrollment}").status_code == 404


def test_a_trainee_cannot_open_the_director_pages(jmsb, rec, enrol):
    enrollment = enrol(rec, rec.society.trainee, cohort=2024)
    jmsb.login(TRAINEE)
    assert jmsb.get(f"/training-record/director/trainees/{enrollment}").status_code in (403, 404)
    assert jmsb.get("/training-record/admin/records.csv").status_code in (403, 404)


def test_the_secretariat_gets_every_record_as_csv(jimu, rec, enrol, add_records):
    enrol(rec, rec.society.trainee, cohort=2024)
    _two_rows_with_a_gap_and_an_overlap(rec, add_records)
    assert "専攻医 テスト1" in jimu.text("/training-record/admin/enrollments")
    response = jimu.get("/training-record/admin/records.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["医籍登録番号", "氏名", "プログラム"]
    assert [r[6:10] for r in rows[1:]] == [
        ["研修施設", "研修", "2024-04-01", "2024-09-30"],
        ["中断", "中断", "2024-11-01", "2025-01-31"],
        ["研修施設", "研修", "2025-01-01", ""]]
    assert rows[1][10] == "施設A" and rows[2][11] == "病気療養"


def test_the_pages_issue_a_fixed_number_of_queries(jmsb, rec, enrol, add_records, app):
    """A page's statements do not grow with the rows it shows."""
    from tests.factories.helpers.rows import sql_sent

    enrol(rec, rec.society.trainee, cohort=2024)
    jmsb.login(TRAINEE)
    add_records(rec.tenant_id, rec.society.trainee,
                ("facility_period", "training", date(2024, 4, 1), date(2024, 9, 30), rec.society.facility))
    few = len(sql_sent(app, lambda: jmsb.get("/training-record/")))
    add_records(rec.tenant_id, rec.society.trainee,
                *[("facility_period", "training", date(2024, 10 + i, 1), date(2024, 10 + i, 28),
                   rec.society.other_facility) for i in range(3)])
    many = len(sql_sent(app, lambda: jmsb.get("/training-record/")))
    assert many == few, re.escape(str((few, many)))
