"""JMSB registration fixtures: the registration form as the browser posts it, the login URL
read from the outbox, and a logged-in registrant with a password."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.tenants.scoping import tenant_scope
from tests.helpers import outbox

MiB = 1024 * 1024
EMAIL = "shinki@example.jp"
NUMBER = "654321"
PASSWORD = "new-pass-word-2025"
FORM = {
    "full_name": "髙橋 﨑子", "full_name_kana": "タカハシ サキコ", "medical_registration_number": NUMBER,
    "birth_date": "1996-05-01", "email": EMAIL, "email_confirmation": EMAIL,
    "postal_code": "100-0005", "address": "東京都千代田区丸の内1-1-1", "phone": "03-1234-5678",
}
DUPLICATE = "この医籍登録番号またはメールアドレスは既に登録されています。"


def post_register(client, step: str = "register", **overrides):
    data = {**FORM, **overrides, "step": step}
    return client.post("/register", data, csrf_from="/register")


def setup_path(app, to: str = EMAIL) -> str:
    mail = outbox(app, template="registration_login_url", to_addr=to)[-1]
    link = re.search(r"https?://\S+/register/setup/\S+", mail.body).group(0)
    assert link.startswith("http://jmsb.localhost:5000/register/setup/")
    return link.split(":5000", 1)[1]


def find_user(app, tenant_id: int, **where) -> User | None:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        stmt = select(User)
        for key, value in where.items():
            stmt = stmt.where(getattr(User, key) == value)
        user = db.session.scalar(stmt)
        if user is not None:
            db.session.expunge(user)
        return user


def registrant(app, client, **overrides) -> str:
    """Register through the pages and set the password through the mailed link; logged in."""
    assert post_register(client, **overrides).status_code == 303
    path = setup_path(app, overrides.get("email", EMAIL))
    response = client.post(path, {"password": PASSWORD, "password_confirm": PASSWORD},
                           csrf_from=path)
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    return path


def upload_license(client, data: bytes, name: str = "医師免許証.pdf", provisional: bool = False,
                   **kw):
    token = client.csrf("/license")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    if provisional:
        form["provisional"] = "y"
    return client.client.post("/license", data=form, content_type="multipart/form-data", **kw)


@pytest.fixture
def registered(app, jmsb):
    """A new registrant with a password, logged in on the jmsb client."""
    registrant(app, jmsb)
    return jmsb
