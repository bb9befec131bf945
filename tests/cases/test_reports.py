"""症例レポート (issue 16 item 4): the trainee writes a report on one of their cases and submits
it; the case's director returns it with a comment or accepts it; every version is kept and
an accepted report is frozen. Tasks, mail and お知らせ follow each step; the transitions are
refused on the server to anyone else (404) and when the state has moved on (409)."""
from __future__ import annotations

import re
from types import SimpleNamespace

from sqlalchemy import select

from portal.blueprints.cases.models import CaseReport, CaseReportVersion
from portal.blueprints.cases.services.case_facts import requirement_facts
from portal.blueprints.cases.services.reports import accepted_report_counts
from portal.extensions import db
from portal.tenants.models import Tenant
from portal.tenants.scoping import system_scope, tenant_scope
from portal.worklist.models import Task
from tests.factories.helpers.rows import audit_actions, outbox, read, sql_sent

BODY = "【症例】70歳代男性。\n【経過】敗血症性ショックで入室した。\n【考察】早期の抗菌薬投与が重要である。"
REVISED = "【症例】70歳代男性。\n【経過】敗血症性ショックでICUに入室した。\n【考察】早期の抗菌薬投与が重要である。"


def _login(client_for, login_id: str):
    client = client_for("jsicm.localhost")
    client.login(login_id)
    return client


def _create(client, case_id, action="draft", title="敗血症性ショックの一例", body=BODY):
    return client.post("/cases/reports/new", {"case_id": str(case_id), "title": title,
                                              "body": body, "action": action},
                       csrf_from="/cases/reports/new")


def _reports(app, rw) -> list[CaseReport]:
    return read(app, rw.jsicm.tenant_id, select(CaseReport).order_by(CaseReport.id))


def _versions(app, rw, report_id) -> list[CaseReportVersion]:
    return read(app, rw.jsicm.tenant_id, select(CaseReportVersion).where(
        CaseReportVersion.report_id == report_id).order_by(CaseReportVersion.number))


def _open_tasks(app, rw, kind) -> list[Task]:
    return read(app, rw.jsicm.tenant_id, select(Task).where(Task.kind == kind, Task.status == "open"))


def _decide(client, report_id, what, comment=""):
    return client.post(f"/cases/review/reports/{report_id}/{what}", {"comment": comment},
                       csrf_from=f"/cases/review/reports/{report_id}")


