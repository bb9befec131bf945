"""Redis down (issue 13 item 1): rate limits fail open, and logging in, asking for a password
reset and registering need no Redis; their mail waits in the outbox for the sweeper."""
from __future__ import annotations

import socket

import pytest

from portal.extensions import limiter
from tests.factories.helpers.clients import TenantClient
from tests.factories.helpers.registration import EMAIL, post_register
from tests.factories.helpers.rows import outbox

TRAINEE_EMAIL = "trainee@jsicm.example.jp"


def closed_port_url() -> str:
    """A Redis URL nothing listens on: a port just bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/2"


@pytest.fixture
def redis_down_app(make_live_app):
    """The limiter extension keeps its storage on itself (Flask-Limiter's design): the
    session app's is put back afterwards."""
    saved = dict(vars(limiter))
    url = closed_port_url()
    yield make_live_app(url, RATELIMIT_STORAGE_URI=url)
    vars(limiter).update(saved)


def test_login_succeeds_with_redis_down(redis_down_app, world):
    client = TenantClient(redis_down_app, "jsicm.localhost")
    client.login("jsicm-800014")
    assert client.get("/").status_code == 200


def test_failed_logins_are_still_limited_in_memory_with_redis_down(redis_down_app, world):
    client = TenantClient(redis_down_app, "jsicm.localhost")
    codes = [client.post("/login", {"identifier": "jsicm-800014", "password": "wrong"}).status_code
             for _ in range(6)]
    assert codes == [400] * 5 + [429]


def test_password_reset_succeeds_with_redis_down(redis_down_app, world):
    client = TenantClient(redis_down_app, "jsicm.localhost")
    response = client.post("/password/forgot", {"email": TRAINEE_EMAIL},
                           csrf_from="/password/forgot")
    assert response.status_code == 200
    assert "パスワード再設定用のメールを送信しました" in response.get_data(as_text=True)
    (mail,) = outbox(redis_down_app, template="password_reset")
    assert (mail.to_addr, mail.status) == (TRAINEE_EMAIL, "pending")  # the sweeper sends it


def test_registration_succeeds_with_redis_down(redis_down_app, world):
    client = TenantClient(redis_down_app, "jmsb.localhost")
    response = post_register(client)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert [m.to_addr for m in outbox(redis_down_app)] == [EMAIL]
