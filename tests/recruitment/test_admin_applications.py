"""事務局: the applications list (filters, keyset pages of 100, fixed SQL count), one application
with its audit history, and the access walls (other roles, other societies)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal import create_app
from portal.blueprints.recruitment.models import RecruitmentApplication
from portal.blueprints.recruitment.services import applicant as services
from portal.blueprints.recruitment.services import selection
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.clients import TenantClient
from tests.factories.helpers.recruitment import DIRECTOR, JIMU, TRAINEE
from tests.factories.helpers.rows import sql_sent, user

LIST = "/recruitment/admin/applications"


def detail_url(application_id: int) -> str:
    return f"{LIST}/{application_id}"


def listed(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="application-(\d+)"', page)]


@pytest.fixture
def mixed(app, rec, factories, applicants, applications):
    """Applications of different programs, rounds, statuses and people."""
    people = applicants(rec.tenant_id, 4)
    ids = {
        "applied": applications(rec, [people[0]])[0],
        "accepted": applications(rec, [people[1]], status="accepted")[0],
        "other_program": applications(rec, [people[2]], program=rec.other_program)[0],
        "round2": applications(rec, [people[3]], round_id=rec.round2, status="rejected")[0],
    }
    return ids


def test_list_shows_the_columns(jimu, rec, mixed):
    page = jimu.text(LIST)
    for text in ("応募者 001", "オウボシャ 001", "100001", "髙田大学病院 小児科専門研修プログラム", "小児科",
                 "2027年度 一次募集", "プログラム制", "応募済", "採用", "該当 4件"):
        assert text in page, text
    assert sorted(listed(page)) == sorted(mixed.values())
    assert detail_url(mixed["applied"]) in page


@pytest.mark.parametrize("query, expected", [
    ({"status": "accepted"}, ["accepted"]),
    ({"program": "OTHER"}, ["other_program"]),
    ({"round": "ROUND2"}, ["round2"]),
    ({"year": "2027", "status": "rejected"}, ["round2"]),
    ({"year": "2031"}, []),
    ({"q": "応募者002"}, ["accepted"]),  # spaces ignored
    ({"q": "おうぼしゃ 003"}, ["other_program"]),  # hiragana finds katakana
    ({"q": "１０００04"}, ["round2"]),  # full-width digits, 医籍登録番号
    ({"specialty": "surgery"}, []),
    ({"status": "bogus", "round": "x"}, ["applied", "accepted", "other_program", "round2"]),
])
def test_list_filters(jimu, rec, mixed, query, expected):
    values = {"OTHER": str(rec.other_program), "ROUND2": str(rec.round2)}
    query = {k: values.get(v, v) for k, v in query.items()}
    page = jimu.get(LIST, query_string=query).get_data(as_text=True)
    assert sorted(listed(page)) == sorted(mixed[name] for name in expected)
    if not expected:
        assert "条件に該当する応募はありません。" in page


def test_keyset_pages_of_50(jimu, rec, app, applicants, applications):
    ids = applications(rec, applicants(rec.tenant_id, 75))
    first = jimu.text(LIST)
    assert listed(first) == ids[:50] and "該当 75件" in first
    link = re.search(r'href="([^"]*after=(\d+)[^"]*)"', first)
    assert int(link.group(2)) == ids[49]
    second = jimu.text(link.group(1).replace("&amp;", "&"))
    assert listed(second) == ids[50:]
    assert 'id="next-page"' not in second and "最初へ" in second


def test_next_page_link_keeps_the_filters(jimu, rec, app, applicants, applications):
    ids = applications(rec, applicants(rec.tenant_id, 51), status="accepted")
    page = jimu.get(LIST, query_string={"status": "accepted", "q": "応募者"}).get_data(as_text=True)
    link = re.search(r'href="([^"]*after=[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "status=accepted" in link and "q=" in link
    assert listed(jimu.text(link)) == ids[50:]


def test_htmx_filter_answers_only_the_results_block(jimu, rec, mixed):
    response = jimu.get(LIST, query_string={"status": "accepted"}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    # the results, and the program filter swapped out of band: no page, no other form field
    oob, results = body.split('<section id="results"')
    assert oob.lstrip().startswith('<div class="field" id="f-program-field" hx-swap-oob="true">')
    assert "<html" not in body and 'name="status"' not in body
    assert listed(body) == [mixed["accepted"]]
    assert "HX-Request" in response.headers["Vary"]


@pytest.fixture(scope="module")
def counted_app(app, app_config):
    return create_app({**app_config, "SQL_COUNT_HEADER": True})


def statements(counted_app, path: str) -> int:
    client = TenantClient(counted_app, "jmsb.localhost")
    client.login(JIMU)
    client.get(path)  # the first view may put the CSRF secret in the session
    response = client.get(path)
    assert response.status_code == 200
    return int(response.headers["X-SQL-Count"])


def test_page_size_and_count_cap_are_written_into_the_sql(app, jimu, rec, mixed):
    """Bound, the LIMITs made PostgreSQL plan the page afresh on every view (portal.db.inline)."""
    sent = "\n".join(sql_sent(app, lambda: jimu.get(f"{LIST}?after=1")))
    assert "LIMIT 51" in sent and "LIMIT 1001" in sent, sent  # a page of 50 and one more


@pytest.mark.committed  # counted_app has its own engine and pool
def test_statement_count_does_not_grow_with_the_rows(app, counted_app, rec, applicants, applications,
                                                     in_jmsb):
    """1 application with 1 history row, then 121 applications and one with 4 history rows."""
    [first] = applications(rec, applicants(rec.tenant_id, 1, prefix="一人目"))
    in_jmsb(lambda: selection.decide(user(rec.director), [first], "accepted"))
    one = (statements(counted_app, LIST), statements(counted_app, detail_url(first)),
           statements(counted_app, f"{LIST}.csv"))
    applications(rec, applicants(rec.tenant_id, 120, start=2))
    busy = in_jmsb(lambda: _lifecycle(rec))
    after = (statements(counted_app, LIST), statements(counted_app, detail_url(busy)),
             statements(counted_app, f"{LIST}.csv"))
    assert one == after, (one, after)
    assert max(after) <= 10, after


def _lifecycle(rec):
    """応募 -> 採用 -> 辞退申請 -> 辞退承認, each through the services."""
    applicant, director = user(rec.applicant), user(rec.director)
    application = services.apply(applicant, rec.program, "curriculum", "study_leave")
    selection.decide(director, [application.id], "accepted")
    services.request_withdrawal(applicant, application.id, "家庭の事情により\n他県で研修します")
    selection.approve_withdrawal(director, application.id)
    return application.id


def test_detail_shows_every_field_and_the_audit_history(jimu, rec, in_jmsb):
    application_id = in_jmsb(lambda: _lifecycle(rec))
    page = jimu.text(detail_url(application_id))
    for text in ("応募 花子", "オウボ ハナコ", "654321", "hanako@jmsb.example.jp", "施設A", "統括 太郎",
                 "カリキュラム制（単位制）", "海外・国内留学する者", "辞退済", "家庭の事情により<br>他県で研修します"):
        assert text in page, text
    history = page.split('id="h-history"')[1]
    rows = re.findall(r"<tr>(.*?)</tr>", history, re.S)[1:]
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]
    assert len(cells) == 4
    assert "応募 未応募 → 応募済 応募 花子 専攻医 髙田大学病院" in cells[0]
    assert "採否登録 応募済 → 採用 統括 太郎 統括責任者" in cells[1]
    assert "採用辞退の申請 採用 → 辞退申請中 応募 花子 専攻医 家庭の事情により" in cells[2]
    assert "採用辞退の承認 辞退申請中 → 辞退済 統括 太郎 統括責任者" in cells[3]


def test_detail_shows_the_systems_round_close_out(jimu, rec, applications, in_jmsb):
    [application_id] = applications(rec, [rec.applicant])
    later = rec.round1_decisions_close + timedelta(minutes=1)
    in_jmsb(lambda: services.close_due_rounds(later))
    page = jimu.text(detail_url(application_id))
    assert "未設定" in page
    assert re.search(r"募集回の締切処理\s*</td>\s*<td[^>]*>\s*応募済 → 未設定\s*</td>\s*<td[^>]*>システム", page)


def test_other_roles_cannot_see_the_secretariats_pages(jmsb, rec, mixed):
    for login in (DIRECTOR, TRAINEE):
        jmsb.login(login)
        assert jmsb.get(LIST).status_code == 403
        assert jmsb.get(f"{LIST}.csv").status_code == 403
        assert jmsb.get(detail_url(mixed["applied"])).status_code == 404
        jmsb.post("/logout", {}, csrf_from="/")


def test_another_societys_application_is_404(jimu, rec, app, world, factories, client_for, make_recruitment):

    foreign = make_recruitment(world.jsicm)
    with app.app_context(), tenant_scope(db.session, foreign.tenant_id):
        row = RecruitmentApplication(tenant_id=foreign.tenant_id, applicant_id=foreign.applicant,
                                     program_id=foreign.program, round_id=foreign.round1,
                                     start_fiscal_year=2027, applied_at=foreign.now)
        db.session.add(row)
        db.session.commit()
        foreign_id = row.id
    assert jimu.get(detail_url(foreign_id)).status_code == 404
    page = jimu.get(LIST, query_string={"program": foreign.program}).get_data(as_text=True)
    assert listed(page) == [] and "応募 花子" not in page
    jsicm = client_for("jsicm.localhost")
    jsicm.login("jsicm-jimu")
    assert jsicm.get(LIST).status_code == 404  # no recruitment module


def test_a_large_total_is_shown_capped(jimu, rec, mixed, monkeypatch):
    from portal.blueprints.recruitment.queries import secretariat as admin_queries

    monkeypatch.setattr(admin_queries, "COUNT_CAP", 3)
    assert "該当 3件以上" in jimu.text(LIST)  # 4 applications
    assert "該当 1件" in jimu.text(f"{LIST}?program={rec.other_program}")


def test_programs_are_offered_for_the_chosen_specialty(jimu, rec, mixed):
    page = jimu.text(LIST)
    assert "小児科専門研修プログラム" not in page.split('id="results"')[0]
    assert re.search(r'<select id="f-program" name="program"[^>]* disabled>', page)
    page = jimu.text(f"{LIST}?specialty=pediatrics")
    form = page.split('id="results"')[0]
    assert "髙田大学病院 小児科専門研修プログラム" in form and "みなと総合病院" in form
    assert "髙田大学病院" not in jimu.text(f"{LIST}?specialty=surgery").split('id="results"')[0]
    bookmarked = jimu.text(f"{LIST}?program={rec.other_program}").split('id="results"')[0]
    assert re.search(rf'<option value="{rec.other_program}" selected>', bookmarked)


def test_the_htmx_results_bring_the_program_options_out_of_band(jimu, rec, mixed):
    part = jimu.get(f"{LIST}?specialty=pediatrics", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert 'id="f-program-field" hx-swap-oob="true"' in part
    assert "髙田大学病院 小児科専門研修プログラム" in part
