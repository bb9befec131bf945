"""専攻医の研修実績 (B-S08 to B-S10, B-R19 to B-R23, I-33): 入力 -> 登録確認 -> 登録, edit, insert,
delete; a refused row changes nothing; who enters depends on specialty × cohort; 連携待ち."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.blueprints.training_record.models import TrainingRecord
from tests.factories.helpers.recruitment import TRAINEE
from tests.factories.helpers.rows import audit_actions, read


def rows(app, rec):
    return [(r.record_type, r.start_date, r.end_date, r.facility_id) for r in read(
        app, rec.tenant_id, select(TrainingRecord).order_by(TrainingRecord.start_date))]


def enter(client, path, **fields):
    return client.post(path, fields, csrf_from=path)


def test_two_step_save_adds_a_facility_period(app, jmsb, rec, enrol):
    enrol(rec, rec.society.trainee, cohort=2024)
    jmsb.login(TRAINEE)
    page = jmsb.text("/training-record/")
    assert "研修施設の登録" in page and "中断の登録" in page
    response = enter(jmsb, "/training-record/new/facility-period", training_status="training",
                     start_date="2024-04-01", facility_id=str(rec.society.facility),
                     other_details="週に1度毎週みなと病院で研修")
    assert response.status_code == 303 and response.location.endswith("/training-record/confirm")
    assert rows(app, rec) == []  # nothing before 登録
    confirm = jmsb.text("/training-record/confirm")
    assert "2024/04/01" in confirm and "施設A" in confirm and "週に1度毎週みなと病院で研修" in confirm
    done = jmsb.post("/training-record/register", {}, csrf_from="/training-record/confirm")
    assert done.status_code == 303
    assert rows(app, rec) == [("facility_period", date(2024, 4, 1), None, rec.society.facility)]
    assert audit_actions(app, rec.tenant_id, "training_records") == ["training_record_created"]
    listing = jmsb.text("/training-record/")
    assert "週に1度毎週みなと病院で研修" in listing and 'role="img"' in listing


def test_an_overlapping_row_is_refused_on_its_form_and_nothing_changes(app, jmsb, rec, enrol, add_records):
    enrol(rec, rec.society.trainee, cohort=2024)
    add_records(rec.tenant_id, rec.society.trainee,
                ("facility_period", "training", date(2024, 4, 1), None, rec.society.facility))
    jmsb.login(TRAINEE)
    response = enter(jmsb, "/training-record/new/facility-period", training_status="training",
                     start_date="2025-04-01", end_date="2025-09-30",
                     facility_id=str(rec.society.other_facility))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "前の行と期間が重なっています（2025/04/01〜2025/09/30）。" in page and "その他詳細" in page
    assert len(rows(app, rec)) == 1


def test_an_interruption_needs_its_reason(app, jmsb, rec, enrol):
    enrol(rec, rec.society.trainee, cohort=2024)
    jmsb.login(TRAINEE)
    response = enter(jmsb, "/training-record/new/interruption", training_status="interruption",
                     start_date="2024-04-01", interruption_reason="")
    assert response.status_code == 422 and "中断理由を選択してください。" in response.get_data(as_text=True)


def test_insert_splits_the_row_it_is_placed_in(app, jmsb, rec, enrol, add_records):
    enrol(rec, rec.society.trainee, cohort=2024)
    [anchor] = add_records(rec.tenant_id, rec.society.trainee,
                           ("facility_period", "training", date(2024, 4, 1), None, rec.society.facility))
    jmsb.login(TRAINEE)
    assert f"/training-record/new/interruption?after={anchor}" in jmsb.text(
        f"/training-record/new/facility-period?after={anchor}")  # either kind may be inserted
    path = f"/training-record/new/interruption?after={anchor}"
    response = enter(jmsb, path, training_status="interruption", start_date="2025-01-01",
                     end_date="2025-03-31", interruption_reason="pregnancy_childbirth_childcare")
    assert response.status_code == 303
    jmsb.post("/training-record/register", {}, csrf_from="/training-record/confirm")
    assert rows(app, rec) == [
        ("facility_period", date(2024, 4, 1), date(2024, 12, 31), rec.society.facility),
        ("interruption", date(2025, 1, 1), date(2025, 3, 31), None),
        ("facility_period", date(2025, 4, 1), None, rec.society.facility)]
    assert "空白期間 0件、重複 0件" in jmsb.text("/training-record/")  # still contiguous


def test_edit_and_delete_leave_a_gap_shown_on_its_row(app, jmsb, rec, enrol, add_records):
    enrol(rec, rec.society.trainee, cohort=2024)
    first, second = add_records(
        rec.tenant_id, rec.society.trainee,
        ("facility_period", "training", date(2024, 4, 1), date(2024, 9, 30), rec.society.facility),
        ("facility_period", "training", date(2024, 10, 1), None, rec.society.other_facility))
    jmsb.login(TRAINEE)
    enter(jmsb, f"/training-record/{first}/edit", training_status="training",
          start_date="2024-04-01", end_date="2024-08-31", facility_id=str(rec.society.facility))
    jmsb.post("/training-record/register", {}, csrf_from="/training-record/confirm")
    page = jmsb.text("/training-record/")
    assert "前の行との間に空白期間があります（2024/09/01〜2024/09/30）。" in page
    assert 'class="mark mark-gap"' in page  # the timeline marks it too
    jmsb.post(f"/training-record/{second}/delete", {}, csrf_from=f"/training-record/{second}/delete")
    assert [r[1] for r in rows(app, rec)] == [date(2024, 4, 1)]
    assert audit_actions(app, rec.tenant_id, "training_records") == [
        "training_record_updated", "training_record_deleted"]


def test_entry_depends_on_specialty_and_cohort(app, jmsb, rec, enrol):
    """B-R21 / I-33: internal medicine is linked except the FY2018 cohort; a linked trainee
    sees 連携待ち (B-R22) and cannot post a row."""
    enrollment = enrol(rec, rec.society.trainee, cohort=2020, specialty="internal_medicine")
    jmsb.login(TRAINEE)
    page = jmsb.text("/training-record/")
    assert "まだデータ連携が完了しておりませんので、表示はされておりません。" in page
    assert "研修施設の登録" not in page
    response = enter(jmsb, "/training-record/new/facility-period", training_status="training",
                     start_date="2020-04-01", facility_id=str(rec.society.facility))
    assert response.status_code == 403 and rows(app, rec) == []
    assert enrollment


def test_the_fy2018_internal_medicine_cohort_enters_records(app, jmsb, rec, enrol):
    enrol(rec, rec.society.trainee, cohort=2018, specialty="internal_medicine")
    jmsb.login(TRAINEE)
    assert "研修施設の登録" in jmsb.text("/training-record/")


def test_linked_rows_are_shown_read_only_once_imported(app, jmsb, rec, enrol, add_records):
    enrol(rec, rec.society.trainee, cohort=2020, specialty="surgery")
    [linked] = add_records(rec.tenant_id, rec.society.trainee,
                           ("facility_period", "training", date(2020, 4, 1), None, rec.society.facility),
                           source="data_linkage")
    jmsb.login(TRAINEE)
    page = jmsb.text("/training-record/")
    assert "（データ連携）" in page and "連携が完了しておりません" not in page
    assert jmsb.get(f"/training-record/{linked}/edit").status_code == 403


def test_someone_not_enrolled_is_told_why(app, jmsb, rec):
    jmsb.login(TRAINEE)
    assert "在籍登録後に研修実績を登録できます。" in jmsb.text("/training-record/")


def test_another_trainees_row_is_a_404(app, jmsb, rec, enrol, add_records, applicants):
    other = applicants(rec.tenant_id, 1)[0]
    enrol(rec, rec.society.trainee, cohort=2024)
    [theirs] = add_records(rec.tenant_id, other,
                           ("facility_period", "training", date(2024, 4, 1), None, rec.society.facility))
    jmsb.login(TRAINEE)
    assert jmsb.get(f"/training-record/{theirs}/edit").status_code == 404
    assert jmsb.get(f"/training-record/new/interruption?after={theirs}").status_code == 404
    assert jmsb.post(f"/training-record/{theirs}/delete", {}, csrf_from="/training-record/").status_code == 404
    assert len(rows(app, rec)) == 1
