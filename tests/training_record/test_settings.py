"""What the secretariat and the director set on an enrolment: delayed start (B-R25 to B-R27,
I-25, I-26), ceiling exemption (B-R24) and track change (B-R28 to B-R30)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.blueprints.training_record.models import (
    CeilingExemption,
    TrackChange,
    TraineeEnrollment,
)
from tests.factories.helpers.recruitment import DIRECTOR
from tests.factories.helpers.rows import audit_actions, get, outbox, read


def post_delay(jimu, enrollment, **fields):
    path = f"/training-record/admin/enrollments/{enrollment}"
    return jimu.post(f"{path}/delay", fields, csrf_from=path)


def test_a_delay_of_six_months_needs_reapplication_without_a_qualifying_reason(app, jimu, rec, enrol):
    """B-R26 / I-26 / Q24: a start on or after 1 October is 半年以上."""
    enrollment = enrol(rec, rec.society.trainee, cohort=2024)
    response = post_delay(jimu, enrollment, planned_start_date="2024-10-01",
                          delay_reason="not_qualifying")
    assert response.status_code == 303
    row = get(app, rec.tenant_id, TraineeEnrollment, enrollment)
    assert row.planned_start_date == date(2024, 10, 1) and row.needs_reapplication
    assert "翌年度の専攻医募集への応募が必要です" in jimu.text(
        f"/training-record/admin/enrollments/{enrollment}")
    post_delay(jimu, enrollment, planned_start_date="2024-09-30", delay_reason="not_qualifying")
    assert not get(app, rec.tenant_id, TraineeEnrollment, enrollment).needs_reapplication


def test_a_qualifying_reason_exempts_fy2024_starters_only(app, jimu, rec, enrol, applicants):
    fy2024 = enrol(rec, rec.society.trainee, cohort=2024)
    fy2023 = enrol(rec, applicants(rec.tenant_id, 1)[0], cohort=2023)
    post_delay(jimu, fy2024, planned_start_date="2025-01-06",
               delay_reason="pregnancy_childbirth_childcare", society_notified="y")
    post_delay(jimu, fy2023, planned_start_date="2024-01-09",
               delay_reason="pregnancy_childbirth_childcare")
    now = get(app, rec.tenant_id, TraineeEnrollment, fy2024)
    assert not now.needs_reapplication and now.society_notified_at is not None
    assert get(app, rec.tenant_id, TraineeEnrollment, fy2023).needs_reapplication


def test_a_start_before_april_or_a_late_start_without_reason_is_refused(app, jimu, rec, enrol):
    enrollment = enrol(rec, rec.society.trainee, cohort=2024)
    early = post_delay(jimu, enrollment, planned_start_date="2024-03-31")
    assert early.status_code == 422  # I-25
    assert "研修開始予定日は年度の4月1日以降の日付を入力してください。" in early.get_data(as_text=True)
    late = post_delay(jimu, enrollment, planned_start_date="2024-07-01")
    assert "遅れの理由を選択してください" in late.get_data(as_text=True)
    assert get(app, rec.tenant_id, TraineeEnrollment, enrollment).planned_start_date == date(2024, 4, 1)
    assert audit_actions(app, rec.tenant_id, "trainee_enrollments") == []


def test_the_actual_start_is_the_training_start_from_fy2022(app, jimu, client_for, rec, enrol):
    """B-R27 / I-34: the worked example: a 2022 starter three months late starts in July."""
    enrollment = enrol(rec, rec.society.trainee, cohort=2022)
    post_delay(jimu, enrollment, planned_start_date="2022-07-01", actual_start_date="2022-07-01",
               delay_reason="pregnancy_childbirth_childcare")
    row = get(app, rec.tenant_id, TraineeEnrollment, enrollment)
    assert row.training_start_date == date(2022, 7, 1)
    trainee = client_for("jmsb.localhost")
    trainee.login("trainee@jmsb.example.jp")
    assert "研修開始日（2022/07/01）から現在までの研修実績を登録してください。" in trainee.text(
        "/training-record/")


def test_the_director_approves_a_delayed_start_once(app, client_for, jimu, rec, enrol):
    """B-R25: the program director approves; a second approval is refused (guarded in SQL)."""
    enrollment = enrol(rec, rec.society.trainee, cohort=2024)
    post_delay(jimu, enrollment, planned_start_date="2024-07-01", delay_reason="illness_treatment")
    director = client_for("jmsb.localhost")
    director.login(DIRECTOR)
    page = f"/training-record/director/trainees/{enrollment}"
    assert "研修開始の遅れを承認する" in director.text(page)
    assert director.post(f"{page}/approve-delay", {}, csrf_from=page).status_code == 303
    assert get(app, rec.tenant_id, TraineeEnrollment, enrollment).delay_approved_at is not None
    again = director.post(f"{page}/approve-delay", {}, csrf_from=page)
    assert again.status_code == 409
    assert len(outbox(app, template="training_delay_approved")) == 1
    assert "enrollment_delay_approved" in audit_actions(app, rec.tenant_id, "trainee_enrollments")


def test_ceiling_exemption_is_set_by_the_secretariat_with_the_certifying_council(app, jimu, rec, enrol):
    """B-R24: never self-declared: the council that certified it is required."""
    enrollment = enrol(rec, rec.society.trainee, cohort=2024)
    path = f"/training-record/admin/enrollments/{enrollment}"
    refused = jimu.post(f"{path}/ceiling", {"ceiling_exempt": "y", "reason": "地域枠"}, csrf_from=path)
    assert refused.status_code == 422 and "地域医療対策協議会を入力してください" in refused.get_data(as_text=True)
    assert read(app, rec.tenant_id, select(CeilingExemption)) == []
    done = jimu.post(f"{path}/ceiling", {"ceiling_exempt": "y", "certified_by": "A県地域医療対策協議会",
                                         "reason": "地域枠（A県と就業契約）"}, csrf_from=path)
    assert done.status_code == 303
    [row] = read(app, rec.tenant_id, select(CeilingExemption))
    assert (row.person_id, row.exempt, row.certified_by) == (rec.society.trainee, True, "A県地域医療対策協議会")
    assert audit_actions(app, rec.tenant_id, "ceiling_exemptions") == ["ceiling_exemption_set"]
    assert "シーリング対象外（A県地域医療対策協議会）" in jimu.text(path)


def test_an_applicant_is_made_exempt_before_selection(app, jimu, rec):
    page = jimu.text("/training-record/admin/ceiling?number=654321")
    assert "応募 花子" in page
    path = "/training-record/admin/ceiling?number=654321"
    response = jimu.post(f"/training-record/admin/ceiling/{rec.applicant}",
                         {"ceiling_exempt": "y", "certified_by": "B県地域医療対策協議会",
                          "reason": "自治医科大学卒業"}, csrf_from=path)
    assert response.status_code == 303
    [row] = read(app, rec.tenant_id, select(CeilingExemption))
    assert row.person_id == rec.applicant and row.exempt
    assert "見つかりません" in jimu.text("/training-record/admin/ceiling?number=999999")


def test_a_track_change_is_recorded_with_date_and_reason_and_shown_in_the_history(app, jimu, rec, enrol):
    enrollment = enrol(rec, rec.society.trainee, cohort=2024)
    path = f"/training-record/admin/enrollments/{enrollment}"
    fields = {"to_track": "curriculum", "effective_date": "2025-04-01", "reason": "育児のため"}
    no_ground = jimu.post(f"{path}/track", {**fields, "society_agreed": "y"}, csrf_from=path)
    assert "カリキュラム制の対象となる理由を選択してください。" in no_ground.get_data(as_text=True)
    no_society = jimu.post(f"{path}/track", {**fields, "ground": "life_event_leave"}, csrf_from=path)
    assert "領域学会の確認を得てから" in no_society.get_data(as_text=True)  # B-R30
    assert read(app, rec.tenant_id, select(TrackChange)) == []
    done = jimu.post(f"{path}/track", {**fields, "ground": "life_event_leave", "society_agreed": "y"},
                     csrf_from=path)
    assert done.status_code == 303
    row = get(app, rec.tenant_id, TraineeEnrollment, enrollment)
    assert (row.track, row.track_effective_date) == ("curriculum", date(2025, 4, 1))
    page = jimu.text(path)
    assert "2025/04/01: プログラム制 → カリキュラム制（単位制）" in page and "育児のため" in page


def test_a_specialty_can_narrow_the_curriculum_grounds(scope, enrol):
    """B-R30: the conditions differ by specialty (rules.toml [training_record] curriculum_grounds)."""
    from flask import g

    from portal.accounts.models import User
    from portal.blueprints.training_record.services import RecordError, settings
    from portal.extensions import db

    rec = scope
    enrollment = db.session.get(TraineeEnrollment, enrol(rec, rec.society.trainee, cohort=2024))
    rules = g.rules.model_copy(update={"training_record": g.rules.training_record.model_copy(
        update={"curriculum_grounds": {"pediatrics": ("life_event_leave",)}})})
    jimu = db.session.get(User, rec.secretariat)
    try:
        settings.change_track(jimu, enrollment, "curriculum", "study_leave", date(2025, 4, 1),
                              "留学のため", True, rules)
        raise AssertionError("study_leave should be refused for pediatrics")
    except RecordError as refused:
        assert "認められていません" in refused.message
    change = settings.change_track(jimu, enrollment, "curriculum", "life_event_leave",
                                   date(2025, 4, 1), "育児のため", True, rules)
    assert (change.from_track, change.to_track, enrollment.track) == ("program", "curriculum",
                                                                      "curriculum")
