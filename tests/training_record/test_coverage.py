"""The checks of a trainee's records (I-30 to I-34, B-R19, B-R20, B-R23), each on its row."""
from __future__ import annotations

from datetime import date

import pytest

from portal.blueprints.training_record.services.coverage import check
from portal.blueprints.training_record.services.records import Draft

TODAY = date(2026, 12, 2)


def row(rid, start, end, kind="facility_period", status="training", facility=1, reason=None):
    return Draft(kind, status, start, end, reason, None, facility if kind == "facility_period"
                 else None, None, record_id=rid, id=rid)


@pytest.fixture
def ctx(app):
    with app.test_request_context("/"):
        yield


def test_contiguous_rows_from_the_start_to_today_are_complete(ctx):
    rows = [row(1, date(2024, 4, 1), date(2025, 3, 31)),
            row(2, date(2025, 4, 1), date(2025, 6, 30), "interruption", "interruption",
                reason="illness_treatment"),
            row(3, date(2025, 7, 1), None)]
    found = check(rows, date(2024, 4, 1), 2024, 2022, TODAY)
    assert found.complete and not found.gaps and not found.overlaps


def test_a_gap_is_explained_on_the_row_after_it_and_is_a_warning_only(ctx):
    found = check([row(1, date(2024, 4, 1), date(2024, 9, 30)), row(2, date(2024, 11, 1), None)],
                  date(2024, 4, 1), 2024, 2022, TODAY)
    assert found.rows == {2: ["前の行との間に空白期間があります（2024/10/01〜2024/10/31）。"]}
    assert found.hard == {} and [(s.start, s.end) for s in found.gaps] == [
        (date(2024, 10, 1), date(2024, 10, 31))]


def test_an_overlap_refuses_and_a_weekly_second_facility_is_pointed_to_other_details(ctx):
    found = check([row(1, date(2024, 4, 1), None), row(2, date(2025, 4, 1), date(2025, 9, 30), facility=2)],
                  date(2024, 4, 1), 2024, 2022, TODAY)
    [message] = found.hard[2]
    assert message.startswith("前の行と期間が重なっています（2025/04/01〜2025/09/30）。")
    assert "その他詳細" in message  # B-R23
    assert [(s.start, s.end) for s in found.overlaps] == [(date(2025, 4, 1), date(2025, 9, 30))]


def test_the_first_row_starts_on_the_training_start_and_the_last_reaches_today(ctx):
    late = check([row(1, date(2024, 5, 1), date(2025, 3, 31))], date(2024, 4, 1), 2024, 2022, TODAY)
    assert "研修開始日（2024/04/01）からこの行の開始日までの間に空白期間があります。" in late.rows[1]
    assert any("2025/04/01〜2026/12/02" in m for m in late.rows[1])  # I-31 / B-R20
    early = check([row(1, date(2024, 3, 1), None)], date(2024, 4, 1), 2024, 2022, TODAY)
    assert early.hard[1] == ["研修開始日（2024/04/01）より前の日付から始まっています。"]
    empty = check([], date(2024, 4, 1), 2024, 2022, TODAY)
    assert empty.general and not empty.complete


def test_each_row_needs_its_own_fields(ctx):
    """I-32: end ≥ start, an interruption has a reason, a facility period a facility."""
    rows = [row(1, date(2024, 4, 1), date(2024, 3, 1)),
            row(2, date(2024, 4, 2), None, "interruption", "interruption"),
            row(3, date(2024, 4, 3), None, facility=None)]
    found = check(rows, date(2024, 4, 1), 2024, 2022, TODAY)
    assert "終了日は開始日以降の日付を入力してください。" in found.hard[1]
    assert "中断理由を選択してください。" in found.hard[2]
    assert "研修施設名を選択するか入力してください。" in found.hard[3]


def test_actual_start_from_fy2022_and_legacy_april_first_with_suspension(ctx):
    """I-34 / B-R27: a FY2022 starter's records begin on the actual start (2022-07-01); a
    FY2021 starter's on 1 April, the days before the actual start being 休止."""
    actual = check([row(1, date(2022, 7, 1), None)], date(2022, 7, 1), 2022, 2022, TODAY)
    assert actual.complete
    legacy_wrong = check([row(1, date(2021, 7, 1), None)], date(2021, 7, 1), 2021, 2022, TODAY)
    assert "研修開始日（2021/04/01）からこの行の開始日までの間に空白期間があります。" in legacy_wrong.rows[1]
    legacy = check([row(1, date(2021, 4, 1), date(2021, 6, 30), status="suspension"),
                    row(2, date(2021, 7, 1), None)], date(2021, 7, 1), 2021, 2022, TODAY)
    assert legacy.complete
