"""JSICM credentials: the 証票アップロード form posted as the browser would."""
from __future__ import annotations

import io


def upload_credential(client, data: bytes, name: str = "医師免許証.pdf",
                      doc: str = "specialist_certificate", extra: dict | None = None, **kw):
    """POST the 証票アップロード form (次へ) with the page's CSRF token; `extra` adds or
    replaces form fields."""
    token = client.csrf("/credentials/upload")
    form = {"csrf_token": token, "document_type": doc, "file": (io.BytesIO(data), name)}
    form.update(extra or {})
    return client.client.post("/credentials/upload", data=form,
                              content_type="multipart/form-data", **kw)


def submit_credential(client, extra: dict | None = None):
    """申請 on the confirmation page."""
    return client.post("/credentials/submit", dict(extra or {}), csrf_from="/credentials/confirm")
