"""C-R09..C-R16, I-40..I-44: each renewal rule in the service layer, with no change on refusal."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal.accounts.models import User
from portal.blueprints.renewal.models import RenewalApplication
from portal.blueprints.renewal.services import applications as services
from portal.blueprints.renewal.services import outcome, wording
from portal.db import utcnow
from portal.extensions import db
from portal.tenants.resolve import rules_for
from portal.tenants.scoping import tenant_scope
from portal.upload_checks import UploadRejected
from tests.factories.helpers.files import pdf_bytes, png_bytes
from tests.factories.helpers.renewal import form1_data, form2_data, physicians
from tests.factories.helpers.rows import outbox


@pytest.fixture
def scope(app, jspm_world):
    """Run services as in a request on jspm.localhost (g.tenant/g.rules set)."""
    with app.test_request_context("/", base_url="http://jspm.localhost"):
        app.preprocess_request()
        yield jspm_world


def shown(message: str) -> str:
    """A service's message as jspm's screen shows it in Japanese (its words filled in)."""
    return message % wording.words(rules_for("jspm"))


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def scan(data: bytes, name="sealed.pdf") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


def complete(user_id: int, now=None, **form1) -> RenewalApplication:
    now = now or utcnow()
    form, errors = services.save_application_form(user(user_id), form1_data(**form1), physicians(), now)
    assert errors == {}
    services.save_overview_form(user(user_id), form2_data(), now)
    services.upload_scan(user(user_id), scan(pdf_bytes()), rules_for("jspm"), now)
    return form.application


def test_complete_core_application_submits_and_mails_the_facility(app, scope):
    app_row = complete(scope.core_user)
    submitted = services.submit(user(scope.core_user), utcnow())
    assert (submitted.status, submitted.revision) == ("submitted", 1)
    db.session.commit()
    mail = outbox(app, template="renewal_submitted")[-1]
    assert mail.to_addr == "core@jspm.example.jp" and f"JSPM-{app_row.id}-r1" in mail.body


def test_core_without_a_full_time_instructor_is_not_registered(scope):
    form, errors = services.save_application_form(
        user(scope.core_user), form1_data(), physicians(full_time=False), utcnow())
    assert not form.registered
    assert shown(errors["physicians"]) == "基幹施設には常勤の緩和医療指導医が1名以上必要です。"


def test_uncertified_responsible_physician_is_refused(scope):
    """In the roster but without the certification (C-R14, I-44): refused."""
    form, errors = services.save_application_form(
        user(scope.core_user), form1_data(responsible_member_number="100003"), physicians(), utcnow())
    assert not form.registered
    assert shown(errors["responsible_member_number"]) == "施設責任者は当学会の認定取得者である必要があります。"


def test_responsible_physician_must_differ_from_the_institution_head(scope):
    _, errors = services.save_application_form(
        user(scope.core_user), form1_data(institution_head="緩和　一郎"), physicians(), utcnow())
    assert "施設としての責任者とは異なる" in errors["responsible_name"]


def test_affiliated_without_a_core_facility_is_not_registered(scope):
    form, errors = services.save_application_form(
        user(scope.affiliated_user), form1_data(), physicians(False), utcnow())
    assert not form.registered
    assert errors["core_facility_id"] == "連携施設は連携する基幹施設を選択してください。"


def test_affiliated_names_a_core_facility_from_the_roster_only(scope):
    bad, errors = services.save_application_form(
        user(scope.affiliated_user), form1_data(core_facility_id=str(scope.affiliated)),
        physicians(False), utcnow())
    assert shown(errors["core_facility_id"]) == "選択された基幹施設は当学会の基幹施設名簿にありません。"
    good, errors = services.save_application_form(
        user(scope.affiliated_user), form1_data(core_facility_id=str(scope.core)),
        physicians(False), utcnow())
    assert errors == {} and good.registered and good.application.core_facility_id == scope.core


def test_overview_needs_every_item_and_counts_of_zero_or_more(scope):
    form, errors = services.save_overview_form(
        user(scope.core_user), form2_data(beds="-1", team_cases="", has_pcu=""), utcnow())
    assert not form.registered
    assert {key: shown(message) for key, message in errors.items()} == {
        "beds": "病床数は0以上の整数で入力してください。",
        "team_cases": "年間の緩和ケアチーム介入件数を入力してください。",
        "has_pcu": "緩和ケア病棟の有無を選択してください。"}
    form, errors = services.save_overview_form(user(scope.core_user), form2_data(beds="0"), utcnow())
    assert errors == {} and form.registered


def test_submit_with_a_form_incomplete_is_refused(scope):
    complete(scope.core_user)
    services.save_overview_form(user(scope.core_user), form2_data(training_content=""), utcnow())
    with pytest.raises(services.RenewalError) as exc:
        services.submit(user(scope.core_user), utcnow())
    assert exc.value.message == "「2.概要書」が登録済みになっていません。"


def test_submit_without_the_sealed_scan_is_refused(scope):
    services.save_application_form(user(scope.core_user), form1_data(), physicians(), utcnow())
    services.save_overview_form(user(scope.core_user), form2_data(), utcnow())
    with pytest.raises(services.RenewalError, match="アップロードしてください"):
        services.submit(user(scope.core_user), utcnow())


def test_window_closed_refuses_saving_and_submitting(scope):
    complete(scope.core_user)
    later = utcnow() + timedelta(days=31)
    for action in (lambda: services.submit(user(scope.core_user), later),
                   lambda: services.save_overview_form(user(scope.core_user), form2_data(), later)):
        with pytest.raises(services.RenewalError) as exc:
            action()
        assert (exc.value.message, exc.value.status) == ("現在は申請期間外です。", 409)


def test_correction_stays_possible_after_the_window_closes(app, scope):
    complete(scope.core_user)
    app_row = services.submit(user(scope.core_user), utcnow())
    services.request_correction(user(scope.jimu_user), app_row.id, "病床数を修正してください。", utcnow())
    later = utcnow() + timedelta(days=40)
    services.save_overview_form(user(scope.core_user), form2_data(beds="360"), later)
    again = services.submit(user(scope.core_user), later)
    assert (again.status, again.revision, again.document_number) == ("submitted", 2, f"JSPM-{again.id}-r2")
    assert all(c.resolved_at for c in again.corrections)


def test_non_pdf_scan_is_refused_and_keeps_nothing(scope, files_dir):
    folder = files_dir / str(scope.tenant_id)
    before = {p for p in folder.rglob("*") if p.is_file()}
    with pytest.raises(UploadRejected):
        services.upload_scan(user(scope.core_user), scan(png_bytes(), "scan.png"), rules_for("jspm"), utcnow())
    with pytest.raises(UploadRejected):
        services.upload_scan(user(scope.core_user), scan(png_bytes(), "disguised.pdf"), rules_for("jspm"), utcnow())
    assert {p for p in folder.rglob("*") if p.is_file()} == before


def test_scan_is_kept_byte_for_byte(scope):
    data = pdf_bytes(pad_to=4000)
    stored = services.upload_scan(user(scope.core_user), scan(data), rules_for("jspm"), utcnow())
    from portal.storage import path_for
    assert path_for(stored).read_bytes() == data and stored.state == "committed"


def test_one_application_per_facility_per_window(scope):
    services.save_overview_form(user(scope.core_user), form2_data(), utcnow())
    services.save_overview_form(user(scope.core_user), form2_data(beds="1"), utcnow())
    rows = db.session.scalars(select(RenewalApplication)).all()
    assert len(rows) == 1


def test_double_decision_moves_the_row_once(scope):
    complete(scope.core_user)
    app_row = services.submit(user(scope.core_user), utcnow())
    outcome.pass_application(user(scope.jimu_user), app_row.id, utcnow())
    with pytest.raises(services.RenewalError, match="既に処理済み"):
        services.request_correction(user(scope.jimu_user), app_row.id, "x", utcnow())


def test_another_tenants_application_and_facility_are_not_found(app, factories, scope, make_society):
    other = make_society(slug="jspm2", name="別学会")
    with tenant_scope(db.session, other.tenant_id):
        theirs = complete(other.core_user)
        their_id = theirs.id
        db.session.commit()
    with pytest.raises(services.RenewalError) as exc:
        services.get_application(their_id)
    assert exc.value.status == 404
    _, errors = services.save_application_form(
        user(scope.affiliated_user), form1_data(core_facility_id=str(other.core)), physicians(), utcnow())
    assert shown(errors["core_facility_id"]) == "選択された基幹施設は当学会の基幹施設名簿にありません。"
