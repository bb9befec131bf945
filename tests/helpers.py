"""Small builders for test files and for reading the outbox."""
from __future__ import annotations

import io

from pypdf import PdfWriter
from sqlalchemy import event, select

from portal.extensions import db
from portal.mail import OutboxMail
from portal.tenants.scoping import system_scope


def pdf_bytes(pad_to: int | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    if pad_to is not None:
        # Padding after %%EOF keeps the PDF valid and makes the size exact.
        assert pad_to >= len(data)
        data += b"\n" + b"%" * (pad_to - len(data) - 1)
    return data


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def outbox(app, **filters) -> list[OutboxMail]:
    with app.app_context(), system_scope(db.session):
        stmt = select(OutboxMail).order_by(OutboxMail.id)
        for key, value in filters.items():
            stmt = stmt.where(getattr(OutboxMail, key) == value)
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return rows


def upload_credential(client, data: bytes, name: str = "医師免許証.pdf",
                      doc: str = "specialist_certificate", **kw):
    """POST the 証票アップロード form (次へ) as the browser would, with the page's CSRF token."""
    token = client.csrf("/credentials/upload")
    return client.client.post("/credentials/upload", data={
        "csrf_token": token, "document_type": doc, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", **kw)


def submit_credential(client):
    return client.post("/credentials/submit", {}, csrf_from="/credentials/confirm")


def sql_sent(app, request) -> list[str]:
    """The statements `request()` sends to the database, as text."""
    seen: list[str] = []

    def keep(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return seen
