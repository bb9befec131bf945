"""経験症例新規登録 (issue 16 item 3): every field saved under the trainee's placement, each rule
refused on its field with nothing saved, change and deletion only while not signed off, only by
the trainee (others 404, other societies 404), the A-R06 gate on every route."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.blueprints.cases.models import Case
from tests.factories.helpers.case_log import case_form, case_rows, unlock
from tests.factories.helpers.rows import read


def _cases(app, society):
    return read(app, society.tenant_id, select(Case).order_by(Case.id))


@pytest.fixture
def trainee(app, world, jsicm):
    unlock(app, world.jsicm)
    jsicm.login("jsicm-800014")
    return jsicm


def _post(client, path="/cases/new", **changes):
    return client.post(path, case_form(**changes), csrf_from="/cases/new")


def test_the_form_offers_the_societys_choices_and_the_placement(trainee):
    page = trainee.text("/cases/new")
    assert '<optgroup label="呼吸器">' in page and '<option value="resp_ards"' in page
    assert 'type="checkbox" name="organ_supports" value="ecmo"' in page
    assert 'name="role_intubation" value="operator"' in page and "術者" in page and "助手" in page
    assert "施設A" in page and "統括 太郎" in page


def test_a_case_is_saved_with_every_field_then_shown(app, world, trainee):
    response = _post(trainee)
    assert response.status_code == 303
    [case] = _cases(app, world.jsicm)
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    assert (case.trainee_id, case.director_id, case.facility_id) == (
        world.jsicm.trainee, world.jsicm.director, world.jsicm.facility)
    assert (str(case.entry_date), str(case.icu_admission_date), str(case.icu_discharge_date)) == (
        "2025-03-05", "2025-03-01", "2025-03-04")
    assert (case.age_band, case.sex, case.primary_category, case.outcome) == (
        "65-79", "female", "resp_ards", "alive_discharge")
    assert case.organ_supports == ["imv", "ecmo"]
    assert case.procedures == [{"code": "intubation", "role": "operator"},
                               {"code": "cvc", "role": "assistant"}]
    assert case.status == "entered" and "PaO2/FiO2 150" in case.summary
    page = trainee.text(f"/cases/{case.id}")
    assert "呼吸器／ARDS" in page and "気管挿管（術者）" in page and "ECMO" in page
    assert "承認待ち" in page
    assert [e.action for e in read(app, world.jsicm.tenant_id, select(AuditEvent).where(
        AuditEvent.entity_type == "cases"))] == ["case_entered"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"icu_admission_date": ""}, "ICU入室日を入力してください。"),
    ({"icu_admission_date": "2999-01-01", "entry_date": "2999-01-02"}, "ICU入室日に未来の日付は入力できません。"),
    ({"icu_discharge_date": "2025-02-27"}, "ICU退室日はICU入室日以降の日付を入力してください。"),
    ({"icu_discharge_date": "2999-01-01"}, "ICU退室日に未来の日付は入力できません。"),
    ({"entry_date": "2025-02-28"}, "登録日はICU入室日以降の日付を入力してください。"),
    ({"entry_date": "2999-01-01"}, "登録日に未来の日付は入力できません。"),
    ({"entry_date": ""}, "登録日を入力してください。"),
    ({"age_band": ""}, "年齢区分を選択してください。"),
    ({"age_band": "200-"}, "年齢区分を選択してください。"),
    ({"sex": "x"}, "性別を選択してください。"),
    ({"primary_category": "resp"}, "主たる疾患分類を選択してください。"),  # a branch with leaves
    ({"primary_category": ""}, "主たる疾患分類を選択してください。"),
    ({"outcome": ""}, "転帰を選択してください。"),
    ({"organ_supports": ["imv", "warp_drive"]}, "臓器補助の選択肢から選んでください。"),
    ({"role_cvc": None}, "術者か助手かを選択してください。"),
    ({"role_cvc": "observer"}, "術者か助手かを選択してください。"),
    ({"summary": "山田太郎さん、第3病日に抜管"}, "氏名と思われる語"),
    ({"summary": "あ" * 2001}, "経過の要点は2000文字以内で入力してください。"),
])
def test_each_rule_is_refused_on_its_field_and_nothing_is_saved(app, world, trainee, changes, message):
    response = _post(trainee, **changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page or "has-error" in page
    assert _cases(app, world.jsicm) == []


def test_a_role_alone_counts_as_the_procedure_done(app, world, trainee):
    assert _post(trainee, procedures=["intubation"], role_cvc="operator").status_code == 303
    [case] = _cases(app, world.jsicm)
    assert {"code": "cvc", "role": "operator"} in case.procedures


def test_without_a_placement_entry_is_refused_with_the_reason(app, world, factories, client_for):
    uid = factories.user(world.jsicm.tenant_id, "jsicm-800099", "trainee", full_name="専攻医 無所属")
    unlock(app, world.jsicm, trainee_id=uid)
    # credential approved, but the enrolment ended: no current placement
    from portal.blueprints.credentials.models import Enrollment
    from tests.factories.helpers.rows import writing
    with writing(app, world.jsicm.tenant_id) as session:
        for row in session.scalars(select(Enrollment).where(Enrollment.trainee_id == uid)):
            row.to_date = row.from_date
    client = client_for("jsicm.localhost")
    client.login("jsicm-800099")
    response = client.get("/cases/new")
    assert response.status_code == 409
    assert "在籍中の研修施設と統括責任者が登録されていないため" in response.get_data(as_text=True)
    assert client.post("/cases/new", case_form(), csrf_from="/cases/").status_code == 409


def test_edit_while_entered_then_refused_after_sign_off(app, world, trainee, add_rows):
    [case_id] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1))
    page = trainee.text(f"/cases/{case_id}/edit")
    assert 'value="2025-01-01"' in page and 'name="role_intubation" value="operator" checked' in page
    changed = trainee.post(f"/cases/{case_id}/edit", case_form(primary_category="cardio_hf"),
                           csrf_from=f"/cases/{case_id}/edit")
    assert changed.status_code == 303
    [case] = _cases(app, world.jsicm)
    assert case.primary_category == "cardio_hf" and case.summary.startswith("第3病日にECMO")
    from tests.factories.helpers.rows import writing
    with writing(app, world.jsicm.tenant_id) as session:
        session.get(Case, case_id).status = "signed_off"
    token = trainee.csrf(f"/cases/{case_id}")
    assert "変更・削除はできません" in trainee.text(f"/cases/{case_id}")
    refused = trainee.post(f"/cases/{case_id}/edit", {**case_form(primary_category="resp_copd"),
                                                      "csrf_token": token})
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/cases/{case_id}")
    assert trainee.post(f"/cases/{case_id}/delete", {"csrf_token": token}).status_code == 303
    [case] = _cases(app, world.jsicm)
    assert case.primary_category == "cardio_hf"  # neither changed nor deleted
    assert "統括責任者が承認した症例は変更・削除できません。" in trainee.text(f"/cases/{case_id}")


def test_delete_asks_first_and_is_audited(app, world, trainee, add_rows):
    [case_id] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1))
    assert "削除すると元に戻せません" in trainee.text(f"/cases/{case_id}/delete")
    assert _cases(app, world.jsicm)
    assert trainee.post(f"/cases/{case_id}/delete", {},
                        csrf_from=f"/cases/{case_id}/delete").status_code == 303
    assert _cases(app, world.jsicm) == []
    [event] = read(app, world.jsicm.tenant_id, select(AuditEvent).where(
        AuditEvent.action == "case_deleted"))
    assert event.entity_id == case_id


def test_another_trainees_and_another_societys_cases_are_not_there(app, world, trainee, factories,
                                                                   add_rows):
    other = factories.user(world.jsicm.tenant_id, "jsicm-800020", "trainee")
    [theirs] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1, trainee_id=other))
    [jmsb_case] = add_rows(world.jmsb.tenant_id, *case_rows(world.jmsb, 1))
    for case_id in (theirs, jmsb_case):
        assert trainee.get(f"/cases/{case_id}").status_code == 404
        assert trainee.get(f"/cases/{case_id}/edit").status_code == 404
        assert trainee.post(f"/cases/{case_id}/edit", case_form(),
                            csrf_from="/cases/").status_code == 404
        assert trainee.post(f"/cases/{case_id}/delete", {}, csrf_from="/cases/").status_code == 404
    assert len(read(app, world.jsicm.tenant_id, select(Case))) == 1


def test_every_trainee_route_keeps_the_credential_gate(world, jsicm, add_rows):
    [case_id] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1))
    jsicm.login("jsicm-800014")  # not unlocked: no approved credential
    for path in ("/cases/", "/cases/new", "/cases/export.csv", f"/cases/{case_id}",
                 f"/cases/{case_id}/edit", f"/cases/{case_id}/delete"):
        assert jsicm.get(path).status_code == 403, path
    assert jsicm.post("/cases/new", case_form(), csrf_from="/").status_code == 403


def test_a_locked_trainee_asking_for_anothers_case_gets_404_not_the_gate(world, jsicm, factories,
                                                                        add_rows):
    other = factories.user(world.jsicm.tenant_id, "jsicm-800020", "trainee")
    [theirs] = add_rows(world.jsicm.tenant_id, *case_rows(world.jsicm, 1, trainee_id=other))
    jsicm.login("jsicm-800014")  # not unlocked
    assert jsicm.get(f"/cases/{theirs}").status_code == 404
    assert jsicm.get(f"/cases/{theirs}/edit").status_code == 404
