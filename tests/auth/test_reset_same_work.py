"""A password-reset request does the same work for a registered and an unknown address
(issue 13 item 8, SECURITY.md 18): the request writes one outbox row and queues one job
either way, with the same statements, so its answer time tells nothing. Who the address
belongs to is looked up by the worker, which mails a registered user and drops the rest."""
from __future__ import annotations

import re

import pytest

from portal import jobs
from tests.factories.helpers.rows import outbox, sql_sent

TRAINEE_EMAIL = "trainee@jsicm.example.jp"
UNKNOWN_EMAIL = "nobody-at-all@example.jp"


@pytest.fixture
def queued(monkeypatch):
    """Jobs recorded instead of run: what the request itself does, without the worker."""
    calls: list[tuple] = []
    monkeypatch.setattr(jobs, "enqueue", lambda path, *args: calls.append((path, *args)))
    return calls


def _shape(statements: list[str]) -> list[str]:
    """Statements with their literals blanked: the work, not the data."""
    return [re.sub(r"'[^']*'|\d+", "?", s) for s in statements]


def _request(client, email: str):
    token = client.csrf("/password/forgot")
    return lambda: client.client.post("/password/forgot",
                                      data={"csrf_token": token, "email": email})


def test_known_and_unknown_addresses_send_the_same_statements_and_one_job(
        app, jsicm, client_for, world, queued):
    known = sql_sent(app, _request(jsicm, TRAINEE_EMAIL))
    unknown = sql_sent(app, _request(client_for("jsicm.localhost"), UNKNOWN_EMAIL))
    assert _shape(known) == _shape(unknown)
    assert any(s.lstrip().upper().startswith("INSERT INTO OUTBOX_MAILS") for s in known)
    assert not any("users" in s.lower() for s in known + unknown)  # nobody looked up here
    assert [call[0] for call in queued] == ["portal.mail.send_outbox_job"] * 2
    assert sorted(m.to_addr for m in outbox(app, template="password_reset")) == sorted(
        [TRAINEE_EMAIL, UNKNOWN_EMAIL])


def test_the_worker_mails_a_registered_user_and_drops_an_unknown_address(
        app, jsicm, client_for, world):
    for client, email in ((jsicm, TRAINEE_EMAIL), (client_for("jsicm.localhost"), UNKNOWN_EMAIL)):
        assert _request(client, email)().status_code == 200
    (mail,) = outbox(app, template="password_reset")
    assert mail.to_addr == TRAINEE_EMAIL and mail.status == "sent"
    assert "/password/reset/" in mail.body and mail.subject
