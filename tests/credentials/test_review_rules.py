"""Who may review a credential and how (A-W02, SECURITY.md 22, 24): facility scope, return with
a reason, one transition under concurrent approvals, access lost with the facility."""
from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import func, select, update

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.blueprints.credentials.models import Credential, Enrollment
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.rows import outbox, sql_sent

ALREADY_DONE = "この証票は既に他の方が処理済みです。"
NEED_REASON = "差戻しの理由を入力してください。"
TRAINEE_EMAIL = "trainee@jsicm.example.jp"


def upload_and_submit(client, name: str = "専門医認定証.pdf"):
    token = client.csrf("/credentials/upload")
    response = client.client.post("/credentials/upload", data={
        "csrf_token": token, "document_type": "specialist_certificate",
        "file": (io.BytesIO(pdf_bytes()), name)}, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    assert client.post("/credentials/submit", {}, csrf_from="/credentials/confirm").status_code == 303


def htmx_post(client, path: str, data: dict | None = None, token: str | None = None):
    token = token or client.csrf("/review/credentials")
    return client.client.post(path, data={"csrf_token": token, **(data or {})},
                              headers={"HX-Request": "true", "X-CSRFToken": token})


def db_rows(app, tenant_id: int, model, *where):
    with app.app_context(), tenant_scope(db.session, tenant_id):
        rows = db.session.scalars(select(model).where(*where).order_by(model.id)).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def submitted(app, world, jsicm):
    """The jsicm trainee has submitted a credential; returns it (detached)."""
    jsicm.login("jsicm-800014")
    upload_and_submit(jsicm)
    return db_rows(app, world.jsicm.tenant_id, Credential)[-1]


@pytest.fixture
def login_as(client_for):
    def make(login_id: str):
        client = client_for("jsicm.localhost")
        client.login(login_id)
        return client
    return make


def test_director_of_another_facility_gets_404(submitted, login_as):
    other = login_as("jsicm-director-b")
    assert other.get(f"/review/credentials/{submitted.id}").status_code == 404
    assert other.get(f"/files/{submitted.file_id}").status_code == 404
    assert htmx_post(other, f"/review/credentials/{submitted.id}/approve").status_code == 404
    assert "専攻医 テスト1" not in other.text("/review/credentials")


def test_trainee_cannot_reach_the_review_queue(submitted, jsicm):
    assert jsicm.get("/review/credentials").status_code == 403
    # A route naming a row answers 404 to a role that may not see it (as for a foreign id).
    assert jsicm.get(f"/review/credentials/{submitted.id}").status_code == 404
    assert htmx_post(jsicm, f"/review/credentials/{submitted.id}/approve",
                     token=jsicm.csrf("/")).status_code == 404


def test_secretariat_can_approve(app, world, submitted, login_as):
    jimu = login_as("jsicm-jimu")
    path = f"/review/credentials/{submitted.id}"
    assert jimu.post(f"{path}/approve", {}, csrf_from=path).status_code == 303
    assert "承認しました。" in jimu.text("/review/credentials")
    [credential] = db_rows(app, world.jsicm.tenant_id, Credential)
    assert credential.status == "approved" and credential.reviewed_by_id == world.jsicm.secretariat
    [event] = db_rows(app, world.jsicm.tenant_id, AuditEvent, AuditEvent.action == "credential_approved")
    assert (event.actor_id, event.actor_role) == (world.jsicm.secretariat, "secretariat")


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_return_without_a_reason_is_refused(app, world, submitted, login_as, reason):
    director = login_as("jsicm-director")
    response = htmx_post(director, f"/review/credentials/{submitted.id}/return", {"reason": reason})
    assert response.status_code == 400
    assert NEED_REASON in response.get_data(as_text=True)
    assert db_rows(app, world.jsicm.tenant_id, Credential)[0].status == "pending_review"
    assert outbox(app, template="credential_returned") == []


def test_returned_credential_reopens_the_task_and_tells_the_trainee(app, world, submitted, jsicm,
                                                                   login_as):
    director = login_as("jsicm-director")
    path = f"/review/credentials/{submitted.id}"
    reason = "画像が不鮮明で文字が読めません。"
    assert director.post(f"{path}/return", {"reason": reason}, csrf_from=path).status_code == 303

    home = jsicm.text("/")
    assert "差戻し" in home and reason in home
    assert "タスク (未処理件数 1 件)" in home and "証票をアップロードしてください。" in home
    [mail] = outbox(app, template="credential_returned")
    assert mail.to_addr == TRAINEE_EMAIL and reason in mail.body

    upload_and_submit(jsicm, "再提出.pdf")
    old, new = db_rows(app, world.jsicm.tenant_id, Credential)
    assert (old.status, new.status) == ("returned", "pending_review")
    assert new.supersedes_id == old.id
    assert "審査待ち" in jsicm.text("/")


def test_every_review_step_is_audited_with_actor_and_role(app, world, submitted, jsicm, login_as):
    director = login_as("jsicm-director")
    path = f"/review/credentials/{submitted.id}"
    director.post(f"{path}/return", {"reason": "再提出してください。"}, csrf_from=path)
    upload_and_submit(jsicm)
    second = db_rows(app, world.jsicm.tenant_id, Credential)[-1]
    htmx_post(director, f"/review/credentials/{second.id}/approve")
    trail = [(e.action, e.actor_id, e.actor_role, e.from_state, e.to_state)
             for e in db_rows(app, world.jsicm.tenant_id, AuditEvent,
                              AuditEvent.entity_type == "credentials")]
    t, d = world.jsicm.trainee, world.jsicm.director
    assert trail == [
        ("credential_submitted", t, "trainee", "not_submitted", "pending_review"),
        ("credential_returned", d, "program_director", "pending_review", "returned"),
        ("credential_submitted", t, "trainee", "returned", "pending_review"),
        ("credential_approved", d, "program_director", "pending_review", "approved"),
    ]


@pytest.mark.committed  # two requests in parallel threads, each on a connection of its own
def test_two_reviewers_approving_at_once_make_one_transition(app, world, submitted, login_as):
    """The named director and the secretariat (I-16: both may decide) press 承認 together."""
    clients = [login_as("jsicm-director"), login_as("jsicm-jimu")]
    tokens = [c.csrf("/review/credentials") for c in clients]
    barrier, results = threading.Barrier(2), [None, None]

    def approve(i: int) -> None:
        barrier.wait(timeout=30)
        results[i] = htmx_post(clients[i], f"/review/credentials/{submitted.id}/approve",
                               token=tokens[i])

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.status_code for r in results) == [200, 409]
    loser = next(r for r in results if r.status_code == 409)
    assert ALREADY_DONE in loser.get_data(as_text=True)

    tid = world.jsicm.tenant_id
    assert db_rows(app, tid, Credential)[0].status == "approved"
    assert len(db_rows(app, tid, AuditEvent, AuditEvent.action == "credential_approved")) == 1
    assert len(db_rows(app, tid, Enrollment)) == 1
    assert len(outbox(app, template="credential_approved")) == 1


