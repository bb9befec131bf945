"""C-R17 / I-46: the certification start date and the core facility's notice (once, on the
date); C-R01 / C-R02: the secretariat's facility accounts (form, CSV), never a password."""
from __future__ import annotations

import io
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.blueprints.renewal.models import FacilityCertification, RenewalApplication
from portal.blueprints.renewal.services.affiliation import (
    FacilityAffiliation,
    notify_due_affiliations,
)
from portal.directory.models import Facility
from portal.extensions import db
from portal.tenants.scoping import system_scope, tenant_scope
from portal.worklist.models import Task
from tests.factories.helpers.renewal import AFFILIATED_LOGIN, CORE_LOGIN, JIMU_LOGIN
from tests.factories.helpers.rows import outbox

START = date(2026, 4, 1)
NOTICE = "連携施設からの連携申請があります。"


def passed_application(add_rows, world, status="passed", facility_type="affiliated") -> int:
    return add_rows(world.tenant_id, RenewalApplication(
        tenant_id=world.tenant_id, facility_id=world.affiliated, window_id=world.window,
        facility_type=facility_type, status=status, revision=1,
        core_facility_id=world.core if facility_type == "affiliated" else None))[0]


def set_start(client, app_id: int, value: str, csrf_from: str | None = None):
    page = f"/renewal/admin/applications/{app_id}/certification-start"
    return client.post(page, {"certification_start_date": value}, csrf_from=csrf_from or page)


def rows(app, model, **filters):
    with app.app_context(), system_scope(db.session):
        stmt = select(model)
        for key, value in filters.items():
            stmt = stmt.where(getattr(model, key) == value)
        found = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return found


def run_job(app, today: date) -> int:
    with app.app_context():
        return notify_due_affiliations(today)


@pytest.fixture
def scheduled(app, jspm, jspm_world, add_rows):
    app_id = passed_application(add_rows, jspm_world)
    jspm.login(JIMU_LOGIN)
    assert set_start(jspm, app_id, START.isoformat()).status_code == 303
    return app_id


# --- certification start date ---------------------------------------------------------------------

def test_start_date_form_defaults_to_next_april_first(app, jspm, jspm_world, add_rows):
    app_id = passed_application(add_rows, jspm_world)
    jspm.login(JIMU_LOGIN)
    page = jspm.text(f"/renewal/admin/applications/{app_id}/certification-start")
    assert re.search(r'value="\d{4}-04-01"', page)


def test_setting_the_start_date_records_a_pending_affiliation_and_audit(app, jspm_world, scheduled):
    [row] = rows(app, FacilityAffiliation)
    assert (row.affiliated_facility_id, row.core_facility_id, row.application_id) == (
        jspm_world.affiliated, jspm_world.core, scheduled)
    assert row.notify_on == START and row.status == "pending_certification"
    from portal.audit import AuditEvent
    assert rows(app, AuditEvent, action="renewal_certification_start_set", entity_id=scheduled)


def test_start_date_is_refused_for_an_application_not_passed(app, jspm, jspm_world, add_rows):
    app_id = passed_application(add_rows, jspm_world, status="submitted")
    jspm.login(JIMU_LOGIN)
    response = set_start(jspm, app_id, START.isoformat())
    assert response.status_code == 409
    assert "合格した申請にのみ認定開始日を設定できます。" in response.get_data(as_text=True)
    assert rows(app, FacilityAffiliation) == []


def test_start_date_is_required(app, jspm, jspm_world, add_rows):
    app_id = passed_application(add_rows, jspm_world)
    jspm.login(JIMU_LOGIN)
    response = set_start(jspm, app_id, "")
    assert response.status_code == 400 and "認定開始日を入力してください。" in response.get_data(as_text=True)
    assert rows(app, FacilityAffiliation) == []


# --- the daily job -----------------------------------------------------------------------------------

def test_no_notice_before_the_certification_start_date(app, scheduled):
    assert run_job(app, date(2026, 3, 31)) == 0
    assert rows(app, Task, title=NOTICE) == []
    assert outbox(app, template="renewal_affiliation_notice") == []
    assert rows(app, FacilityAffiliation)[0].status == "pending_certification"


