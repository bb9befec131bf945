"""事務局: recruitment rounds entered in Japan time and stored in UTC. Rules: opens < closes <=
選考結果登録締切; rounds of a year follow each other in seq order without overlapping; the start
year is after the fiscal year of 応募開始 (I-25 / B-R09); once a round has opened only its
closing times may be extended, and it cannot be deleted. Bad input: message, 4xx, no change."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.blueprints.recruitment.models import RecruitmentRound
from portal.blueprints.recruitment.services.secretariat import fiscal_year
from portal.db import utcnow
from portal.ui import JST, to_jst
from tests.factories.helpers.recruitment import counts
from tests.factories.helpers.rows import audit_actions, get, read

NEW = "/recruitment/admin/rounds/new"
LIST = "/recruitment/admin/rounds"
# A start year no fixture round uses, whose recruitment lies wholly in the future.
YEAR = fiscal_year(utcnow()) + 2
PREV = YEAR - 1  # the fiscal year the recruitment runs in


def local(value: datetime) -> str:
    return to_jst(value).strftime("%Y-%m-%dT%H:%M")


def jst(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M").replace(tzinfo=JST)


def round_data(**over) -> dict:
    data = {"start_fiscal_year": str(YEAR), "seq": "1", "label": "一次募集",
            "opens_at": f"{PREV}-10-01T10:00", "closes_at": f"{PREV}-10-31T23:59",
            "decisions_close_at": f"{PREV}-11-30T23:59"}
    data.update(over)
    return data


def edit_url(round_id: int) -> str:
    return f"/recruitment/admin/rounds/{round_id}/edit"


@pytest.fixture
def first_of_year(app, rec, add_rows) -> int:
    """Round 1 of YEAR, not yet open."""
    [round_id] = add_rows(rec.tenant_id, RecruitmentRound(
        tenant_id=rec.tenant_id, start_fiscal_year=YEAR, seq=1, label="一次募集",
        opens_at=jst(f"{PREV}-10-01T10:00"), closes_at=jst(f"{PREV}-10-31T23:59"),
        decisions_close_at=jst(f"{PREV}-11-30T23:59")))
    return round_id


def test_list_shows_rounds_in_japan_time_with_their_state(jimu, rec):
    page = jimu.text(LIST)
    assert "一次募集" in page and "二次募集" in page and "応募受付中" in page and "受付前" in page
    assert to_jst(rec.round1_closes).strftime("%Y/%m/%d %H:%M") in page
    assert f"/recruitment/admin/rounds/{rec.round2}/delete" in page
    assert f"/recruitment/admin/rounds/{rec.round1}/delete" not in page  # opened: says why instead
    assert "応募開始後のため削除できません" in page


def test_new_round_form_suggests_next_year_and_seq(jimu, rec):
    page = jimu.text(NEW)
    assert f'value="{fiscal_year(utcnow()) + 1}"' in page
    assert 'type="datetime-local"' in page


def test_create_round_stores_utc_with_inclusive_closing_minutes_and_is_audited(jimu, rec, app):
    response = jimu.post(NEW, round_data(), csrf_from=NEW)
    assert response.status_code == 303
    [row] = read(app, rec.tenant_id, select(RecruitmentRound).where(
        RecruitmentRound.start_fiscal_year == YEAR))
    assert row.opens_at == datetime(PREV, 10, 1, 1, 0, tzinfo=timezone.utc)  # 10:00 JST
    assert row.closes_at == datetime(PREV, 10, 31, 14, 59, 59, 999999, tzinfo=timezone.utc)
    assert row.decisions_close_at == datetime(PREV, 11, 30, 14, 59, 59, 999999, tzinfo=timezone.utc)
    assert (row.seq, row.label, row.closed_at) == (1, "一次募集", None)
    assert audit_actions(app, rec.tenant_id, "recruitment_rounds") == ["recruitment_round_created"]


BAD = [
    ({"closes_at": f"{PREV}-10-01T10:00"}, "応募締切は応募開始より後の日時にしてください。"),
    ({"decisions_close_at": f"{PREV}-10-30T23:59"}, "選考結果登録締切は応募締切と同じか、それより後の日時にしてください。"),
    ({"start_fiscal_year": str(PREV)}, f"研修開始年度は、応募開始日の年度（{PREV}年度）より後の年度にしてください。"),
    ({"decisions_close_at": f"{YEAR}-04-01T00:00"}, f"選考結果登録締切は研修開始（{YEAR}年4月1日）より前の日時にしてください。"),
    ({"opens_at": "2026/13/45 10:00"}, "日時を正しく入力してください"),
    ({"opens_at": ""}, "応募開始日時を入力してください。"),
    ({"label": ""}, "名称を入力してください（例: 一次募集）。"),
    ({"seq": "0"}, "回は1〜20の範囲で入力してください。"),
    ({"start_fiscal_year": "二〇二八"}, "年度は半角数字で入力してください（例: 2027）。"),
    ({"opens_at": "2020-01-01T10:00", "closes_at": "2020-01-31T23:59",
      "decisions_close_at": "2020-02-28T23:59", "start_fiscal_year": "2020"}, "応募締切が過去の日時です。"),
]


@pytest.mark.parametrize("over, message", BAD)
def test_bad_round_input_is_refused_with_a_message(jimu, rec, app, over, message):
    before = counts(app, rec.tenant_id)
    response = jimu.post(NEW, round_data(**over), csrf_from=NEW)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(app, rec.tenant_id) == before


@pytest.mark.parametrize("over, message", [
    ({}, f"{YEAR}年度の第1回は既に登録されています（一次募集）。"),
    # 二次 opening before 一次: seq order must be time order
    ({"seq": "2", "label": "二次募集", "opens_at": f"{PREV}-09-01T10:00", "closes_at": f"{PREV}-09-10T23:59",
      "decisions_close_at": f"{PREV}-09-20T23:59"}, "回の順序と期間の順序が合っていません。"),
    # 二次 opening before 一次's selection has closed
    ({"seq": "2", "label": "二次募集", "opens_at": f"{PREV}-11-15T10:00", "closes_at": f"{PREV}-12-10T23:59",
      "decisions_close_at": f"{PREV}-12-20T23:59"}, "第1回（一次募集）と期間（応募開始〜選考結果登録締切）が重なっています。"),
])
def test_rounds_of_a_year_follow_each_other(jimu, rec, app, first_of_year, over, message):
    before = counts(app, rec.tenant_id)
    response = jimu.post(NEW, round_data(**over), csrf_from=NEW)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(app, rec.tenant_id) == before


def test_second_round_after_the_first_ones_selection_is_accepted(jimu, rec, app, first_of_year):
    data = round_data(seq="2", label="二次募集", opens_at=f"{PREV}-12-01T10:00",
                      closes_at=f"{PREV}-12-15T23:59", decisions_close_at=f"{PREV}-12-25T23:59")
    assert jimu.post(NEW, data, csrf_from=NEW).status_code == 303


def test_a_round_not_yet_open_can_be_moved(jimu, rec, app, first_of_year):
    url = edit_url(first_of_year)
    page = jimu.text(url)
    assert f'value="{PREV}-10-01T10:00"' in page and "readonly" not in page
    data = round_data(opens_at=f"{PREV}-10-05T09:00", label="一次募集（延期）")
    assert jimu.post(url, data, csrf_from=url).status_code == 303
    row = get(app, rec.tenant_id, RecruitmentRound, first_of_year)
    assert (to_jst(row.opens_at).strftime("%m-%d %H:%M"), row.label) == ("10-05 09:00", "一次募集（延期）")
    assert audit_actions(app, rec.tenant_id, "recruitment_rounds") == ["recruitment_round_updated"]


def opened_round_data(rec, **over) -> dict:
    """The open 一次募集 of the fixture as its edit form shows it."""
    data = {"start_fiscal_year": "2027", "seq": "1", "label": "一次募集",
            "opens_at": local(rec.now - timedelta(days=1)), "closes_at": local(rec.round1_closes),
            "decisions_close_at": local(rec.round1_decisions_close)}
    data.update(over)
    return data


def test_an_opened_round_can_only_have_its_closing_times_extended(jimu, rec, app):
    url = edit_url(rec.round1)
    assert "readonly" in jimu.text(url)
    later = {"closes_at": local(rec.round1_closes + timedelta(days=1)),
             "decisions_close_at": local(rec.round1_decisions_close + timedelta(days=1))}
    assert jimu.post(url, opened_round_data(rec, **later), csrf_from=url).status_code == 303
    row = get(app, rec.tenant_id, RecruitmentRound, rec.round1)
    assert local(row.closes_at) == later["closes_at"]
    assert row.opens_at == rec.now - timedelta(days=1)  # unchanged to the microsecond


@pytest.mark.parametrize("over, message", [
    (lambda rec: {"opens_at": local(rec.now)}, "応募開始後の募集回は、研修開始年度・回・応募開始日時を変更できません。"),
    (lambda rec: {"seq": "3"}, "応募開始後の募集回は、研修開始年度・回・応募開始日時を変更できません。"),
    (lambda rec: {"closes_at": local(rec.round1_closes - timedelta(days=1))}, "延長のみ可能です"),
    (lambda rec: {"decisions_close_at": local(rec.round1_decisions_close + timedelta(days=10))},
     "第2回（二次募集）と期間（応募開始〜選考結果登録締切）が重なっています。"),
])
def test_an_opened_round_refuses_other_changes(jimu, rec, app, over, message, applications):
    applications(rec, [rec.applicant])
    url = edit_url(rec.round1)
    before = counts(app, rec.tenant_id)
    response = jimu.post(url, opened_round_data(rec, **over(rec)), csrf_from=url)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(app, rec.tenant_id) == before
    assert get(app, rec.tenant_id, RecruitmentRound, rec.round1).closes_at == rec.round1_closes


def test_a_closed_round_cannot_be_changed(jimu, rec, app):
    with app.app_context():
        from portal.extensions import db
        from portal.tenants.scoping import tenant_scope

        with tenant_scope(db.session, rec.tenant_id):
            db.session.get(RecruitmentRound, rec.round1).closed_at = utcnow()
            db.session.commit()
    url = edit_url(rec.round1)
    assert "締切処理が済んだため変更できません。" in jimu.text(LIST)
    response = jimu.post(url, opened_round_data(rec), csrf_from=url)
    assert response.status_code == 422
    assert "締切処理が済んだ募集回は変更できません。" in response.get_data(as_text=True)


def test_delete_only_a_round_that_has_not_opened(jimu, rec, app):
    response = jimu.post(f"/recruitment/admin/rounds/{rec.round1}/delete", {}, csrf_from=LIST)
    assert response.status_code == 409
    assert "応募開始後の募集回、または応募がある募集回は削除できません。" in response.get_data(as_text=True)
    assert get(app, rec.tenant_id, RecruitmentRound, rec.round1) is not None
    response = jimu.post(f"/recruitment/admin/rounds/{rec.round2}/delete", {}, csrf_from=LIST)
    assert response.status_code == 303
    assert get(app, rec.tenant_id, RecruitmentRound, rec.round2) is None
    assert audit_actions(app, rec.tenant_id, "recruitment_rounds") == ["recruitment_round_deleted"]


def test_delete_needs_the_csrf_token(jimu, rec, app):
    response = jimu.client.post(f"/recruitment/admin/rounds/{rec.round2}/delete")
    assert response.status_code == 400
    assert get(app, rec.tenant_id, RecruitmentRound, rec.round2) is not None


def test_another_societys_round_is_404(jimu, rec, app, world, factories, make_recruitment):

    foreign = make_recruitment(world.jsicm)
    assert jimu.get(edit_url(foreign.round2)).status_code == 404
    assert jimu.post(edit_url(foreign.round2), round_data(), csrf_from=NEW).status_code == 404
    assert jimu.post(f"/recruitment/admin/rounds/{foreign.round2}/delete", {},
                     csrf_from=LIST).status_code == 404
    assert get(app, foreign.tenant_id, RecruitmentRound, foreign.round2) is not None
