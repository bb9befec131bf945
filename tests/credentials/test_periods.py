"""所属研修施設変更・休止登録 (issue 16 item 2): the trainee asks for a facility change (approved
by the NEW facility's director) or a 休止 (approved by the current one), the secretariat may
act instead; periods never overlap, a 休止 pauses the training clock, history is kept; and
the credentials feature's "requirement_facts" (issue 16 item 5)."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.blueprints.credentials.models import Enrollment, PeriodChange
from portal.blueprints.credentials.services.period_facts import rotation_facts
from portal.extensions import db
from portal.registry import registry
from portal.tenants.resolve import rules_for
from portal.tenants.scoping import tenant_scope
from portal.worklist.models import Task
from tests.factories.helpers.rows import audit_actions, outbox, read, sql_sent

PAGE, QUEUE = "/training-periods", "/review/training-periods"
ROTATIONS = ("icu", "emergency", "anaesthesia", "other")


@pytest.fixture
def enrolled(world, add_rows):
    """The jsicm trainee has trained at 施設A (ICU) since 2024-04-01."""
    s = world.jsicm
    [eid] = add_rows(s.tenant_id, Enrollment(
        tenant_id=s.tenant_id, trainee_id=s.trainee, facility_id=s.facility,
        program_director_id=s.director, from_date=date(2024, 4, 1), rotation="icu"))
    return eid


def _change(client, world, facility=None, director=None, rotation="emergency", start="2025-04-01"):
    s = world.jsicm
    return client.post(f"{PAGE}/facility-change", {
        "facility_id": str(facility or s.other_facility), "director_id": str(director or s.other_director),
        "rotation": rotation, "start": start}, csrf_from=PAGE)


def _suspension(client, start="2024-10-01", end="2025-01-31", reason="parental", detail=""):
    return client.post(f"{PAGE}/suspension", {"start": start, "end": end, "reason_code": reason,
                                              "detail": detail}, csrf_from=PAGE)


def _changes(app, world, *where):
    return read(app, world.jsicm.tenant_id, select(PeriodChange).where(*where).order_by(PeriodChange.id))


def _periods(app, world):
    return [(e.facility_id, e.rotation, e.from_date, e.to_date) for e in read(
        app, world.jsicm.tenant_id, select(Enrollment).order_by(Enrollment.from_date))]


def _htmx(client, path, data=None):
    token = client.csrf(QUEUE)
    return client.client.post(path, data={"csrf_token": token, **(data or {})},
                              headers={"HX-Request": "true", "X-CSRFToken": token})


def _login(client_for, who):
    client = client_for("jsicm.localhost")
    client.login(who)
    return client


def test_before_enrollment_the_page_and_the_requests_are_refused(world, jsicm):
    """The migrated trainee's start is approved but no 証票 yet: no period to change."""
    jsicm.login("jsicm-800014")
    page = jsicm.get(PAGE)
    assert page.status_code == 403 and "研修開始（証票の承認）後に利用できます。" in page.get_data(as_text=True)
    home = jsicm.text("/")
    assert f'href="{PAGE}"' not in home  # the menu item is disabled, with the reason
    assert '<small class="why">研修開始（証票の承認）後に利用できます。</small>' in home
    token = jsicm.csrf("/profile")
    refused = jsicm.client.post(f"{PAGE}/suspension", data={
        "csrf_token": token, "start": "2024-10-01", "end": "2024-10-31", "reason_code": "illness"})
    assert refused.status_code == 403


