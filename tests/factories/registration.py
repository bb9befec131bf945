"""JMSB registration: `registrant(client)` registers a doctor through the pages and sets the
password through the mailed link, `setup_path(to)` is that link, and `registered` is the jmsb
client logged in as such a registrant."""
from __future__ import annotations

import re

import pytest

from tests.factories.helpers.registration import EMAIL, PASSWORD, post_register
from tests.factories.helpers.rows import outbox


@pytest.fixture
def setup_path(app):
    """setup_path(to=EMAIL) -> the path of the newest password set-up link mailed to `to`."""

    def path(to: str = EMAIL) -> str:
        mail = outbox(app, template="registration_login_url", to_addr=to)[-1]
        link = re.search(r"https?://\S+/register/setup/\S+", mail.body).group(0)
        assert link.startswith("http://jmsb.localhost:5000/register/setup/")
        return link.split(":5000", 1)[1]

    return path


@pytest.fixture
def registrant(setup_path):
    """registrant(client, **form overrides) -> the set-up path used; the client is logged in."""

    def register(client, **overrides) -> str:
        assert post_register(client, **overrides).status_code == 303
        path = setup_path(overrides.get("email", EMAIL))
        response = client.post(path, {"password": PASSWORD, "password_confirm": PASSWORD},
                               csrf_from=path)
        assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
        return path

    return register


@pytest.fixture
def registered(jmsb, registrant):
    """A new registrant with a password, logged in on the jmsb client."""
    registrant(jmsb)
    return jmsb
