"""事務局: programs (name, 基幹施設, 統括責任者, 基本領域, 定員, 研修開始年度, 受付中). Each rule:
bad input gives a Japanese message next to the field, a 4xx and no change; changes are audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.blueprints.recruitment.models import RecruitmentProgram
from tests.factories.helpers.recruitment import DIRECTOR, counts
from tests.factories.helpers.rows import audit_actions, get, read

NEW = "/recruitment/admin/programs/new"
LIST = "/recruitment/admin/programs"


def program_data(rec, **over) -> dict:
    data = {"name": "北総合病院 内科専門研修プログラム", "core_facility_id": rec.society.facility,
            "director_id": rec.director, "specialty": "internal_medicine", "capacity": "4",
            "start_fiscal_year": "2027", "active": "y"}
    data.update(over)
    return data


def edit_url(program_id: int) -> str:
    return f"/recruitment/admin/programs/{program_id}/edit"


def test_list_shows_programs_with_seats_and_links(jimu, rec, app, applications):
    applications(rec, [rec.applicant], status="accepted")
    page = jimu.text(LIST)
    assert "髙田大学病院 小児科専門研修プログラム" in page and "小児科" in page
    assert "1 / 5" in page and "0 / 3" in page
    assert edit_url(rec.program) in page and NEW in page


def test_create_program_is_stored_and_audited(jimu, rec, app):
    form = jimu.text(NEW)
    assert "施設A" in form and "統括 太郎" in form and "リハビリテーション科" in form
    response = jimu.post(NEW, program_data(rec), csrf_from=NEW)
    assert response.status_code == 303
    [program] = read(app, rec.tenant_id, select(RecruitmentProgram).where(
        RecruitmentProgram.name == "北総合病院 内科専門研修プログラム"))
    assert (program.specialty, program.capacity, program.start_fiscal_year, program.active,
            program.core_facility_id, program.director_id) == (
        "internal_medicine", 4, 2027, True, rec.society.facility, rec.director)
    assert audit_actions(app, rec.tenant_id, "recruitment_programs") == ["recruitment_program_created"]


@pytest.mark.parametrize("over, message", [
    ({"name": "  "}, "プログラム名を入力してください。"),
    ({"name": "あ" * 201}, "プログラム名は200文字以内で入力してください。"),
    ({"core_facility_id": ""}, "基幹施設を選択してください。"),
    ({"core_facility_id": "999999"}, "基幹施設を選択してください。"),
    ({"director_id": ""}, "統括責任者を選択してください。"),
    ({"specialty": "astrology"}, "基本領域を選択してください。"),
    ({"capacity": "0"}, "定員は1〜9999の範囲で入力してください。"),
    ({"capacity": "三"}, "定員は半角数字で入力してください。"),
    ({"start_fiscal_year": ""}, "研修開始年度を入力してください。"),
    ({"start_fiscal_year": "2020"}, "研修開始年度は"),
    ({"name": "髙田大学病院 小児科専門研修プログラム"}, "2027年度に同じ名称のプログラムが既にあります。"),
])
def test_bad_program_input_is_refused_with_a_message(jimu, rec, app, over, message):
    before = counts(app, rec.tenant_id)
    response = jimu.post(NEW, program_data(rec, **over), csrf_from=NEW)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(app, rec.tenant_id) == before


def test_director_must_be_a_program_director(jimu, rec, app):
    response = jimu.post(NEW, program_data(rec, director_id=rec.applicant), csrf_from=NEW)
    assert response.status_code == 422
    assert "統括責任者を選択してください。" in response.get_data(as_text=True)


def test_another_tenants_facility_or_director_is_refused(jimu, rec, app, world):
    for over in ({"core_facility_id": world.jsicm.facility}, {"director_id": world.jsicm.director}):
        before = counts(app, rec.tenant_id)
        assert jimu.post(NEW, program_data(rec, **over), csrf_from=NEW).status_code == 422
        assert counts(app, rec.tenant_id) == before


def test_edit_program_changes_fields_and_audits_the_difference(jimu, rec, app):
    page = jimu.text(edit_url(rec.other_program))
    assert 'value="みなと総合病院 小児科専門研修プログラム"' in page
    data = program_data(rec, name="みなと総合病院 小児科プログラム（改）", specialty="pediatrics",
                        capacity="6", core_facility_id=rec.society.other_facility,
                        director_id=rec.other_director)
    del data["active"]  # unticked: 受付停止
    assert jimu.post(edit_url(rec.other_program), data, csrf_from=edit_url(rec.other_program)).status_code == 303
    program = get(app, rec.tenant_id, RecruitmentProgram, rec.other_program)
    assert (program.name, program.capacity, program.active) == ("みなと総合病院 小児科プログラム（改）", 6, False)
    [event] = [e for e in audit_actions(app, rec.tenant_id, "recruitment_programs")]
    assert event == "recruitment_program_updated"


def test_program_with_applications_keeps_specialty_and_year(jimu, rec, app, applications):
    applications(rec, [rec.applicant])
    before = counts(app, rec.tenant_id)
    for over in ({"specialty": "surgery"}, {"start_fiscal_year": "2028"}):
        data = {**program_data(rec, name="髙田大学病院 小児科専門研修プログラム", specialty="pediatrics",
                               capacity="5"), **over}
        response = jimu.post(edit_url(rec.program), data, csrf_from=edit_url(rec.program))
        assert response.status_code == 422
        assert "応募があるプログラムの基本領域・研修開始年度は変更できません。" in response.get_data(as_text=True)
    assert counts(app, rec.tenant_id) == before
    assert get(app, rec.tenant_id, RecruitmentProgram, rec.program).specialty == "pediatrics"


def test_capacity_cannot_go_below_accepted_applicants(jimu, rec, app, factories, applications):
    other = factories.user(rec.tenant_id, "jmsb-second", "trainee", full_name="二人目 太郎")
    applications(rec, [rec.applicant, other], status="accepted")
    data = program_data(rec, name="髙田大学病院 小児科専門研修プログラム", specialty="pediatrics", capacity="1")
    response = jimu.post(edit_url(rec.program), data, csrf_from=edit_url(rec.program))
    assert response.status_code == 422
    assert "定員は採用済みの人数（2名）より少なくできません。" in response.get_data(as_text=True)
    assert get(app, rec.tenant_id, RecruitmentProgram, rec.program).capacity == 5


def test_program_pages_are_for_the_secretariat_of_this_society_only(jmsb, client_for, rec, world):
    jmsb.login(DIRECTOR)
    assert jmsb.get(LIST).status_code == 403
    assert jmsb.get(edit_url(rec.program)).status_code == 404
    jsicm = client_for("jsicm.localhost")
    jsicm.login("jsicm-jimu")
    assert jsicm.get(LIST).status_code == 404  # no recruitment module there
    assert jsicm.get(edit_url(rec.program)).status_code == 404


def test_another_societys_program_id_is_404(jimu, rec, app, world, factories, make_recruitment):

    foreign = make_recruitment(world.jsicm)
    assert jimu.get(edit_url(foreign.program)).status_code == 404
    response = jimu.post(edit_url(foreign.program), program_data(rec), csrf_from=NEW)
    assert response.status_code == 404