def test_write_submit_return_revise_and_accept(app, report_world, client_for):
    rw = report_world
    trainee = _login(client_for, "jsicm-800014")
    form = trainee.text("/cases/reports/new")
    assert "2026/06/01 敗血症・感染症／敗血症性ショック" in form  # the case's date and category label
    assert form.index("2026/06/01") < form.index("2026/04/01")  # newest first
    assert "【考察】" in form and 'href="/cases/reports/"' in form  # the hint; the list
    assert _create(trainee, rw.case).status_code == 303
    [report] = _reports(app, rw)
    assert (report.status, report.director_id, report.current_version) == ("draft", rw.jsicm.director, 1)
    assert not outbox(app, template="case_report_submitted")  # a draft tells nobody

    assert trainee.post(f"/cases/reports/{report.id}/submit", {},
                        csrf_from=f"/cases/reports/{report.id}").status_code == 303
    [mail] = outbox(app, template="case_report_submitted")
    assert mail.to_addr == "jsicm-director@example.jp" and "敗血症性ショックの一例" in mail.body
    assert [t.related_id for t in _open_tasks(app, rw, "review_case_report")] == [report.id]
    assert f'href="/cases/review/reports/{report.id}"' in _login(client_for, "jsicm-director").text("/")
    assert trainee.get(f"/cases/reports/{report.id}/edit").status_code == 303  # frozen while reviewed

    director = _login(client_for, "jsicm-director")
    assert "敗血症性ショックの一例" in director.text("/cases/review/reports")
    page = director.text(f"/cases/review/reports/{report.id}")
    assert "人工呼吸（侵襲的）" in page and "気管挿管（術者）" in page  # the case, read-only
    empty = _decide(director, report.id, "return", "  ")
    assert empty.status_code == 422 and "差戻しのコメントを入力してください。" in empty.get_data(as_text=True)
    assert _reports(app, rw)[0].status == "submitted"
    assert _decide(director, report.id, "return", "考察に文献を加えてください。").status_code == 303
    assert _reports(app, rw)[0].status == "returned"
    assert _versions(app, rw, report.id)[0].review_comment == "考察に文献を加えてください。"
    [returned] = outbox(app, template="case_report_returned")
    assert returned.to_addr == "trainee@jsicm.example.jp" and "考察に文献を加えてください。" in returned.body
    assert not _open_tasks(app, rw, "review_case_report")
    assert _open_tasks(app, rw, "revise_case_report")
    home = trainee.text("/")
    assert "症例レポートが差し戻されました。" in home and "考察に文献を加えてください。" in home
    assert f'href="/cases/reports/{report.id}"' in home  # the task to revise it

    edit = trainee.text(f"/cases/reports/{report.id}/edit")
    assert "考察に文献を加えてください。" in edit and "第2版として新しい版が作られます" in edit
    assert trainee.post(f"/cases/reports/{report.id}/edit",
                        {"title": "敗血症性ショックの一例", "body": REVISED, "action": "submit"},
                        csrf_from=f"/cases/reports/{report.id}/edit").status_code == 303
    v1, v2 = _versions(app, rw, report.id)
    assert (v1.body, v2.body) == (BODY, REVISED)  # the returned text is kept as submitted
    assert v2.submitted_at is not None and _reports(app, rw)[0].current_version == 2
    assert not _open_tasks(app, rw, "revise_case_report")
    review = director.text(f"/cases/review/reports/{report.id}")
    assert "［追加］</span>ICUに" in review and "差分（第1版 → 第2版）" in review

    assert _decide(director, report.id, "accept").status_code == 303  # no comment needed
    assert _reports(app, rw)[0].status == "accepted"
    assert outbox(app, template="case_report_accepted")[0].to_addr == "trainee@jsicm.example.jp"
    assert "症例レポートが受理されました。" in trainee.text("/")
    assert _decide(director, report.id, "return", "もう一度").status_code == 303  # 409, flashed
    assert _reports(app, rw)[0].status == "accepted"
    assert audit_actions(app, rw.jsicm.tenant_id, "case_reports") == [
        "case_report_created", "case_report_submitted", "case_report_returned",
        "case_report_revised", "case_report_submitted", "case_report_accepted"]


def test_an_accepted_report_cannot_be_edited(app, report_world, client_for):
    rw = report_world
    trainee = _login(client_for, "jsicm-800014")
    _create(trainee, rw.case, action="submit")
    [report] = _reports(app, rw)
    _decide(_login(client_for, "jsicm-director"), report.id, "accept", "よくまとまっています。")
    page = trainee.text(f"/cases/reports/{report.id}")
    assert "受理された症例レポートは編集できません。" in page and "よくまとまっています。" in page
    assert f'href="/cases/reports/{report.id}/edit"' not in page
    refused = trainee.post(f"/cases/reports/{report.id}/edit",
                           {"title": "書き換え", "body": "書き換え", "action": "draft"},
                           csrf_from=f"/cases/reports/{report.id}")
    assert refused.status_code == 303  # back to the report with the message
    assert "編集できません" in trainee.text(f"/cases/reports/{report.id}")
    assert [v.title for v in _versions(app, rw, report.id)] == ["敗血症性ショックの一例"]
    assert trainee.post(f"/cases/reports/{report.id}/submit", {},
                        csrf_from=f"/cases/reports/{report.id}").status_code == 303
    assert _reports(app, rw)[0].status == "accepted"