def test_job_run_twice_sends_one_notice_and_one_mail(app, jspm, jspm_world, scheduled):
    assert run_job(app, START) == 1
    assert run_job(app, START) == 0
    tasks = rows(app, Task, title=NOTICE)
    assert [t.user_id for t in tasks] == [jspm_world.core_user]
    mails = outbox(app, template="renewal_affiliation_notice")
    assert [m.to_addr for m in mails] == [CORE_LOGIN]
    assert "さくら連携病院" in mails[0].body
    [row] = rows(app, FacilityAffiliation)
    assert row.status == "notified" and row.notified_at is not None
    jspm.client.post("/logout", data={"csrf_token": jspm.csrf("/")})
    jspm.login(CORE_LOGIN)
    assert NOTICE in jspm.text("/")


def test_a_late_run_still_notifies_once(app, scheduled):
    assert run_job(app, date(2026, 4, 10)) == 1
    assert len(outbox(app, template="renewal_affiliation_notice")) == 1


def test_notice_already_sent_blocks_changing_the_start_date(app, jspm, scheduled):
    run_job(app, START)
    response = set_start(jspm, scheduled, "2026-05-01")
    assert response.status_code == 409
    assert "基幹施設への通知は送信済みのため" in response.get_data(as_text=True)
    assert rows(app, FacilityAffiliation)[0].notify_on == START


def test_another_tenant_is_untouched(app, factories, jspm_world, scheduled, make_society):
    other = make_society(slug="jspm2", name="別学会")
    with app.app_context(), tenant_scope(db.session, other.tenant_id):
        application = RenewalApplication(tenant_id=other.tenant_id, facility_id=other.affiliated,
                                         window_id=other.window, facility_type="affiliated",
                                         status="passed", core_facility_id=other.core)
        db.session.add(application)
        db.session.flush()
        db.session.add(FacilityAffiliation(
            tenant_id=other.tenant_id, affiliated_facility_id=other.affiliated,
            core_facility_id=other.core, application_id=application.id, notify_on=date(2026, 6, 1)))
        db.session.commit()
    assert run_job(app, START) == 1
    theirs = rows(app, FacilityAffiliation, tenant_id=other.tenant_id)
    assert [r.status for r in theirs] == ["pending_certification"]
    assert [t.tenant_id for t in rows(app, Task, title=NOTICE)] == [jspm_world.tenant_id]


def test_other_tenants_application_id_is_404(app, factories, jspm, jspm_world, make_society, add_rows):
    other = make_society(slug="jspm2", name="別学会")
    theirs = passed_application(add_rows, other)
    jspm.login(JIMU_LOGIN)
    assert set_start(jspm, theirs, START.isoformat()).status_code == 404
    assert rows(app, FacilityAffiliation) == []


# --- facility accounts -------------------------------------------------------------------------------

def create(client, csrf_from="/renewal/admin/facilities", **over):
    data = {"name": "新緑ホスピス", "certification_number": "R-0500", "facility_type": "affiliated",
            "email": "shinryoku@example.jp", **over}
    return client.post("/renewal/admin/facilities", data, csrf_from=csrf_from)


def import_csv(client, text: str, bom=False):
    token = client.csrf("/renewal/admin/facilities")
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    return client.client.post("/renewal/admin/facilities/import", content_type="multipart/form-data",
                              data={"csrf_token": token, "file": (io.BytesIO(data), "施設.csv")})


def test_facility_creation_mails_a_reset_link_and_stores_no_password(app, jspm, jspm_world):
    jspm.login(JIMU_LOGIN)
    assert create(jspm).status_code == 303
    [user] = rows(app, User, email="shinryoku@example.jp")
    assert user.password_hash is None and user.role == "facility_manager"
    [cert] = rows(app, FacilityCertification, certification_number="R-0500")
    assert cert.facility_id == user.facility_id and cert.facility_type == "affiliated"
    [mail] = outbox(app, to_addr="shinryoku@example.jp")
    assert mail.subject == "【日本緩和医療学会】施設マイページ パスワード設定のご案内"  # jspm's renewal.facility_pages
    assert "施設マイページ に施設マイページのアカウントを登録しました。" in mail.body
    link = re.search(r"http://jspm\.localhost\S*/password/reset/\S+", mail.body).group(0)
    assert "新緑ホスピス" in jspm.text("/renewal/admin/facilities")
    assert "pass" not in mail.body.lower().replace("password/reset", "")
    jspm.client.post("/logout", data={"csrf_token": jspm.csrf("/")})
    assert jspm.get(urlsplit(link).path).status_code == 200


