"""A worker keeps one SMTP connection for its mails (portal.mail._KeptConnection): mails go
over it one after another, a connection the server closed is replaced and the mail still
goes (at least once), and a refused mail leaves the row for the sweeper without spoiling
the next one. Jobs run here in the test's main thread, as an rq worker runs them."""
from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from portal import mail
from portal.extensions import db
from portal.mail import OutboxMail, send_outbox_job
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.rows import outbox
from tests.factories.helpers.services import free_port

pytestmark = pytest.mark.integration


class Sink:
    """An SMTP server that can be stopped and started again on the same port."""

    def __init__(self):
        self.port, self.peers, self.refuse, self.controller = free_port(), [], set(), None
        self.url = f"smtp://127.0.0.1:{self.port}"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.peers.append((session.peer, envelope.rcpt_tos[0]))
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def sink():
    server = Sink()
    server.start()
    yield server
    mail._KeptConnection.close()
    server.stop()


@pytest.fixture
def worker_app(make_live_app, redis_url, sink):
    return make_live_app(redis_url, MAIL_URL=sink.url)


def queued(app, tenant_id: int, *addresses: str) -> list[int]:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        rows = [OutboxMail(tenant_id=tenant_id, template="test", to_addr=a, from_name="学会",
                           subject="件名", body="本文\n") for a in addresses]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def send(app, tenant_id: int, outbox_id: int) -> str:
    with app.app_context():
        return send_outbox_job(outbox_id, tenant_id)


def test_mails_go_one_after_another_over_one_connection(worker_app, sink, world):
    tid = world.jsicm.tenant_id
    ids = queued(worker_app, tid, "a@example.jp", "b@example.jp", "c@example.jp")
    assert [send(worker_app, tid, i) for i in ids] == ["sent"] * 3
    assert [to for _, to in sink.peers] == ["a@example.jp", "b@example.jp", "c@example.jp"]
    assert len({peer for peer, _ in sink.peers}) == 1  # one client port: one connection
    rows = outbox(worker_app)
    assert {(r.status, r.transport, r.attempts) for r in rows} == {("sent", "smtp", 1)}
    assert send(worker_app, tid, ids[0]) == "skipped"  # a second run of a job sends nothing
    assert len(sink.peers) == 3


def test_a_connection_the_server_closed_is_replaced_and_the_mail_still_goes(worker_app, sink,
                                                                              world):
    tid = world.jsicm.tenant_id
    first, second = queued(worker_app, tid, "a@example.jp", "b@example.jp")
    assert send(worker_app, tid, first) == "sent"
    sink.stop()  # a restart (or an idle timeout) closes the kept connection
    sink.start()
    assert send(worker_app, tid, second) == "sent"
    assert [to for _, to in sink.peers] == ["a@example.jp", "b@example.jp"]
    assert len({peer for peer, _ in sink.peers}) == 2
    (row,) = outbox(worker_app, id=second)
    assert (row.status, row.attempts) == ("sent", 1)


def test_a_refused_mail_is_left_for_the_sweeper_and_the_next_one_goes(worker_app, sink, world):
    tid = world.jsicm.tenant_id
    sink.refuse.add("gone@example.jp")
    refused, fine = queued(worker_app, tid, "gone@example.jp", "b@example.jp")
    with pytest.raises(Exception, match="no such user"):
        send(worker_app, tid, refused)
    (row,) = outbox(worker_app, id=refused)
    assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)
    assert "SMTPRecipientsRefused" in row.last_error
    assert send(worker_app, tid, fine) == "sent"
    assert [to for _, to in sink.peers] == ["b@example.jp"]
