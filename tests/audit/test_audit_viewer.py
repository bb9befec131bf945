"""監査ログ (issue 15 item 6): filters by actor, subject, event and Japan-time dates, keyset
pages, and the CSV export (BOM, formula cells neutralised), for the secretariat alone."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from portal.audit import AuditEvent

LIST = "/admin/audit"


def _events(tid, actor, n, **over):
    base = dict(tenant_id=tid, actor_id=actor, actor_role="secretariat", action="notice_created",
                entity_type="notices", entity_id=1)
    return [AuditEvent(**{**base, **over}) for _ in range(n)]


def _results(text: str) -> str:
    return text.split('id="audit-results"', 1)[1]


def _rows(text: str) -> int:
    return text.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count('data-label="日時"')


def test_filters_and_keyset_pages(app, world, jsicm, add_rows):
    tid, jimu, director = world.jsicm.tenant_id, world.jsicm.secretariat, world.jsicm.director
    # Events are appended as they happen: the oldest has the smallest id (pages go by id).
    old = datetime(2025, 3, 31, 15, 30, tzinfo=timezone.utc)  # 2025-04-01 00:30 in Japan
    add_rows(tid, *_events(tid, jimu, 1, action="account_deactivated", entity_type="users",
                           entity_id=world.jsicm.trainee, created_at=old))
    add_rows(tid, *_events(tid, jimu, 55))
    add_rows(tid, *_events(tid, director, 2, actor_role="program_director",
                           action="credential_approved", entity_type="credentials",
                           entity_id=7, reason="確認しました"))
    jsicm.login("jsicm-jimu")
    first = _results(jsicm.text(LIST))
    assert _rows(first) == 50 and 'id="next-page"' in first
    assert "credential_approved" in first and "account_deactivated" not in first
    before = first.split('before=', 1)[1].split('"', 1)[0].split("&", 1)[0]
    second = _results(jsicm.text(f"{LIST}?before={before}"))
    assert _rows(second) == 8 and "account_deactivated" in second
    by_actor = jsicm.text(f"{LIST}?actor=jsicm-director")
    assert _rows(by_actor) == 2 and "確認しました" in by_actor
    by_name = jsicm.text(f"{LIST}?actor=統括")
    assert _rows(by_name) == 2
    assert _rows(jsicm.text(f"{LIST}?subject=credentials&subject_id=7")) == 2
    assert _rows(jsicm.text(f"{LIST}?subject=credentials&subject_id=8")) == 0
    assert _rows(jsicm.text(f"{LIST}?event=account_deactivated")) == 1
    assert _rows(jsicm.text(f"{LIST}?since=2025-04-01&until=2025-04-01")) == 1
    assert _rows(jsicm.text(f"{LIST}?since=2025-03-01&until=2025-03-31")) == 0
    assert _rows(jsicm.text(f"{LIST}?since=２０２５/０４/０１&until=2025-04-01")) == 1


def test_a_date_that_is_not_one_gets_a_japanese_message(world, jsicm):
    jsicm.login("jsicm-jimu")
    bad = jsicm.get(f"{LIST}?since=昨日")
    assert bad.status_code == 400 and "日付を正しく入力してください" in bad.get_data(as_text=True)
    reversed_ = jsicm.get(f"{LIST}?since=2026-12-02&until=2026-12-01")
    assert reversed_.status_code == 400
    assert "期間の終わりは始まり以降の日付にしてください。" in reversed_.get_data(as_text=True)
    assert jsicm.get(f"{LIST}/export.csv?since=昨日").status_code == 400


def test_csv_export_has_a_bom_and_no_formula_cells(app, world, jsicm, add_rows):
    tid = world.jsicm.tenant_id
    hostile = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"]
    add_rows(tid, *[AuditEvent(tenant_id=tid, actor_id=world.jsicm.secretariat,
                               actor_role="secretariat", action="account_deactivated",
                               entity_type="users", entity_id=world.jsicm.trainee, reason=r)
                    for r in hostile])
    add_rows(tid, AuditEvent(tenant_id=tid, action="other", entity_type="notices", entity_id=1,
                             created_at=datetime.now(timezone.utc) - timedelta(days=400)))
    jsicm.login("jsicm-jimu")
    response = jsicm.get(f"{LIST}/export.csv?event=account_deactivated")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "日時" and len(rows) == 1 + len(hostile)
    reasons = [row[9] for row in rows[1:]]
    assert sorted(reasons) == sorted("'" + r for r in hostile)
    assert all(row[1] == "jsicm-jimu" for row in rows[1:])


def test_only_the_secretariat_reads_the_audit_trail(world, client_for):
    for login in ("jsicm-800014", "jsicm-director"):
        client = client_for("jsicm.localhost")
        client.login(login)
        assert client.get(LIST).status_code == 403
        assert client.get(f"{LIST}/export.csv").status_code == 403


def test_another_society_sees_none_of_this_trail(world, jmsb, add_rows):
    tid = world.jsicm.tenant_id
    add_rows(tid, *_events(tid, world.jsicm.secretariat, 1, reason="jsicm-only-reason"))
    jmsb.login("jmsb-jimu@example.jp")
    assert "jsicm-only-reason" not in jmsb.text(LIST)
    assert b"jsicm-only-reason" not in jmsb.get(f"{LIST}/export.csv").data