def test_facility_form_errors_are_japanese_and_change_nothing(app, jspm, jspm_world):
    jspm.login(JIMU_LOGIN)
    response = create(jspm, email=CORE_LOGIN, certification_number="")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "認定番号を入力してください。" in body and "このメールアドレスは既に使われています。" in body
    assert rows(app, Facility, name="新緑ホスピス") == [] and outbox(app) == []


CSV_OK = "施設名,認定番号,種別,メールアドレス\n若葉病院,K-0900,基幹施設,wakaba@example.jp\n" \
         "青葉クリニック,R-0901,連携施設,aoba@example.jp\n"


@pytest.mark.parametrize("bom", [False, True])
def test_csv_import_creates_every_row_with_or_without_bom(app, jspm, jspm_world, bom):
    jspm.login(JIMU_LOGIN)
    assert import_csv(jspm, CSV_OK, bom=bom).status_code == 303
    created = {u.email: u.password_hash for u in rows(app, User) if u.email.endswith("ba@example.jp")}
    assert created == {"wakaba@example.jp": None, "aoba@example.jp": None}
    assert sorted(m.to_addr for m in outbox(app)) == ["aoba@example.jp", "wakaba@example.jp"]
    types = {c.certification_number: c.facility_type for c in rows(app, FacilityCertification)}
    assert types["K-0900"] == "core" and types["R-0901"] == "affiliated"


def test_csv_import_is_all_or_nothing_with_row_numbered_errors(app, jspm, jspm_world):
    jspm.login(JIMU_LOGIN)
    bad = CSV_OK + "山の上病院,K-0001,総合病院,yama@example.jp\n" + "海辺病院,K-0950,基幹施設,not-an-address\n"
    response = import_csv(jspm, bad)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "CSVに誤りがあるため、1件も登録していません。" in body
    assert "4行目: この認定番号は既に登録されています。" in body
    assert "4行目: 種別は「基幹施設」または「連携施設」を指定してください。" in body
    assert "5行目: メールアドレスの形式が正しくありません。" in body
    assert rows(app, Facility, name="若葉病院") == [] and outbox(app) == []


def test_csv_with_wrong_header_or_encoding_is_refused(app, jspm, jspm_world):
    jspm.login(JIMU_LOGIN)
    response = import_csv(jspm, "name,number,type,email\n若葉病院,K-0900,基幹施設,w@example.jp\n")
    assert response.status_code == 422 and "1行目は「施設名,認定番号,種別,メールアドレス」" in response.get_data(as_text=True)
    token = jspm.csrf("/renewal/admin/facilities")
    response = jspm.client.post("/renewal/admin/facilities/import", content_type="multipart/form-data",
                                data={"csrf_token": token,
                                      "file": (io.BytesIO(CSV_OK.encode("cp932")), "sjis.csv")})
    assert response.status_code == 422 and "UTF-8で保存してください" in response.get_data(as_text=True)
    assert outbox(app) == []


# --- who may -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path,status", [("/renewal/admin/facilities", 403),  # a row: 404 (roles_required)
                                         ("/renewal/admin/applications/1/certification-start", 404)])
def test_facility_accounts_are_refused(jspm, jspm_world, path, status):
    jspm.login(AFFILIATED_LOGIN)
    assert jspm.get(path).status_code == status


def test_facility_account_cannot_post_the_admin_actions(app, jspm, jspm_world, add_rows):
    app_id = passed_application(add_rows, jspm_world)
    jspm.login(CORE_LOGIN)
    assert set_start(jspm, app_id, START.isoformat(), csrf_from="/").status_code == 404
    assert create(jspm, csrf_from="/").status_code == 403
    assert rows(app, FacilityAffiliation) == [] and rows(app, Facility, name="新緑ホスピス") == []


def test_society_without_renewal_answers_404(world, jsicm):
    jsicm.login("jsicm-jimu")
    assert jsicm.get("/renewal/admin/facilities").status_code == 404