def test_second_approval_without_htmx_gets_a_flash(app, world, submitted, login_as):
    director = login_as("jsicm-director")
    path = f"/review/credentials/{submitted.id}"
    token = director.csrf(path)
    assert director.post(f"{path}/approve", {"csrf_token": token}).status_code == 303
    again = director.client.post(f"{path}/approve", data={"csrf_token": token},
                                 follow_redirects=True)
    assert ALREADY_DONE in again.get_data(as_text=True)
    assert len(outbox(app, template="credential_approved")) == 1


def test_director_removed_from_the_facility_loses_access_at_once(app, world, submitted, login_as):
    director = login_as("jsicm-director")
    assert "専攻医 テスト1" in director.text("/review/credentials")
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        db.session.execute(update(User).where(User.id == world.jsicm.director).values(facility_id=None))
        db.session.commit()
    queue = director.text("/review/credentials")
    assert "審査待ちの証票はありません。" in queue and "専攻医 テスト1" not in queue
    assert director.get(f"/review/credentials/{submitted.id}").status_code == 404
    assert director.get(f"/files/{submitted.file_id}").status_code == 404
    assert htmx_post(director, f"/review/credentials/{submitted.id}/approve").status_code == 404
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0


def test_queue_page_size_and_status_are_written_into_the_sql(app, submitted, login_as):
    """Bound, they made PostgreSQL plan the queue afresh on every view (portal.db.inline)."""
    jimu = login_as("jsicm-jimu")
    sent = sql_sent(app, lambda: jimu.get("/review/credentials?after=0"))
    queue = [s for s in sent if "FROM credentials" in s and "ORDER BY credentials.id" in s]
    # 51: a page of 50 and the row that says whether a next page exists (portal.paging)
    assert queue and "LIMIT 51" in queue[0] and "'pending_review'" in queue[0], sent
