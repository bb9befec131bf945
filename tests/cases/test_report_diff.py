"""差分 of 症例レポート versions: character level for Japanese (no spaces to split words on),
rendered on the server as <ins>/<del> with a legend and words a screen reader says, so it
reads without colour and without JavaScript."""
from __future__ import annotations

from sqlalchemy import select

from portal.blueprints.cases.models import CaseReport
from portal.blueprints.cases.services.report_diff import CHARACTER_LIMIT, Span, diff_text
from portal.worklist.models import Task
from tests.factories.helpers.rows import read


def _kinds(spans):
    return [(s.kind, s.text) for s in spans]


def test_inserted_and_deleted_characters_within_a_line():
    old = "【経過】ノルアドレナリンを開始した。\n【考察】輸液が重要である。\n"
    new = "【経過】ノルアドレナリンとバソプレシンを開始した。\n【考察】重要である。\n"
    spans = diff_text(old, new)
    assert _kinds(spans) == [("equal", "【経過】ノルアドレナリン"), ("insert", "とバソプレシン"),
                             ("equal", "を開始した。\n【考察】"), ("delete", "輸液が"),
                             ("equal", "重要である。\n")]
    # the equal text is kept whole, and both texts can be read back from the spans
    assert "".join(s.text for s in spans if s.kind != "insert") == old
    assert "".join(s.text for s in spans if s.kind != "delete") == new


def test_added_and_removed_lines():
    spans = diff_text("一行目\n二行目\n", "一行目\n三行目を追加\n二行目\n")
    assert _kinds(spans) == [("equal", "一行目\n"), ("insert", "三行目を追加\n"), ("equal", "二行目\n")]
    assert _kinds(diff_text("残す\n消す\n", "残す\n")) == [("equal", "残す\n"), ("delete", "消す\n")]
    assert diff_text("同じ", "同じ") == [Span("equal", "同じ")]


def test_a_stranded_particle_is_folded_into_the_change():
    # 「の」 alone in common between two rewrites would read as confetti
    spans = diff_text("肺炎の治療\n", "心不全の管理\n")
    assert _kinds(spans) == [("delete", "肺炎の治療"), ("insert", "心不全の管理"), ("equal", "\n")]


def test_a_huge_rewritten_block_is_shown_whole():
    old, new = "あ" * (CHARACTER_LIMIT + 1), "い" * (CHARACTER_LIMIT + 1)
    assert _kinds(diff_text(old, new)) == [("delete", old), ("insert", new)]


def _write_two_versions(client_for, rw):
    trainee = client_for("jsicm.localhost")
    trainee.login("jsicm-800014")
    trainee.post("/cases/reports/new", {"case_id": str(rw.case), "title": "一例", "action": "submit",
                                        "body": "【経過】輸液とノルアドレナリンで昇圧した。"},
                 csrf_from="/cases/reports/new")
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    return trainee, director


def test_the_diff_page_shows_what_changed(app, report_world, client_for):
    rw = report_world
    trainee, director = _write_two_versions(client_for, rw)
    [report] = read(app, rw.jsicm.tenant_id, select(CaseReport))
    assert director.post(f"/cases/review/reports/{report.id}/return", {"comment": "昇圧薬を具体的に"},
                         csrf_from=f"/cases/review/reports/{report.id}").status_code == 303
    assert trainee.get(f"/cases/reports/{report.id}/versions/2/diff").status_code == 404  # no v2 yet
    trainee.post(f"/cases/reports/{report.id}/edit",
                 {"title": "一例", "body": "【経過】ノルアドレナリン0.1γで昇圧した。", "action": "submit"},
                 csrf_from=f"/cases/reports/{report.id}/edit")
    page = trainee.text(f"/cases/reports/{report.id}")
    assert f'href="/cases/reports/{report.id}/versions/2/diff"' in page and "昇圧薬を具体的に" in page
    for client, path in ((trainee, f"/cases/reports/{report.id}/versions/2/diff"),
                         (director, f"/cases/review/reports/{report.id}/versions/2/diff")):
        diff = client.text(path)
        assert "<del><span class=\"visually-hidden\">［削除］</span>輸液と" in diff
        assert "<ins><span class=\"visually-hidden\">［追加］</span>0.1γ" in diff
        assert "凡例:" in diff and "下線" in diff and "取り消し線" in diff
        assert "第1版への統括責任者のコメント" in diff and "昇圧薬を具体的に" in diff
    assert trainee.get(f"/cases/reports/{report.id}/versions/1/diff").status_code == 404
    assert trainee.get(f"/cases/reports/{report.id}/versions/3/diff").status_code == 404


def test_the_director_never_sees_the_draft_being_revised(app, report_world, client_for):
    rw = report_world
    trainee, director = _write_two_versions(client_for, rw)
    [report] = read(app, rw.jsicm.tenant_id, select(CaseReport))
    director.post(f"/cases/review/reports/{report.id}/return", {"comment": "書き直し"},
                  csrf_from=f"/cases/review/reports/{report.id}")
    trainee.post(f"/cases/reports/{report.id}/edit",
                 {"title": "一例", "body": "まだ書きかけの下書き", "action": "draft"},
                 csrf_from=f"/cases/reports/{report.id}/edit")
    assert read(app, rw.jsicm.tenant_id, select(Task.id).where(  # open until resubmitted
        Task.kind == "revise_case_report", Task.status == "open"))
    review = director.text(f"/cases/review/reports/{report.id}")
    assert "まだ書きかけの下書き" not in review and "輸液とノルアドレナリン" in review
    assert director.get(f"/cases/review/reports/{report.id}/versions/2/diff").status_code == 404
    assert "まだ書きかけの下書き" in trainee.text(f"/cases/reports/{report.id}/versions/2/diff")
    assert "書き直し" in trainee.text(f"/cases/reports/{report.id}/edit")  # the comment stays in view