def test_facility_change_approved_by_the_new_director(app, world, enrolled, client_for):
    trainee = _login(client_for, "jsicm-800014")
    assert f'href="{PAGE}"' in trainee.text("/")
    wrong = _change(trainee, world, director=world.jsicm.director)  # 施設A's director for 施設B
    assert wrong.status_code == 422
    assert "選択した研修施設の統括責任者を選択してください。" in wrong.get_data(as_text=True)
    early = _change(trainee, world, start="2024-04-01")
    assert early.status_code == 422 and "現在の研修期間の開始日より後" in early.get_data(as_text=True)
    assert _changes(app, world) == []
    assert _change(trainee, world).status_code == 303
    assert _change(trainee, world, start="2025-05-01").status_code == 409  # one pending at a time
    [change] = _changes(app, world)
    assert (change.kind, change.status, change.approver_id) == (
        "facility_change", "pending_review", world.jsicm.other_director)
    [mail] = outbox(app, template="period_change_submitted")
    assert mail.to_addr == "jsicm-director-b@example.jp"
    assert read(app, world.jsicm.tenant_id, select(Task).where(
        Task.kind == "review_period_change", Task.user_id == world.jsicm.other_director, Task.status == "open"))

    current = _login(client_for, "jsicm-director")  # the current director is not the approver
    assert "専攻医 テスト1" not in current.text(QUEUE)
    assert _htmx(current, f"{QUEUE}/{change.id}/approve").status_code == 404
    new = _login(client_for, "jsicm-director-b")
    assert "専攻医 テスト1" in new.text(QUEUE)
    row = _htmx(new, f"{QUEUE}/{change.id}/approve")
    assert row.status_code == 200 and "承認しました。" in row.get_data(as_text=True)
    assert _htmx(new, f"{QUEUE}/{change.id}/approve").status_code in (404, 409)  # once only
    s = world.jsicm
    assert _periods(app, world) == [(s.facility, "icu", date(2024, 4, 1), date(2025, 3, 31)),
                                    (s.other_facility, "emergency", date(2025, 4, 1), None)]
    [approved] = outbox(app, template="period_change_approved")
    assert approved.to_addr == "trainee@jsicm.example.jp"
    assert "所属研修施設変更の申請が承認されました。" in trainee.text("/")
    history = trainee.text(PAGE)
    assert "施設B" in history and "救急科" in history and "承認済" in history
    assert audit_actions(app, s.tenant_id, "period_changes") == [
        "facility_change_submitted", "facility_change_approved"]


def test_suspension_returned_then_approved_by_the_secretariat(app, world, enrolled, client_for):
    trainee = _login(client_for, "jsicm-800014")
    assert _suspension(trainee).status_code == 303
    [change] = _changes(app, world)
    assert change.approver_id == world.jsicm.director and change.reason_code == "parental"
    director = _login(client_for, "jsicm-director")
    assert _htmx(director, f"{QUEUE}/{change.id}/return", {"reason": ""}).status_code == 422
    row = _htmx(director, f"{QUEUE}/{change.id}/return", {"reason": "期間を確認してください。"})
    assert row.status_code == 200 and "差し戻しました。" in row.get_data(as_text=True)
    [returned] = outbox(app, template="period_change_returned")
    assert "期間を確認してください。" in returned.body and returned.to_addr == "trainee@jsicm.example.jp"
    assert "休止の申請が差し戻されました。" in trainee.text("/")
    assert "期間を確認してください。" in trainee.text(PAGE)

    assert _suspension(trainee, end="2024-12-31").status_code == 303  # a returned one blocks nothing
    [_, again] = _changes(app, world)
    jimu = _login(client_for, "jsicm-jimu")
    assert jimu.post(f"{QUEUE}/{again.id}/approve", {}, csrf_from=QUEUE).status_code == 303
    assert _changes(app, world, PeriodChange.id == again.id)[0].status == "approved"
    assert len(_periods(app, world)) == 1  # a 休止 pauses the period, it does not close it
    assert audit_actions(app, world.jsicm.tenant_id, "period_changes") == [
        "suspension_submitted", "suspension_returned", "suspension_submitted", "suspension_approved"]
    admin = jimu.text(f"/admin/trainees/{world.jsicm.trainee}")  # A-S12 shows the same history
    assert "産休・育休" in admin and "期間を確認してください。" in admin and "集中治療" in admin


@pytest.mark.parametrize(("start", "end", "reason", "detail", "message"), [
    ("2024-11-01", "2024-10-01", "illness", "", "休止終了日は休止開始日以降の日付にしてください。"),
    ("2024-03-01", "2024-04-30", "illness", "", "研修開始日より前の期間は休止として登録できません。"),
    ("2024-10-01", "2024-10-31", "other", "", "「その他」の場合は理由の詳細を入力してください。"),
    ("2024-10-01", "2024-10-31", "holiday", "", "休止の理由を選択してください。"),
])
def test_a_bad_suspension_is_refused_and_nothing_is_saved(app, world, enrolled, jsicm,
                                                         start, end, reason, detail, message):
    jsicm.login("jsicm-800014")
    refused = _suspension(jsicm, start, end, reason, detail)
    assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert _changes(app, world) == []


def test_periods_never_overlap(app, world, enrolled, client_for):
    trainee = _login(client_for, "jsicm-800014")
    assert _suspension(trainee, "2024-10-01", "2024-12-31").status_code == 303
    overlap = _suspension(trainee, "2024-12-01", "2025-01-31", "illness")
    assert overlap.status_code == 422 and "休止期間と重なっています" in overlap.get_data(as_text=True)
    inside = _change(trainee, world, start="2024-11-15")
    assert inside.status_code == 422 and "休止期間と重なっています" in inside.get_data(as_text=True)
    assert _suspension(trainee, "2025-01-01", "2025-01-31", "other", "学会の研究").status_code == 303
    assert _change(trainee, world, start="2025-04-01").status_code == 303
    covering = _suspension(trainee, "2025-03-01", "2025-04-30", "illness")
    assert covering.status_code == 422 and "変更日が含まれています" in covering.get_data(as_text=True)
    assert len(_changes(app, world)) == 3


