"""B-S13 through the pages: the director's list (own programs only), 採否 by htmx row and in
bulk (all or nothing), refusals with their message and 4xx and no change, 採用辞退 approve /
decline, who may open the screen, and a statement count that does not grow with the list."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.blueprints.recruitment.models import RecruitmentApplication, RecruitmentRound
from portal.blueprints.recruitment.services import applicant as S
from portal.blueprints.recruitment.services import selection as D
from portal.db import utcnow
from portal.extensions import db
from portal.mail import OutboxMail
from portal.tenants.scoping import system_scope, tenant_scope
from tests.factories.helpers.clients import TenantClient
from tests.factories.helpers.recruitment import START_FY
from tests.factories.helpers.rows import outbox

LIST = "/recruitment/director"
DECIDE = "/recruitment/director/decide"
WITHDRAWAL = "/recruitment/director/withdrawal"
HX = {"HX-Request": "true"}
DIRECTOR = "jmsb-director@example.jp"
OTHER_DIRECTOR = "jmsb-director-b@example.jp"


def in_request(app, fn):
    """Run service calls as one committed request on jmsb.localhost (for the set-up)."""
    with app.test_request_context("/", base_url="http://jmsb.localhost"):
        app.preprocess_request()
        result = fn()
        db.session.commit()
        return result


def apply(app, applicant_id: int, program_id: int) -> int:
    return in_request(app, lambda: S.apply(db.session.get(User, applicant_id), program_id,
                                           "program", None).id)


@pytest.fixture
def person(factories, give_license, rec):
    """person(login, name, kana="") -> the id of a jmsb trainee with a licence on file."""

    def make(login: str, name: str, kana: str = "") -> int:
        uid = factories.user(rec.tenant_id, login, "trainee", full_name=name,
                             full_name_kana=kana or None, email=f"{login}@jmsb.example.jp")
        give_license(rec.tenant_id, uid)
        return uid

    return make


def state(app, rec, *ids) -> list[str]:
    with app.app_context(), tenant_scope(db.session, rec.tenant_id):
        return [db.session.get(RecruitmentApplication, i).status for i in ids]


def counts(app) -> tuple[int, int]:
    with app.app_context(), system_scope(db.session):
        return (db.session.scalar(select(func.count(OutboxMail.id))),
                db.session.scalar(select(func.count(AuditEvent.id))))


def director(client_for, login: str = DIRECTOR) -> TenantClient:
    client = client_for("jmsb.localhost")
    client.login(login)
    return client


def post(client, path: str, data: dict, headers=None):
    return client.post(path, data, csrf_from=LIST, headers=headers)


@pytest.fixture
def two(app, rec, person):
    """花子 applied to the director's program, 次郎 to the other director's."""
    jiro = person("jiro", "応募 次郎", "オウボ ジロウ")
    return apply(app, rec.applicant, rec.program), apply(app, jiro, rec.other_program)


def test_list_shows_only_the_directors_own_applicants(app, rec, two, client_for):
    page = director(client_for).text(LIST)
    for text in ("応募 花子", "オウボ ハナコ", "654321", "一次募集", "プログラム制",
                 "髙田大学病院 小児科専門研修プログラム", "施設A", "0 / 5", "未設定（選考中）"):
        assert text in page, text
    assert "応募 次郎" not in page and "みなと総合病院" not in page
    other = director(client_for, OTHER_DIRECTOR).text(LIST)
    assert "応募 次郎" in other and "応募 花子" not in other


def test_htmx_row_decision_returns_only_the_row(app, rec, two, client_for):
    mine, _ = two
    client = director(client_for)
    response = post(client, DECIDE, {"application_id": str(mine), "decision": "accepted"}, HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="application-{mine}"') and "<html" not in body
    assert "status-accepted" in body and "採否を登録しました。" in body
    assert "HX-Request" in response.headers["Vary"]
    assert state(app, rec, mine) == ["accepted"]
    [mail] = outbox(app, template="recruitment_result")
    assert mail.to_addr == "hanako@jmsb.example.jp" and "採用" not in mail.body
    assert "1 / 5" in client.text(LIST)


def test_row_form_without_js_redirects_with_a_flash(app, rec, two, client_for):
    mine, _ = two
    client = director(client_for)
    response = post(client, DECIDE, {"application_id": str(mine), "decision": "rejected",
                                     "round": "all"})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/recruitment/director?round=all")
    assert "1名の採否を登録しました。" in client.text(response.headers["Location"])
    assert state(app, rec, mine) == ["rejected"]


def test_bulk_decision_mails_each_decided_applicant_once(app, rec, two, client_for, person):
    mine, _ = two
    third = apply(app, person("saburo", "応募 三郎"), rec.program)
    client = director(client_for)
    response = post(client, DECIDE, {"application_id": [str(mine), str(third)],
                                     "decision": "rejected"})
    assert response.status_code == 303
    assert state(app, rec, mine, third) == ["rejected", "rejected"]
    mails = outbox(app, template="recruitment_result")
    assert sorted(m.to_addr for m in mails) == ["hanako@jmsb.example.jp",
                                                "saburo@jmsb.example.jp"]
    # 未設定 takes the decision back and mails nobody
    post(client, DECIDE, {"application_id": [str(mine), str(third)], "decision": "applied"})
    assert state(app, rec, mine, third) == ["applied", "applied"]
    assert len(outbox(app, template="recruitment_result")) == 2


def test_bulk_with_a_foreign_id_is_404_and_changes_nothing(app, factories, world, rec, two,
                                                          client_for, add_rows, make_recruitment):
    mine, theirs = two
    jsicm = make_recruitment(world.jsicm)
    [foreign] = add_rows(jsicm.tenant_id, RecruitmentApplication(
        tenant_id=jsicm.tenant_id, applicant_id=jsicm.applicant, program_id=jsicm.program,
        round_id=jsicm.round1, start_fiscal_year=START_FY, applied_at=utcnow()))
    client = director(client_for)
    before = counts(app)
    for other in (theirs, foreign):
        response = post(client, DECIDE, {"application_id": [str(mine), str(other)],
                                         "decision": "accepted"})
        assert response.status_code == 404
        assert "応募が見つかりません。" in response.get_data(as_text=True)
        assert post(client, DECIDE, {"application_id": str(other), "decision": "accepted"},
                    HX).status_code == 404
    assert state(app, rec, mine, theirs) == ["applied", "applied"]
    assert counts(app) == before


@pytest.mark.parametrize("ids, decision, status, message", [
    (["abc"], "accepted", 400, "応募者の指定が正しくありません。"),
    (["1 OR 1=1"], "accepted", 400, "応募者の指定が正しくありません。"),
    ([], "accepted", 400, "応募者を選択してください。"),
    ([str(i) for i in range(1, 102)], "accepted", 400, "一度に登録できるのは100名までです。"),
    (None, "hired", 400, "採否を選択してください。"),
])
def test_bad_input_is_a_message_and_a_4xx(app, rec, two, client_for, ids, decision, status,
                                          message):
    mine, _ = two
    client = director(client_for)
    before = counts(app)
    response = post(client, DECIDE, {"application_id": [str(mine)] if ids is None else ids,
                                     "decision": decision})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert state(app, rec, mine) == ["applied"] and counts(app) == before


def _end_selection(app, rec) -> None:
    with app.app_context(), tenant_scope(db.session, rec.tenant_id):
        db.session.get(RecruitmentRound, rec.round1).decisions_close_at = (
            utcnow() - timedelta(minutes=1))
        db.session.commit()


def test_decision_after_the_selection_period_is_refused(app, rec, two, client_for):
    mine, _ = two
    client = director(client_for)
    post(client, DECIDE, {"application_id": str(mine), "decision": "accepted"})
    _end_selection(app, rec)
    page = client.text(LIST)  # the round closes out on this view; 採用 stays
    # the row's checkbox is disabled and the row says why instead of offering 採否を登録
    assert re.search(rf'name="application_id" value="{mine}" disabled', page)
    row_html = re.search(rf'<tr id="application-{mine}">.*?</tr>', page, re.S).group(0)
    assert "選考期間が終了しているため、採否を変更できません。" in row_html
    assert "採否を登録" not in row_html
    before = counts(app)
    response = post(client, DECIDE, {"application_id": str(mine), "decision": "rejected"})
    assert response.status_code == 409
    assert "選考期間が終了しているため、採否を変更できません。" in response.get_data(as_text=True)
    row = post(client, DECIDE, {"application_id": str(mine), "decision": "rejected"}, HX)
    assert row.status_code == 409 and row.get_data(as_text=True).lstrip().startswith("<tr")
    assert state(app, rec, mine) == ["accepted"] and counts(app) == before


def _withdrawal_requested(app, rec, application_id: int, reason: str) -> None:
    def run():
        D.decide(db.session.get(User, rec.director), [application_id], "accepted")
        S.request_withdrawal(db.session.get(User, rec.applicant), application_id, reason)
    in_request(app, run)


def test_withdrawal_approved_on_the_page(app, rec, two, client_for):
    mine, _ = two
    _withdrawal_requested(app, rec, mine, "家庭の事情により地元で研修するため")
    client = director(client_for)
    page = client.text(LIST)
    assert "家庭の事情により地元で研修するため" in page and f'id="withdrawal-{mine}"' in page
    assert "辞退申請中" in page
    other = director(client_for, OTHER_DIRECTOR)
    assert "家庭の事情" not in other.text(LIST)
    assert post(other, WITHDRAWAL, {"application_id": str(mine), "action": "approve"}
                ).status_code == 404
    response = post(client, WITHDRAWAL, {"application_id": str(mine), "action": "approve"})
    assert response.status_code == 303
    assert "採用辞退を承認しました。" in client.text(LIST)
    assert state(app, rec, mine) == ["withdrawn"]
    [mail] = outbox(app, template="recruitment_withdrawal_approved")
    assert mail.to_addr == "hanako@jmsb.example.jp"


def test_withdrawal_declined_needs_a_comment(app, rec, two, client_for):
    mine, _ = two
    _withdrawal_requested(app, rec, mine, "別の病院を希望")
    client = director(client_for)
    before = counts(app)
    for comment in ("", "   ", "x" * 1001):
        response = post(client, WITHDRAWAL, {"application_id": str(mine), "action": "decline",
                                             "comment": comment})
        assert response.status_code == 400
    assert "辞退を承認しない理由を入力してください。" in post(
        client, WITHDRAWAL, {"application_id": str(mine), "action": "decline"}).get_data(
        as_text=True)
    assert post(client, WITHDRAWAL, {"application_id": "x", "action": "approve"}
                ).status_code == 400
    assert post(client, WITHDRAWAL, {"application_id": str(mine), "action": "delete"}
                ).status_code == 400
    assert state(app, rec, mine) == ["withdrawal_requested"] and counts(app) == before
    response = post(client, WITHDRAWAL, {"application_id": str(mine), "action": "decline",
                                         "comment": "ご本人と面談のうえ継続"})
    assert response.status_code == 303
    assert state(app, rec, mine) == ["accepted"]
    assert len(outbox(app, template="recruitment_withdrawal_declined")) == 1


@pytest.mark.parametrize("login", ["trainee@jmsb.example.jp", "jmsb-jimu@example.jp",
                                   "hanako@jmsb.example.jp"])
def test_other_roles_get_403(app, rec, two, client_for, login):
    client = client_for("jmsb.localhost")
    client.login(login)
    assert client.get(LIST).status_code == 403
    token = client.csrf("/")
    for path, data in ((DECIDE, {"application_id": str(two[0]), "decision": "accepted"}),
                       (WITHDRAWAL, {"application_id": str(two[0]), "action": "approve"})):
        assert client.post(path, {**data, "csrf_token": token}).status_code == 403
    assert state(app, rec, two[0]) == ["applied"]


def test_anonymous_goes_to_login_and_other_societies_have_no_such_page(app, rec, client_for):
    response = client_for("jmsb.localhost").get(LIST)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    jsicm = client_for("jsicm.localhost")
    jsicm.login("jsicm-director")
    assert jsicm.get(LIST).status_code == 404  # no recruitment module there


# --- statement count ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def counted_app(app, app_config):
    """The same database, with the X-SQL-Count header on (portal.devdata.sqlcount)."""
    return create_app({**app_config, "SQL_COUNT_HEADER": True})


def _many(add_rows, rec, n: int, start: int) -> list[int]:
    users = [User(tenant_id=rec.tenant_id, login_id=f"bulk-{start + i}", role="trainee",
                  email=f"bulk-{start + i}@jmsb.example.jp", full_name=f"応募 {start + i}",
                  full_name_kana="オウボ", medical_registration_number=str(900000 + start + i))
             for i in range(n)]
    ids = add_rows(rec.tenant_id, *users)
    statuses = ["applied", "accepted", "rejected", "withdrawal_requested"]
    return add_rows(rec.tenant_id, *[RecruitmentApplication(
        tenant_id=rec.tenant_id, applicant_id=uid, program_id=rec.program, round_id=rec.round1,
        start_fiscal_year=START_FY, applied_at=utcnow(), status=statuses[i % 4],
        withdrawal_reason="理由" if i % 4 == 3 else None,
        withdrawal_requested_at=utcnow() if i % 4 == 3 else None)
        for i, uid in enumerate(ids)])


@pytest.mark.committed  # counted_app has its own engine and pool
def test_statement_count_does_not_grow_with_the_applicants(app, rec, counted_app, add_rows):
    client = TenantClient(counted_app, "jmsb.localhost")
    client.login(DIRECTOR)
    seen = []
    for n, start in ((1, 0), (40, 100), (120, 1000)):  # the last one fills a page and more
        first = _many(add_rows, rec, n, start)[0]
        client.get(LIST)
        page = client.get(LIST)
        row = client.client.post(DECIDE, data={"application_id": str(first),
                                               "decision": "applied",
                                               "csrf_token": client.csrf(LIST)}, headers=HX)
        assert page.status_code == 200 and row.status_code in (200, 409)
        seen.append(int(page.headers["X-SQL-Count"]))
    text = page.get_data(as_text=True)
    assert text.count('<tr id="application-') == 50 and 'id="next-page"' in text
    assert seen[0] == seen[1] == seen[2] and seen[0] <= 10, seen
    assert len(row.get_data()) < 0.02 * len(page.get_data())


def test_htmx_row_decision_also_refreshes_the_capacity_counter(app, rec, two, client_for):
    """Issue 14 item 3: 採用数／定員 is swapped out of band with the row, so it is never stale."""
    mine, _ = two
    client = director(client_for)
    body = post(client, DECIDE, {"application_id": str(mine), "decision": "accepted"},
                HX).get_data(as_text=True)
    counter = re.search(r'<section[^>]*id="director-programs"[^>]*>.*?</section>', body, re.S)
    assert counter and 'hx-swap-oob="true"' in counter.group(0)
    assert re.search(rf'id="accepted-{rec.program}">1 / 5<', counter.group(0))
    body = post(client, DECIDE, {"application_id": str(mine), "decision": "applied"},
                HX).get_data(as_text=True)
    assert re.search(rf'id="accepted-{rec.program}">0 / 5<', body)
