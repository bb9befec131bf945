"""Mail through the outbox with real services: Redis, a real `rq worker` process and an
SMTP server (SECURITY.md 14-16). A Redis outage delays mail, never loses it; a worker
killed mid-send duplicates at most once; nothing in a subject can add a header."""
from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal import jobs
from portal.blueprints.credentials.models import Credential
from portal.db import utcnow
from portal.extensions import db
from portal.mail import OutboxMail, sweep_outbox
from portal.tenants.scoping import system_scope, tenant_scope
from tests.factories.helpers.clients import TenantClient
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.rows import outbox
from tests.factories.helpers.services import rq_queue

pytestmark = pytest.mark.integration

APPROVED_SUBJECT = "【icu_training】証票審査承認のお知らせ"
SUBMITTED_SUBJECT = "【icu_training】証票審査のお願い"
TRAINEE_MAIL = "trainee@jsicm.example.jp"
DIRECTOR_MAIL = "jsicm-director@example.jp"


def stage_upload(client: TenantClient) -> None:
    token = client.csrf("/credentials/upload")
    response = client.client.post("/credentials/upload", data={
        "csrf_token": token, "document_type": "specialist_certificate",
        "file": (io.BytesIO(pdf_bytes()), "専門医認定証.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]


def submit(client: TenantClient):
    return client.post("/credentials/submit", {}, csrf_from="/credentials/confirm")


def submit_credential(client: TenantClient) -> None:
    client.login("jsicm-800014")
    stage_upload(client)
    assert submit(client).status_code == 303


def approve(app, login_id: str = "jsicm-director"):
    """The director approves through `app`'s own test client (htmx, as the page does)."""
    director = TenantClient(app, "jsicm.localhost")
    director.login(login_id)
    queue = director.text("/review/credentials")
    credential_id = int(queue.split('id="credential-')[1].split('"')[0])
    token = director.csrf("/review/credentials")
    return director.client.post(f"/review/credentials/{credential_id}/approve",
                                data={"csrf_token": token},
                                headers={"HX-Request": "true", "X-CSRFToken": token})


def sweep(app) -> int:
    with app.app_context():
        return sweep_outbox()


def approved_and_delivered(app, jsicm, live_app, redis_url, run_worker, smtp_sink) -> OutboxMail:
    """Submitted on the session app (mail inline, no SMTP), approved on the live app."""
    submit_credential(jsicm)
    assert approve(live_app).status_code == 200
    output = run_worker(redis_url)
    assert smtp_sink.subjects() == [APPROVED_SUBJECT], output
    (row,) = outbox(app, template="credential_approved")
    return row


def mark_stale_sending(app, outbox_id: int) -> None:
    """What a worker killed after the SMTP server accepted leaves behind."""
    age = app.config["OUTBOX_STALE_SENDING_SECONDS"] + 60
    with app.app_context(), system_scope(db.session):
        db.session.execute(update(OutboxMail).where(OutboxMail.id == outbox_id).values(
            status="sending", sent_at=None, locked_at=utcnow() - timedelta(seconds=age)))
        db.session.commit()


def test_approval_mail_is_queued_on_redis_and_sent_once_by_a_real_worker(
        app, jsicm, live_app, redis_url, run_worker, smtp_sink):
    submit_credential(jsicm)
    response = approve(live_app)
    assert response.status_code == 200 and "承認しました。" in response.get_data(as_text=True)
    assert rq_queue(redis_url).count == 1
    assert smtp_sink.messages == []  # nothing is sent inside the request

    output = run_worker(redis_url)
    assert len(smtp_sink.messages) == 1, output
    message = smtp_sink.messages[0]
    assert message["Subject"] == APPROVED_SUBJECT
    assert message["To"] == TRAINEE_MAIL
    assert smtp_sink.envelopes == [[TRAINEE_MAIL]]
    assert "日本集中治療医学会" in str(message["From"])
    assert "専攻医 テスト1 様" in smtp_sink.body()
    assert "http://jsicm.localhost:5000/" in smtp_sink.body()
    (row,) = outbox(app, template="credential_approved")
    assert (row.status, row.transport, row.attempts) == ("sent", "smtp", 1)

    assert "証票審査承認" not in run_worker(redis_url)  # nothing left on the queue
    assert sweep(live_app) == 0
    run_worker(redis_url)
    assert len(smtp_sink.messages) == 1


def test_redis_down_during_submit_keeps_the_credential_and_mails_once_after(
        make_live_app, private_redis, run_worker, smtp_sink, world):
    live = make_live_app(private_redis.url, OUTBOX_SWEEP_AGE_SECONDS=0)
    trainee = TenantClient(live, "jsicm.localhost")
    trainee.login("jsicm-800014")
    stage_upload(trainee)

    private_redis.stop()
    response = submit(trainee)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/credentials/complete")
    assert "証票アップロード完了" in trainee.text("/credentials/complete")
    with live.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        statuses = db.session.scalars(select(Credential.status).where(
            Credential.trainee_id == world.jsicm.trainee)).all()
    assert statuses == ["pending_review"]
    (row,) = outbox(live, template="credential_submitted")
    assert (row.status, row.to_addr) == ("pending", DIRECTOR_MAIL)

    private_redis.start()
    assert rq_queue(private_redis.url).count == 0  # the job never reached Redis
    assert sweep(live) == 1
    output = run_worker(private_redis.url, live)
    assert smtp_sink.subjects() == [SUBMITTED_SUBJECT], output
    assert smtp_sink.messages[0]["To"] == DIRECTOR_MAIL
    assert outbox(live, template="credential_submitted")[0].status == "sent"

    assert sweep(live) == 0
    run_worker(private_redis.url, live)
    assert len(smtp_sink.messages) == 1


def test_worker_killed_after_smtp_accepted_sends_at_most_one_duplicate(
        app, jsicm, live_app, redis_url, run_worker, smtp_sink):
    row = approved_and_delivered(app, jsicm, live_app, redis_url, run_worker, smtp_sink)
    mark_stale_sending(live_app, row.id)

    assert sweep(live_app) == 1
    output = run_worker(redis_url)
    assert smtp_sink.subjects() == [APPROVED_SUBJECT] * 2, output
    first, second = smtp_sink.messages
    assert first["Message-ID"] == second["Message-ID"]  # a client can fold the duplicate
    (after,) = outbox(app, template="credential_approved")
    assert after.status == "sent" and after.sent_at is not None

    assert sweep(live_app) == 0
    run_worker(redis_url)
    assert len(smtp_sink.messages) == 2


def test_two_sweepers_at_once_enqueue_a_stale_row_once(
        app, jsicm, live_app, redis_url, run_worker, smtp_sink):
    row = approved_and_delivered(app, jsicm, live_app, redis_url, run_worker, smtp_sink)
    mark_stale_sending(live_app, row.id)
    start, results, errors = threading.Barrier(2), [], []

    def sweeper():
        try:
            with live_app.app_context():
                start.wait(timeout=10)
                results.append(sweep_outbox())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and sorted(results) == [0, 1]
    assert rq_queue(redis_url).count == 1

    output = run_worker(redis_url)
    assert smtp_sink.subjects() == [APPROVED_SUBJECT] * 2, output
    assert outbox(app, template="credential_approved")[0].status == "sent"


def test_cr_lf_in_a_subject_or_sender_name_adds_no_header_on_the_wire(
        live_app, redis_url, run_worker, smtp_sink, world):
    tenant_id = world.jsicm.tenant_id
    with live_app.app_context(), tenant_scope(db.session, tenant_id):
        row = OutboxMail(
            tenant_id=tenant_id, template="credential_approved", to_addr=TRAINEE_MAIL,
            from_name="日本集中治療医学会\r\nX-Injected: yes",
            subject="証票審査承認のお知らせ\r\nBcc: victim@evil.example\r\n\r\nforged body",
            body="本文\n")
        db.session.add(row)
        db.session.commit()
        outbox_id = row.id
        jobs.enqueue("portal.mail.send_outbox_job", outbox_id, tenant_id)

    output = run_worker(redis_url)
    for message, raw, recipients in zip(smtp_sink.messages, smtp_sink.raw, smtp_sink.envelopes, strict=True):
        assert message["Bcc"] is None and message["X-Injected"] is None, output
        assert recipients == [TRAINEE_MAIL]
        assert b"victim@evil.example" not in raw and b"forged body" not in raw
    (after,) = outbox(live_app, id=outbox_id)
    if smtp_sink.messages:
        assert after.status == "sent"
    else:  # refused before the wire; kept for the sweeper with the reason
        assert after.status == "pending" and "ValueError" in (after.last_error or ""), output
