"""I-16 (issue 15 item 3): only the program director named in the trainee's 研修開始申請 reviews
the credential, not another director of the same facility; the secretariat may decide in the
director's place, and the audit trail says it did."""
from __future__ import annotations

from sqlalchemy import select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.tenants.scoping import system_scope
from tests.factories.helpers.credentials import submit_credential as submit
from tests.factories.helpers.credentials import upload_credential as upload
from tests.factories.helpers.files import pdf_bytes


def _submitted(jsicm) -> None:
    jsicm.login("jsicm-800014")
    assert upload(jsicm, pdf_bytes()).status_code == 303 and submit(jsicm).status_code == 303


def _credential_id(client) -> int:
    queue = client.text("/review/credentials")
    return int(queue.split('id="credential-')[1].split('"')[0])


def test_another_director_of_the_same_facility_cannot_review(app, factories, world, jsicm,
                                                              client_for):
    factories.user(world.jsicm.tenant_id, "jsicm-director-c", "program_director",
                   full_name="統括 三郎", facility_id=world.jsicm.facility)
    _submitted(jsicm)
    named = client_for("jsicm.localhost")
    named.login("jsicm-director")
    credential_id = _credential_id(named)
    other = client_for("jsicm.localhost")
    other.login("jsicm-director-c")
    assert 'id="credential-' not in other.text("/review/credentials")
    assert other.get(f"/review/credentials/{credential_id}").status_code == 404
    refused = other.post(f"/review/credentials/{credential_id}/approve", {},
                         csrf_from="/review/credentials")
    assert refused.status_code == 404
    assert named.post(f"/review/credentials/{credential_id}/approve", {},
                      csrf_from="/review/credentials").status_code in (200, 303)


def test_the_secretariat_override_is_audited_as_such(app, world, jsicm, client_for):
    _submitted(jsicm)
    jimu = client_for("jsicm.localhost")
    jimu.login("jsicm-jimu")
    credential_id = _credential_id(jimu)
    assert jimu.post(f"/review/credentials/{credential_id}/approve", {},
                     csrf_from="/review/credentials").status_code in (200, 303)
    with app.app_context(), system_scope(db.session):
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "credential_approved"))
    assert event.reason == "事務局による代行（統括責任者: 統括 太郎）"
    assert event.actor_role == "secretariat"
