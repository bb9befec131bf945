"""B-S04..B-S06 through the pages: 応募 with its confirmation, 採否結果, プログラム変更 and
採用辞退; refusals say why in Japanese and change nothing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.blueprints.recruitment.models import RecruitmentApplication
from portal.blueprints.recruitment.services import selection
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.rows import outbox


def as_applicant(jmsb, rec):
    jmsb.login("hanako@jmsb.example.jp")
    return jmsb


def apply_through_pages(client, program_id: int, track="program", ground=""):
    page = f"/recruitment/programs/{program_id}/apply"
    confirm = client.post(page, {"track": track, "curriculum_ground": ground}, csrf_from=page)
    assert confirm.status_code == 200, confirm.get_data(as_text=True)[:400]
    assert "応募内容の確認" in confirm.get_data(as_text=True)
    return client.post(page, {"track": track, "curriculum_ground": ground, "confirmed": "yes"},
                       csrf_from=page)


def applications(app, rec) -> list[RecruitmentApplication]:
    with app.app_context(), tenant_scope(db.session, rec.tenant_id):
        rows = list(db.session.scalars(select(RecruitmentApplication)))
        db.session.expunge_all()
        return rows


def run_service(app, fn):
    with app.test_request_context("/", base_url="http://jmsb.localhost"):
        app.preprocess_request()
        result = fn()
        db.session.commit()
        return result


def test_status_page_before_applying(jmsb, rec):
    page = as_applicant(jmsb, rec).text("/recruitment/")
    assert "未応募" in page and "一次募集" in page and "受け付けています" in page
    programs = jmsb.text("/recruitment/programs")
    assert "髙田大学病院 小児科専門研修プログラム" in programs
    assert "応募先誤りについては対応いたしかねます" in programs


def test_apply_with_confirmation(jmsb, rec, app):
    client = as_applicant(jmsb, rec)
    response = apply_through_pages(client, rec.program)
    assert response.status_code == 303
    page = client.text("/recruitment/")
    assert "応募済" in page and "未設定（選考中）" in page and "応募を受け付けました" in page
    [row] = applications(app, rec)
    assert (row.status, row.program_id) == ("applied", rec.program)
    assert len(outbox(app, template="recruitment_applied")) == 1


def test_confirm_step_alone_changes_nothing(jmsb, rec, app):
    client = as_applicant(jmsb, rec)
    page = f"/recruitment/programs/{rec.program}/apply"
    client.post(page, {"track": "program"}, csrf_from=page)
    assert applications(app, rec) == []


def test_second_program_refused_on_the_page(jmsb, rec, app):
    client = as_applicant(jmsb, rec)
    apply_through_pages(client, rec.program)
    response = client.get(f"/recruitment/programs/{rec.other_program}/apply")
    assert response.status_code == 409
    assert "応募できるプログラムは1つです" in response.get_data(as_text=True)
    assert len(applications(app, rec)) == 1


def test_curriculum_without_reason_is_a_field_error(jmsb, rec, app):
    client = as_applicant(jmsb, rec)
    page = f"/recruitment/programs/{rec.program}/apply"
    response = client.post(page, {"track": "curriculum", "curriculum_ground": "",
                                  "confirmed": "yes"}, csrf_from=page)
    assert response.status_code == 400
    assert "該当する理由を選択してください" in response.get_data(as_text=True)
    assert applications(app, rec) == []


def test_program_change_then_director_decides(jmsb, rec, app):
    client = as_applicant(jmsb, rec)
    apply_through_pages(client, rec.program)
    [row] = applications(app, rec)
    url = f"/recruitment/applications/{row.id}/program/{rec.other_program}"
    assert "プログラム変更の確認" in client.text(url)
    assert client.post(url, {}, csrf_from=url).status_code == 303
    assert applications(app, rec)[0].program_id == rec.other_program
    run_service(app, lambda: selection.decide(db.session.get(User, rec.other_director), [row.id],
                                             "accepted"))
    page = client.text("/recruitment/")
    assert 'id="result">採用<' in page
    back = f"/recruitment/applications/{row.id}/program/{rec.program}"
    response = client.get(back)
    assert response.status_code == 409 and "結果未登録" in response.get_data(as_text=True)


def test_withdrawal_through_the_pages(jmsb, rec, app):
    client = as_applicant(jmsb, rec)
    apply_through_pages(client, rec.program)
    [row] = applications(app, rec)
    run_service(app, lambda: selection.decide(db.session.get(User, rec.director), [row.id],
                                             "accepted"))
    url = f"/recruitment/applications/{row.id}/withdraw"
    assert "採用辞退" in client.text("/recruitment/")
    empty = client.post(url, {"reason": "  "}, csrf_from=url)
    assert empty.status_code == 400 and "辞退理由を入力してください" in empty.get_data(as_text=True)
    confirm = client.post(url, {"reason": "地元の病院で研修するため"}, csrf_from=url)
    assert "採用辞退の確認" in confirm.get_data(as_text=True)
    assert applications(app, rec)[0].status == "accepted"
    done = client.post(url, {"reason": "地元の病院で研修するため", "confirmed": "yes"},
                       csrf_from=url)
    assert done.status_code == 303
    page = client.text("/recruitment/")
    assert "辞退申請中" in page and "新たな応募はできません" in page
    refused = client.get(f"/recruitment/programs/{rec.other_program}/apply")
    assert refused.status_code == 409 and "統括責任者が辞退を承認するまで" in refused.get_data(
        as_text=True)


def test_after_the_last_round_the_page_says_so(jmsb, rec, app):
    with app.app_context(), tenant_scope(db.session, rec.tenant_id):
        from portal.blueprints.recruitment.models import RecruitmentRound
        for r in db.session.scalars(select(RecruitmentRound)):
            r.opens_at -= timedelta(days=400)
            r.closes_at -= timedelta(days=100)
            r.decisions_close_at -= timedelta(days=90)
        db.session.commit()
    client = as_applicant(jmsb, rec)
    page = client.text("/recruitment/")
    assert "全専攻医募集期間が終了しました" in page and 'aria-disabled="true"' in page
    response = client.get(f"/recruitment/programs/{rec.program}/apply")
    assert response.status_code == 409
    assert "一切受け付けることができません" in response.get_data(as_text=True)
    with app.app_context(), tenant_scope(db.session, rec.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(RecruitmentApplication)) == 0


def test_other_roles_and_societies(jmsb, jsicm, rec, world):
    assert jmsb.get("/recruitment/").status_code == 302  # anonymous: to the login page
    jsicm.login("jsicm-800014")
    assert jsicm.get("/recruitment/").status_code == 404  # no recruitment module there
    jmsb.login("jmsb-director@example.jp")
    assert jmsb.get("/recruitment/").status_code == 403
    assert jmsb.get(f"/recruitment/programs/{rec.program}/apply").status_code == 404


def test_top_pages(jmsb, client_for, rec, app):
    client = as_applicant(jmsb, rec)
    page = client.text("/")
    assert "応募状況" in page and "未応募" in page and "提出済" in page and "一次募集" in page
    apply_through_pages(client, rec.program)
    director = client_for("jmsb.localhost")
    director.login("jmsb-director@example.jp")
    top = director.text("/")
    assert "選考中（結果未登録）の応募: 1 件" in top and "採用辞退の申請: 0 件" in top