def test_another_society_sees_and_decides_nothing(app, factories, world, enrolled, client_for):
    factories.society("jsgt", "日本総合研修医学会")
    trainee = _login(client_for, "jsicm-800014")
    assert _suspension(trainee).status_code == 303
    [change] = _changes(app, world)
    for who in ("jsgt-jimu@example.jp", "jsgt-director@example.jp"):  # jsgt logs in by e-mail
        other = client_for("jsgt.localhost")
        other.login(who)
        assert "専攻医 テスト1" not in other.text(QUEUE)
        assert other.post(f"{QUEUE}/{change.id}/approve", {}, csrf_from=QUEUE).status_code == 404
    assert _changes(app, world)[0].status == "pending_review"


# --- requirement_facts: the arithmetic, then many trainees in three statements ------------------

def _facts(periods, pauses=(), today=date(2026, 3, 31)):
    return rotation_facts(periods, list(pauses), today, ROTATIONS)


def test_twelve_weeks_exactly():
    days, runs = _facts([("icu", date(2025, 1, 6), date(2025, 3, 30))])
    assert days["icu"] == runs["icu"] == 84 and days["icu"] // 7 == 12
    assert days["emergency"] == runs["emergency"] == 0


def test_a_suspension_in_the_middle_takes_its_days_and_splits_the_run():
    days, runs = _facts([("icu", date(2025, 4, 1), date(2025, 9, 30))],  # 183 days
                        [(date(2025, 6, 1), date(2025, 6, 30))])
    assert days["icu"] == 153
    assert runs["icu"] == 92  # 1 Jul - 30 Sep, longer than 1 Apr - 31 May (61)


def test_an_open_period_counts_up_to_today_and_a_future_one_nothing():
    days, runs = _facts([("icu", date(2026, 3, 1), None), ("emergency", date(2026, 4, 1), None)],
                        today=date(2026, 3, 10))
    assert days["icu"] == runs["icu"] == 10 and days["emergency"] == 0


def test_a_facility_change_with_no_gap_keeps_one_run_of_the_same_rotation():
    days, runs = _facts([("icu", date(2024, 4, 1), date(2024, 9, 30)),
                         ("icu", date(2024, 10, 1), date(2025, 3, 31)),
                         ("emergency", date(2025, 4, 1), date(2025, 6, 30)),
                         ("icu", date(2025, 7, 1), date(2025, 7, 31))])
    assert days["icu"] == 365 + 31 and runs["icu"] == 365
    assert days["emergency"] == runs["emergency"] == 91


def test_requirement_facts_for_many_trainees_in_three_statements(app, world, enrolled, add_rows):
    s = world.jsicm
    add_rows(s.tenant_id, PeriodChange(
        tenant_id=s.tenant_id, trainee_id=s.trainee, kind="suspension", facility_id=s.facility,
        approver_id=s.director, enrollment_id=enrolled, start_date=date(2024, 5, 1),
        end_date=date(2024, 5, 31), reason_code="illness", status="approved",
        submitted_at=datetime(2024, 4, 20, tzinfo=UTC)))
    with app.app_context(), tenant_scope(db.session, s.tenant_id):
        rules = rules_for("jsicm")
        answer = next(f.answers["requirement_facts"] for f in registry().features
                      if "requirement_facts" in f.answers)
        facts = {}
        sent = sql_sent(app, lambda: facts.update(answer(rules, [s.trainee, s.director], date(2024, 6, 30))))
    reads = [q for q in sent if q.startswith("SELECT") and "set_config" not in q]  # PostgreSQL's RLS
    assert len(reads) == 3  # not one per trainee
    mine = facts[s.trainee]
    assert mine["credential_approved"] is False
    assert mine["rotation_days"]["icu"] == 91 - 31  # April to June without May
    assert mine["longest_run_days"]["icu"] == 30
    assert facts[s.director]["rotation_days"] == dict.fromkeys(ROTATIONS, 0)


def test_the_demo_trainee_has_a_history_and_seed_demo_stays_idempotent(app, client_for):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    client = client_for("jsicm.localhost")
    client.login("800014", "demo-pass-2024")
    page = client.text(PAGE)
    assert page.count("承認済") == 3 and "救急科" in page and "病気療養" in page
    assert page.count("〜 現在") == 1  # one open period, not one per seed-demo
    assert "06/03 証票をアップロードしてください。" in client.text("/")  # still at the upload
