"""Issue 14 item 6: full-width input is folded where the meaning allows, in one place
(portal.forms.guard: CodeField, CountField, EmailField and the parsed fields), so 「１００００１」,
「３５０」, "1,200" and a full-width e-mail address mean what the person typed in every society."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.blueprints.renewal.models import RenewalForm
from portal.extensions import db
from portal.tenants.scoping import system_scope
from tests.factories.helpers.clients import PASSWORD
from tests.factories.helpers.renewal import CORE_LOGIN, form1_data, physicians, post_form1
from tests.factories.helpers.rows import outbox


def _stored(app, code: str) -> dict:
    with app.app_context(), system_scope(db.session):
        return db.session.scalar(select(RenewalForm).where(RenewalForm.form_code == code)).data


def test_jspm_form1_full_width_member_numbers(app, jspm):
    jspm.login(CORE_LOGIN)
    page = post_form1(jspm, form1_data(responsible_member_number="１００００１",
                                       certification_number="Ｋ－０００１"),
                      [{"name": "髙橋 指導医", "member_number": "２０００１", "full_time": True}])
    text = page.get_data(as_text=True)
    assert "認定取得者である必要があります" not in text and "登録済み" in text
    data = _stored(app, "application_form")
    assert (data["responsible_member_number"], data["certification_number"]) == ("100001", "K-0001")


@pytest.mark.parametrize(("beds", "cases", "stored"), [("３５０", "1,200", ("350", "1200")),
                                                      ("１，２００", "１２０", ("1200", "120"))])
def test_jspm_form2_full_width_and_separated_counts(app, jspm, beds, cases, stored):
    jspm.login(CORE_LOGIN)
    page = jspm.post("/renewal/form2", {"beds": beds, "has_pcu": "yes", "team_cases": cases,
                                        "training_content": "回診"}, csrf_from="/renewal/apply")
    text = page.get_data(as_text=True)
    assert "0以上の整数" not in text and "登録済み" in text
    data = _stored(app, "overview_form")
    assert (data["beds"], data["team_cases"]) == stored


def test_jspm_form2_still_refuses_what_is_not_a_count(jspm):
    jspm.login(CORE_LOGIN)
    text = jspm.post("/renewal/form2", {"beds": "三百", "has_pcu": "yes", "team_cases": "12",
                                        "training_content": "回診"},
                     csrf_from="/renewal/apply").get_data(as_text=True)
    assert "病床数は0以上の整数で入力してください。" in text


def test_jsicm_email_change_accepts_a_full_width_address(app, jsicm):
    jsicm.login("jsicm-800014")
    wide = "ｄｕｍｙ＠ｍａｉｌ．ｓａｍｐｌｅ"
    response = jsicm.post("/profile/email", {"new_email": wide, "new_email_confirmation": wide},
                          csrf_from="/profile")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    [mail] = outbox(app, template="email_change_received")
    assert mail.to_addr == "dumy@mail.sample"


def test_jsicm_login_with_a_full_width_id(jsicm):
    response = jsicm.post("/login", {"identifier": "ｊｓｉｃｍ－８０００１４",
                                     "password": PASSWORD})
    assert response.status_code == 302


def test_names_are_not_folded(app, jspm):
    """A name keeps its characters (compatibility ideographs, full-width letters)."""
    jspm.login(CORE_LOGIN)
    post_form1(jspm, form1_data(responsible_name="緩和 一郎", institution_head="院長 Ｔａｒｏ"), physicians())
    assert _stored(app, "application_form")["institution_head"] == "院長 Ｔａｒｏ"


def test_number_and_date_fields_fold_before_parsing(app):
    """定員 「５」 or a date typed 「２０２７－０４－０１」 parse as what was meant (recruitment's
    IntegerField, renewal's DateField), through the same guard."""
    from datetime import date

    from werkzeug.datastructures import MultiDict
    from wtforms import DateField, IntegerField

    from portal.forms import FlaskForm

    class Probe(FlaskForm):
        class Meta:
            csrf = False

        capacity = IntegerField()
        start = DateField()

    with app.test_request_context("/"):
        form = Probe(formdata=MultiDict({"capacity": "５", "start": "２０２７－０４－０１"}))
        assert form.validate(), form.errors
        assert (form.capacity.data, form.start.data) == (5, date(2027, 4, 1))
