"""Issue 13 item 10: a draft (a file chosen but never submitted) belongs to its owner alone.
Everyone else, whatever the role, is told it does not exist (404), as for another tenant's id."""
from __future__ import annotations

from sqlalchemy import select

from portal.blueprints.renewal.models import RenewalApplication
from portal.storage import StoredFile
from tests.factories.helpers.credentials import submit_credential, upload_credential
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.renewal import CORE_LOGIN, JIMU_LOGIN, upload_scan
from tests.factories.helpers.rows import read


def _staged_id(app, tenant_id: int) -> int:
    files = read(app, tenant_id, select(StoredFile).where(StoredFile.state == "staged"))
    assert len(files) == 1
    return files[0].id


def _others(client_for, slug: str) -> dict:
    """A logged-in client per role that is not the draft's owner."""
    clients = {}
    for login in (f"{slug}-director", f"{slug}-director-b", f"{slug}-jimu"):
        client = client_for(f"{slug}.localhost")
        client.login(login)
        clients[login] = client
    return clients


def test_a_staged_credential_file_is_its_owners_alone(app, jsicm, client_for, world):
    jsicm.login("jsicm-800014")
    assert upload_credential(jsicm, pdf_bytes()).status_code == 303
    file_id = _staged_id(app, world.jsicm.tenant_id)
    assert jsicm.get(f"/files/{file_id}").status_code == 200
    others = _others(client_for, "jsicm")
    for login, client in others.items():
        assert client.get(f"/files/{file_id}").status_code == 404, login

    # Once submitted it is the reviewers' to read: the facility's director and the secretariat.
    assert submit_credential(jsicm).status_code == 303
    assert others["jsicm-director"].get(f"/files/{file_id}").status_code == 200
    assert others["jsicm-jimu"].get(f"/files/{file_id}").status_code == 200
    assert others["jsicm-director-b"].get(f"/files/{file_id}").status_code == 404


def test_another_trainee_cannot_read_a_staged_file(app, jsicm, client_for, world, factories):
    factories.user(world.jsicm.tenant_id, "jsicm-800015", "trainee", full_name="専攻医 テスト2")
    jsicm.login("jsicm-800014")
    assert upload_credential(jsicm, pdf_bytes()).status_code == 303
    file_id = _staged_id(app, world.jsicm.tenant_id)
    other = client_for("jsicm.localhost")
    other.login("jsicm-800015")
    assert other.get(f"/files/{file_id}").status_code == 404


def test_the_secretariat_sees_no_renewal_scan_before_the_first_submission(app, jspm, client_for,
                                                                          jspm_world):
    jspm.login(CORE_LOGIN)
    assert upload_scan(jspm, pdf_bytes()).status_code == 303
    [application] = read(app, jspm_world.tenant_id, select(RenewalApplication))
    assert application.submitted_at is None
    jimu = client_for("jspm.localhost")
    jimu.login(JIMU_LOGIN)
    assert jimu.get(f"/renewal/review/{application.id}/scan").status_code == 404