def test_one_report_per_case(app, report_world, client_for):
    rw = report_world
    trainee = _login(client_for, "jsicm-800014")
    assert _create(trainee, rw.case).status_code == 303
    [report] = _reports(app, rw)
    again = _create(trainee, rw.case, title="二つ目")
    text = again.get_data(as_text=True)
    assert again.status_code == 409 and "この症例には既に症例レポートがあります。" in text
    assert f'href="/cases/reports/{report.id}"' in text
    assert len(_reports(app, rw)) == 1
    form = trainee.text(f"/cases/reports/new?case={rw.case}")
    assert f'href="/cases/reports/{report.id}"' in form  # the link, before writing anything
    assert f'value="{rw.case}"' not in form  # a reported case is not offered again
    chosen = trainee.text(f"/cases/reports/new?case={rw.older_case}")
    assert re.search(rf'<option selected value="{rw.older_case}">', chosen)


def test_bad_input_is_refused_and_nothing_is_saved(app, report_world, client_for):
    rw = report_world
    trainee = _login(client_for, "jsicm-800014")
    named = _create(trainee, rw.case, body="患者ID：１２３４５６ の方。")
    assert named.status_code == 422 and "患者を特定できる情報（患者IDやカルテ番号と思われる番号）" in named.get_data(as_text=True)
    assert "生年月日" in _create(trainee, rw.case, body="生年月日 1950年").get_data(as_text=True)
    no_case = _create(trainee, "x")
    assert no_case.status_code == 422 and "症例を選択してください。" in no_case.get_data(as_text=True)
    theirs = _create(trainee, rw.other_case)  # another trainee's case
    assert theirs.status_code == 422 and "症例を選択してください。" in theirs.get_data(as_text=True)
    untitled = _create(trainee, rw.case, title="")
    assert untitled.status_code == 422 and "表題を入力してください。" in untitled.get_data(as_text=True)
    assert _reports(app, rw) == []


def test_another_trainees_report_is_not_found(app, report_world, client_for):
    rw = report_world
    _create(_login(client_for, "jsicm-800014"), rw.case, action="submit")
    [report] = _reports(app, rw)
    other = _login(client_for, "jsicm-800020")
    for path in (f"/cases/reports/{report.id}", f"/cases/reports/{report.id}/edit",
                 f"/cases/reports/{report.id}/versions/2/diff"):
        assert other.get(path).status_code == 404, path
    assert other.post(f"/cases/reports/{report.id}/submit", {},
                      csrf_from="/cases/reports/").status_code == 404
    assert "敗血症性ショックの一例" not in other.text("/cases/reports/")


def test_another_society_sees_nothing(app, report_world, factories, unlock_case_entry, client_for):
    rw = report_world
    _create(_login(client_for, "jsicm-800014"), rw.case, action="submit")
    [report] = _reports(app, rw)
    jsgt = factories.society("jsgt", "日本総合研修医学会")
    unlock_case_entry(jsgt)
    for login in ("trainee@jsgt.example.jp", "jsgt-director@example.jp", "jsgt-jimu@example.jp"):
        client = client_for("jsgt.localhost")
        client.login(login)
        for path in (f"/cases/reports/{report.id}", f"/cases/review/reports/{report.id}"):
            assert client.get(path).status_code == 404, (login, path)
    director = client_for("jsgt.localhost")
    director.login("jsgt-director@example.jp")
    assert _decide(director, report.id, "accept").status_code == 404
    assert _reports(app, rw)[0].status == "submitted"


def test_only_the_reports_director_decides(app, report_world, client_for):
    rw = report_world
    trainee = _login(client_for, "jsicm-800014")
    _create(trainee, rw.case)
    [report] = _reports(app, rw)
    director = _login(client_for, "jsicm-director")
    assert director.get(f"/cases/review/reports/{report.id}").status_code == 404  # a draft is theirs
    trainee.post(f"/cases/reports/{report.id}/submit", {}, csrf_from=f"/cases/reports/{report.id}")

    other = _login(client_for, "jsicm-director-b")  # directs other trainees
    assert "敗血症性ショックの一例" not in other.text("/cases/review/reports")
    assert other.get(f"/cases/review/reports/{report.id}").status_code == 404
    assert other.post(f"/cases/review/reports/{report.id}/accept", {"comment": ""},
                      csrf_from="/cases/review/reports").status_code == 404
    jimu = _login(client_for, "jsicm-jimu")  # reads, does not decide
    assert "敗血症性ショックの一例" in jimu.text("/cases/review/reports")
    page = jimu.text(f"/cases/review/reports/{report.id}")
    assert "事務局は閲覧のみです。" in page and "/accept" not in page
    assert jimu.post(f"/cases/review/reports/{report.id}/accept", {"comment": ""},
                     csrf_from="/cases/review/reports").status_code == 404
    assert trainee.get(f"/cases/review/reports/{report.id}").status_code == 404
    assert _reports(app, rw)[0].status == "submitted"


