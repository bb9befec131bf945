"""Account lifecycle (issue 17 item 7): registrations that never applied are archived at the end
of the recruitment year so the doctor can register again (B-R05, Q26), which the secretariat can
undo; the login page links the inquiry and ID inquiry forms from rules.toml (B-R02, B-R11, B-R16)."""
from __future__ import annotations

from portal.accounts.models import User
from tests.factories.helpers.recruitment import START_FY
from tests.factories.helpers.registration import DUPLICATE, NUMBER, post_register
from tests.factories.helpers.rows import audit_actions, get


def run(app, today: str) -> str:
    result = app.test_cli_runner().invoke(args=["registration-archive", "--today", today])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_never_applied_registrations_are_archived_at_the_end_of_the_year_once(
        app, client_for, rec, applicants, applications):
    applied = applicants(rec.tenant_id, 1)[0]
    applications(rec, [applied], status="rejected", closed_at=rec.now)
    newcomer = client_for("jmsb.localhost")
    assert DUPLICATE in post_register(newcomer, email="again@example.jp", email_confirmation="again@example.jp").get_data(as_text=True)

    assert run(app, f"{START_FY - 1}-12-01") == "archived 0 registration(s)"  # year not over
    assert run(app, f"{START_FY}-04-01") == "archived 1 registration(s)"
    assert run(app, f"{START_FY}-04-02") == "archived 0 registration(s)"

    hanako = get(app, rec.tenant_id, User, rec.applicant)
    assert not hanako.active and hanako.medical_registration_number is None
    assert get(app, rec.tenant_id, User, applied).active  # applied once: kept
    assert get(app, rec.tenant_id, User, rec.society.trainee).active  # a trainee in training
    assert "registration_archived" in audit_actions(app, rec.tenant_id, "users")
    # B-R05: the same doctor registers again as a new user
    assert post_register(newcomer, email="again@example.jp", email_confirmation="again@example.jp").status_code == 303


def test_the_secretariat_can_undo_an_archive(app, jimu, rec):
    run(app, f"{START_FY}-04-01")
    page = f"/admin/registrants/{rec.applicant}"
    assert "アーカイブ済み" in jimu.text(page)
    assert jimu.post(f"{page}/restore", {}, csrf_from=page).status_code == 303
    hanako = get(app, rec.tenant_id, User, rec.applicant)
    assert hanako.active and hanako.medical_registration_number == NUMBER
    assert hanako.email == "hanako@jmsb.example.jp"
    assert "registration_restored" in audit_actions(app, rec.tenant_id, "users")
    assert "アーカイブ済み" not in jimu.text(page)


def test_undo_is_refused_once_the_number_is_registered_again(app, jimu, client_for, rec):
    run(app, f"{START_FY}-04-01")
    assert post_register(client_for("jmsb.localhost"), email="again@example.jp",
                         email_confirmation="again@example.jp").status_code == 303
    page = f"/admin/registrants/{rec.applicant}"
    response = jimu.post(f"{page}/restore", {}, csrf_from=page)
    assert response.status_code == 303
    assert "新しいアカウントが登録されているため、取り消せません" in jimu.text(page)
    assert not get(app, rec.tenant_id, User, rec.applicant).active


def test_the_login_page_links_the_inquiry_forms_of_the_rules(client_for, world):
    page = client_for("jmsb.localhost").text("/login")
    assert 'href="https://jmsb.or.jp/contact_id/"' in page  # B-R16
    assert 'href="https://jmsb.or.jp/contact/"' in page  # B-R02, B-R11
    assert "「医籍登録番号」と「生年月日」" in page
    assert "ID問合せ専用フォーム" not in client_for("jsicm.localhost").text("/login")
