"""お知らせ (issue 15 item 5): the secretariat writes, schedules (Japan time in, UTC stored),
edits and retires notices per audience; they reach that audience's top page at once (the
trainee top page's kept HTML included), newest first, 新着 for 7 days, links made safe."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from portal.db import utcnow
from portal.ui import JST
from portal.worklist.models import Notice
from tests.factories.helpers.rows import audit_actions, read

LIST = "/admin/notices"


def _jst(moment: datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%dT%H:%M")


def _notice(**over) -> dict:
    data = {"title": "研修説明会のお知らせ", "body": "詳細は https://example.jp/info をご覧ください。",
            "audience": "trainee", "publish_from": _jst(utcnow() - timedelta(hours=1)),
            "publish_to": ""}
    return {**data, **over}


def _post(client, path, data):
    return client.post(path, data, csrf_from=LIST)


def _top(client) -> str:
    return client.text("/").split('id="notices-h"', 1)[-1]


def _notices(app, tid) -> list[Notice]:
    return read(app, tid, select(Notice).where(Notice.user_id.is_(None)).order_by(Notice.id))


def test_a_notice_reaches_its_audience_only_newest_first_with_new_and_safe_links(
        app, world, jsicm, client_for):
    jsicm.login("jsicm-jimu")
    older = _notice(title="古いお知らせ", audience="all",
                    publish_from=_jst(utcnow() - timedelta(days=10)))
    assert _post(jsicm, f"{LIST}/new", older).status_code == 303
    body = '<script>alert(1)</script> javascript:alert(1) https://example.jp/a?b=1&c=2 です。'
    assert _post(jsicm, f"{LIST}/new", _notice(body=body)).status_code == 303
    trainee = client_for("jsicm.localhost")
    trainee.login("jsicm-800014")
    top = _top(trainee)
    assert top.index("研修説明会のお知らせ") < top.index("古いお知らせ")  # newest first
    assert top.count("新着") == 1  # the 10-day-old one is not new any more
    assert "<script>" not in top and "&lt;script&gt;" in top
    assert ('<a href="https://example.jp/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" '
            'target="_blank">') in top
    assert 'href="javascript' not in top
    director = client_for("jsicm.localhost")
    director.login("jsicm-director")
    assert "古いお知らせ" in _top(director) and "研修説明会のお知らせ" not in _top(director)
    assert audit_actions(app, world.jsicm.tenant_id, "notices") == ["notice_created"] * 2


def test_japan_time_is_stored_as_utc_and_a_scheduled_notice_waits(app, world, jsicm, client_for):
    jsicm.login("jsicm-jimu")
    response = _post(jsicm, f"{LIST}/new", _notice(publish_from="2099-04-01T09:00",
                                                    publish_to="2099-04-30T18:00"))
    assert response.status_code == 303
    [notice] = _notices(app, world.jsicm.tenant_id)
    assert notice.published_at == datetime(2099, 4, 1, 0, 0, tzinfo=timezone.utc)
    assert notice.expires_at == datetime(2099, 4, 30, 9, 0, tzinfo=timezone.utc)
    assert "掲載予定" in jsicm.text(LIST)
    assert "2099-04-01T09:00" in jsicm.text(f"{LIST}/{notice.id}/edit")  # shown as typed
    trainee = client_for("jsicm.localhost")
    trainee.login("jsicm-800014")
    assert "研修説明会のお知らせ" not in _top(trainee)


def test_edit_and_retire_show_on_the_kept_trainee_top_page_at_once(app, world, jsicm,
                                                                   client_for):
    jsicm.login("jsicm-jimu")
    _post(jsicm, f"{LIST}/new", _notice())
    [notice] = _notices(app, world.jsicm.tenant_id)
    trainee = client_for("jsicm.localhost")
    trainee.login("jsicm-800014")
    assert "研修説明会のお知らせ" in _top(trainee)
    assert "研修説明会のお知らせ" in _top(trainee)  # kept
    edited = _post(jsicm, f"{LIST}/{notice.id}/edit", _notice(title="研修説明会（会場変更）"))
    assert edited.status_code == 303
    assert "研修説明会（会場変更）" in _top(trainee)
    assert _post(jsicm, f"{LIST}/{notice.id}/retire", {}).status_code == 303
    assert "研修説明会" not in _top(trainee)
    again = _post(jsicm, f"{LIST}/{notice.id}/retire", {})
    assert again.status_code == 303  # back to the list with the message
    assert "既に取り下げられています" in jsicm.text(LIST)
    assert audit_actions(app, world.jsicm.tenant_id, "notices") == [
        "notice_created", "notice_updated", "notice_retired"]


def test_new_mark_goes_after_seven_days_on_the_kept_page(app, world, jsicm, client_for,
                                                         monkeypatch):
    jsicm.login("jsicm-jimu")
    _post(jsicm, f"{LIST}/new", _notice())
    trainee = client_for("jsicm.localhost")
    trainee.login("jsicm-800014")
    assert "新着" in _top(trainee)
    later = utcnow() + timedelta(days=8)
    monkeypatch.setattr("portal.blueprints.credentials.queries.utcnow", lambda: later)
    monkeypatch.setattr("portal.worklist.services.utcnow", lambda: later)
    top = _top(trainee)
    assert "研修説明会のお知らせ" in top and "新着" not in top


def test_bad_input_is_refused_with_a_japanese_message_and_stores_nothing(app, world, jsicm):
    jsicm.login("jsicm-jimu")
    cases = [
        (_notice(publish_to=_jst(utcnow() - timedelta(days=1))),
         "掲載終了日時は掲載開始日時より後にしてください。"),
        (_notice(publish_from="来週"), "日時を正しく入力してください"),
        (_notice(title=""), "件名を入力してください。"),
        (_notice(audience="secretariat"), "対象を一覧から選択してください。"),
        (_notice(audience="applicant"), "対象を一覧から選択してください。"),  # no recruitment
        (_notice(body="x" * 4001), "本文は4000文字以内で入力してください。"),
    ]
    for data, message in cases:
        response = _post(jsicm, f"{LIST}/new", data)
        assert response.status_code in (400, 422), message
        assert message in response.get_data(as_text=True)
    assert _notices(app, world.jsicm.tenant_id) == []


def test_applicants_are_trainee_accounts_without_a_training_facility(app, world, jmsb,
                                                                     factories, client_for):
    tid = world.jmsb.tenant_id
    factories.user(tid, "applicant", "trainee", full_name="応募 花子",
                   email="applicant@jmsb.example.jp")
    jmsb.login("jmsb-jimu@example.jp")
    assert "応募者" in jmsb.text(f"{LIST}/new")
    assert _post(jmsb, f"{LIST}/new", _notice(title="二次募集のお知らせ",
                                              audience="applicant")).status_code == 303
    applicant = client_for("jmsb.localhost")
    applicant.login("applicant@jmsb.example.jp")
    assert "二次募集のお知らせ" in _top(applicant)
    placed = client_for("jmsb.localhost")  # the society's trainee, at 施設A
    placed.login("trainee@jmsb.example.jp")
    assert "二次募集のお知らせ" not in _top(placed)


def test_only_the_secretariat_has_the_pages_and_personal_notices_are_not_theirs(
        app, world, jsicm, client_for, add_rows):
    [personal] = add_rows(world.jsicm.tenant_id, Notice(
        tenant_id=world.jsicm.tenant_id, user_id=world.jsicm.trainee, title="証票が承認されました。",
        published_at=utcnow()))
    jsicm.login("jsicm-jimu")
    assert jsicm.get(f"{LIST}/{personal}/edit").status_code == 404
    assert "証票が承認されました。" not in jsicm.text(LIST)
    trainee = client_for("jsicm.localhost")
    trainee.login("jsicm-800014")
    assert trainee.get(LIST).status_code == 403
    assert trainee.get(f"{LIST}/{personal}/edit").status_code == 404