def test_every_trainee_route_waits_for_the_credential(world, make_report_case, jsicm):
    case = make_report_case(world.jsicm)
    jsicm.login("jsicm-800014")  # credential not approved yet (A-R06)
    for path in ("/cases/reports/", "/cases/reports/new", f"/cases/reports/new?case={case}"):
        assert jsicm.get(path).status_code == 403, path
    # a report that is not theirs (here: none at all) is not there, locked or not
    for path in ("/cases/reports/1", "/cases/reports/1/edit", "/cases/reports/1/versions/2/diff"):
        assert jsicm.get(path).status_code == 404, path
    assert jsicm.post("/cases/reports/new", {"case_id": str(case), "title": "t", "body": "b"},
                      csrf_from="/training-start").status_code == 403


def test_accepted_report_counts_in_one_statement(app, report_world, client_for):
    rw = report_world
    _create(_login(client_for, "jsicm-800014"), rw.case, action="submit")
    _create(_login(client_for, "jsicm-800020"), rw.other_case, action="submit")
    [first, _second] = _reports(app, rw)
    _decide(_login(client_for, "jsicm-director"), first.id, "accept")
    ids = [rw.jsicm.trainee, rw.other_trainee, rw.jsicm.director]
    with app.app_context(), tenant_scope(db.session, rw.jsicm.tenant_id):
        sent = sql_sent(app, lambda: accepted_report_counts(ids))
        assert accepted_report_counts(ids) == {rw.jsicm.trainee: 1, rw.other_trainee: 0,
                                               rw.jsicm.director: 0}
        facts = requirement_facts(None, ids[:1], None)[rw.jsicm.trainee]
        assert facts["accepted_reports"] == 1
    queries = [q for q in sent if not q.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(queries) == 1 and "GROUP BY" in queries[0]


def test_two_reports_on_one_case_meet_the_unique_index(app, report_world, monkeypatch):
    """Two posts at once both pass the check before either inserts: the index refuses one."""
    from portal.accounts.models import User
    from portal.blueprints.cases.services import reports

    rw = report_world
    with app.app_context(), tenant_scope(db.session, rw.jsicm.tenant_id):
        trainee = db.session.get(User, rw.jsicm.trainee)
        reports.create(trainee, rw.case, "一つ目", BODY, submit=False)
        monkeypatch.setattr(reports, "report_for_case", lambda *args: None)  # the race
        try:
            reports.create(trainee, rw.case, "二つ目", BODY, submit=False)
        except reports.ReportExists:
            pass
        else:
            raise AssertionError("a second report on the same case was stored")
        db.session.commit()
    assert [r.case_id for r in _reports(app, rw)] == [rw.case]


def test_the_demo_has_an_accepted_and_a_waiting_report(app, client_for):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent
    director = client_for("jsicm.localhost")
    director.login("900001", "demo-pass-2024")
    queue = director.text("/cases/review/reports")
    assert "重症ARDSに腹臥位療法を行った一例" in queue and "敗血症性ショック" not in queue
    with app.app_context(), system_scope(db.session):
        tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == "jsicm"))
    reports = _reports(app, SimpleNamespace(jsicm=SimpleNamespace(tenant_id=tenant_id)))
    assert [(r.status, r.current_version) for r in reports] == [("accepted", 2), ("submitted", 1)]
    page = director.text(f"/cases/review/reports/{reports[0].id}/versions/2/diff")
    assert "<ins>" in page and "輸液量と昇圧目標を具体的に書き" in page
