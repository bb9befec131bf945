"""JMSB registration: the registration form as the browser posts it, and the 医師免許証
upload."""
from __future__ import annotations

import io

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


def upload_license(client, data: bytes, name: str = "医師免許証.pdf", provisional: bool = False,
                   **kw):
    token = client.csrf("/license")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    if provisional:
        form["provisional"] = "y"
    return client.client.post("/license", data=form, content_type="multipart/form-data", **kw)
