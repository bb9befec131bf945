"""Q22 / C-R16 (issue 15 item 4): a member number the roster does not hold no longer blocks 様式1:
the form registers with a flag the secretariat sees and resolves (confirm, or a correction);
a 指導医 the roster holds is checked against its 資格 and period."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select, update

from portal.blueprints.renewal.models import RenewalApplication, SocietyMember
from portal.blueprints.renewal.services import applications as services
from portal.db import utcnow
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.renewal import (
    CORE_LOGIN,
    JIMU_LOGIN,
    form1_data,
    form2_data,
    physicians,
    post_form1,
    upload_scan,
)


@pytest.fixture
def scope(app, jspm_world):
    """Services run as in a request on jspm.localhost."""
    with app.test_request_context("/", base_url="http://jspm.localhost"):
        app.preprocess_request()
        yield jspm_world


def _shown(message: str) -> str:
    return message % {"society": "当学会", "physician": "緩和医療指導医"}


def _user(uid):
    from portal.accounts.models import User
    return db.session.get(User, uid)


def test_an_unknown_responsible_physician_registers_with_a_flag(scope):
    form, errors = services.save_application_form(
        _user(scope.core_user), form1_data(responsible_member_number="999999"), physicians(),
        utcnow())
    assert errors == {} and form.registered
    app = form.application
    assert app.roster_status == "unverified" and app.roster_unverified == ["200001", "999999"]


def test_a_supervisor_in_the_roster_is_checked_against_qualification_and_period(scope, add_rows):
    add_rows(scope.tenant_id, SocietyMember(
        tenant_id=scope.tenant_id, member_number="200001", name="髙橋 指導医", certified=True,
        qualification="specialist", valid_from=date(2020, 4, 1), valid_to=date(2030, 3, 31)))
    _, errors = services.save_application_form(
        _user(scope.core_user), form1_data(), physicians(), utcnow())
    assert _shown(errors["physicians"]) == "会員名簿で緩和医療指導医の資格（有効期間内）を確認できない方がいます。"
    db.session.execute(update(SocietyMember).where(SocietyMember.member_number == "200001")
                       .values(qualification="supervisor", valid_to=date(2021, 3, 31)))
    _, errors = services.save_application_form(
        _user(scope.core_user), form1_data(), physicians(), utcnow())
    assert "physicians" in errors  # expired
    db.session.execute(update(SocietyMember).where(SocietyMember.member_number == "200001")
                       .values(valid_to=date(2030, 3, 31)))
    form, errors = services.save_application_form(
        _user(scope.core_user), form1_data(), physicians(), utcnow())
    assert errors == {} and form.application.roster_status is None  # every number verified


def test_the_secretariat_sees_the_flag_and_confirms_it(app, jspm, jspm_world, client_for):
    jspm.login(CORE_LOGIN)
    post_form1(jspm, form1_data(responsible_member_number="999999"), physicians())
    jspm.post("/renewal/form2", form2_data(), csrf_from="/renewal/apply")
    upload_scan(jspm, pdf_bytes())
    assert jspm.post("/renewal/submit", {}, csrf_from="/renewal/apply").status_code == 303
    jimu = client_for("jspm.localhost")
    jimu.login(JIMU_LOGIN)
    listing = jimu.text("/renewal/review")
    assert "名簿未確認" in listing
    app_id = int(re.search(r'href="/renewal/review/(\d+)"', listing).group(1))
    detail = jimu.text(f"/renewal/review/{app_id}")
    assert "999999" in detail and "名簿で確認できない会員番号" in detail
    done = jimu.post(f"/renewal/review/{app_id}/roster", {}, csrf_from=f"/renewal/review/{app_id}")
    assert done.status_code == 303
    with app.app_context(), tenant_scope(db.session, jspm_world.tenant_id):
        assert db.session.scalar(select(RenewalApplication.roster_status)) == "confirmed"
    assert "事務局確認済み" in jimu.text(f"/renewal/review/{app_id}")
    again = jimu.post(f"/renewal/review/{app_id}/roster", {}, csrf_from=f"/renewal/review/{app_id}")
    assert again.status_code == 303
    assert "名簿未確認の会員番号はありません。" in jimu.text(again.headers["Location"])
