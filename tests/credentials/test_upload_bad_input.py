"""Hostile or broken credential uploads (SECURITY.md 6-8, 10; A-R04, A-W02): a clear Japanese
error, and nothing half-written: no StoredFile row, no file (temp files included), no mail."""
from __future__ import annotations

import io
import re
import uuid
import zipfile

import pytest
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.blueprints.credentials.models import Credential
from portal.extensions import db
from portal.storage import StoredFile
from portal.tenants.scoping import system_scope, tenant_scope
from tests.factories.helpers.credentials import submit_credential as submit
from tests.factories.helpers.credentials import upload_credential as upload
from tests.factories.helpers.files import pdf_bytes, png_bytes
from tests.factories.helpers.rows import outbox

MiB = 1024 * 1024
TOO_LARGE = "ファイルサイズが上限を超えています。5MB以下のファイルを選択してください。"
MISMATCH = "ファイルの内容が拡張子と一致しません。"




def _pdf(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _files(root) -> set:
    return {p for p in root.rglob("*") if p.is_file()}


def _stored_count(app) -> int:
    with app.app_context(), system_scope(db.session):
        return db.session.scalar(select(func.count()).select_from(StoredFile))


def _credential_status(client) -> str:
    home = client.text("/")
    return re.search(r'id="credential-status">(.*?)</dd>', home, re.DOTALL).group(1)


@pytest.fixture
def trainee(jsicm):
    jsicm.login("jsicm-800014")
    return jsicm


@pytest.fixture
def nothing_kept(app, trainee, files_dir):
    """Snapshot now; the returned check proves the upload left nothing behind."""
    before_files, before_rows = _files(files_dir), _stored_count(app)

    def check() -> None:
        assert _files(files_dir) == before_files  # recursive: <tenant>/tmp included
        assert _stored_count(app) == before_rows
        assert outbox(app) == []
        assert "未申請" in _credential_status(trainee)
    return check


BAD_FILES = {
    "zip_named_png": ("証明書.png", _zip(), (MISMATCH,)),
    "html_named_png": ("証明書.png", b"<!doctype html><script>alert(1)</script>", (MISMATCH,)),
    "pdf_with_javascript": ("証明書.pdf",
                            _pdf(lambda w: w.add_open_action(JavaScript("app.alert(1);"))),
                            ("スクリプトや添付ファイルを含むPDFはアップロードできません。",)),
    "encrypted_pdf": ("証明書.pdf", _pdf(lambda w: w.encrypt("secret")),
                      ("パスワード付き（暗号化された）PDFはアップロードできません。",)),
    "pdf_header_after_byte_0": ("証明書.pdf", b"<html>\n" + pdf_bytes(),
                                (MISMATCH, "ファイルが壊れているため読み込めません。")),
    "empty_file": ("証明書.pdf", b"", ("空のファイルはアップロードできません。",)),
    "no_file_chosen": ("", b"", ("ファイルを選択してください。",)),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_and_nothing_is_kept(trainee, nothing_kept, case):
    name, data, messages = BAD_FILES[case]
    response = upload(trainee, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert any(message in page for message in messages), page[-3000:]
    nothing_kept()


def test_exactly_5_mib_is_accepted(app, trainee, files_dir):
    response = upload(trainee, pdf_bytes(pad_to=5 * MiB))
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    with app.app_context(), system_scope(db.session):
        stored = db.session.scalars(select(StoredFile)).one()
    assert stored.size_bytes == 5 * MiB
    assert (files_dir / str(stored.tenant_id) / stored.key).stat().st_size == 5 * MiB


def test_one_byte_over_5_mib_gets_413_with_the_limit_on_the_page(trainee, nothing_kept):
    response = upload(trainee, pdf_bytes(pad_to=5 * MiB + 1))
    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)
    nothing_kept()


class Chunks(io.RawIOBase):
    """A request body produced lazily, as a chunked upload arrives: no length known up front."""

    def __init__(self, parts):
        self._parts, self._buffer, self.consumed = iter(parts), b"", 0

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            self._buffer = next(self._parts, b"")
            if not self._buffer:
                return 0
        n = min(len(target), len(self._buffer))
        target[:n], self._buffer = self._buffer[:n], self._buffer[n:]
        self.consumed += n
        return n


def _multipart(token: str, boundary: str, file_bytes: int):
    def field(name: str, value: str) -> bytes:
        return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()

    yield field("csrf_token", token) + field("document_type", "specialist_certificate")
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
           f"filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    chunk = b"%" * (256 * 1024)
    for _ in range(file_bytes // len(chunk)):
        yield chunk
    yield f"\r\n--{boundary}--\r\n".encode()


def test_chunked_body_over_the_request_limit_gets_413(app, trainee, nothing_kept):
    total = app.config["MAX_CONTENT_LENGTH"] + 4 * MiB
    token, boundary = trainee.csrf("/credentials/upload"), "----portal-test-boundary"
    body = Chunks(_multipart(token, boundary, total))
    response = trainee.client.post(
        "/credentials/upload", headers={"Transfer-Encoding": "chunked"},
        environ_overrides={
            "wsgi.input": body,
            "wsgi.input_terminated": True,  # what a server that de-chunks (gunicorn) sets
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        })
    assert "CONTENT_LENGTH" not in response.request.environ
    assert response.status_code == 413
    assert "ファイルサイズが上限を超えています。" in response.get_data(as_text=True)
    assert body.consumed < total  # reading stopped at the limit; the rest was never taken in
    nothing_kept()


def test_document_type_not_allowed_for_the_program_status_is_refused(trainee, nothing_kept):
    response = upload(trainee, pdf_bytes(), doc="jmsb_completion_certificate")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(r'<fieldset class="field has-error">.*?role="alert">(.*?)</p>', page, re.DOTALL)
    assert error and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", error.group(1)), error
    nothing_kept()


def test_japanese_file_name_is_kept_for_display_and_the_path_is_a_uuid(app, world, trainee,
                                                                       files_dir):
    assert upload(trainee, pdf_bytes(), "医師免許証.pdf").status_code == 303
    assert "医師免許証.pdf" in trainee.text("/credentials/confirm")
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        stored = db.session.scalars(select(StoredFile)).one()
    assert stored.original_filename == "医師免許証.pdf"
    assert str(uuid.UUID(stored.key)) == stored.key
    assert (files_dir / str(world.jsicm.tenant_id) / stored.key).is_file()
    assert not any("医師免許証" in p.name for p in files_dir.rglob("*"))


def test_dot_dot_slash_in_the_file_name_is_dropped(app, world, trainee, files_dir):
    before = _files(files_dir)
    assert upload(trainee, png_bytes(), "../../../../tmp/免許証.png").status_code == 303
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        stored = db.session.scalars(select(StoredFile)).one()
    assert stored.original_filename == "免許証.png"
    new = _files(files_dir) - before
    assert new == {files_dir / str(world.jsicm.tenant_id) / stored.key}
    assert "免許証.png" in trainee.text("/credentials/confirm")


def test_reupload_before_approval_replaces_the_pending_file(app, world, trainee):
    upload(trainee, pdf_bytes(), "古い証票.pdf")
    assert submit(trainee).status_code == 303
    assert upload(trainee, png_bytes(), "新しい証票.png").status_code == 303
    assert submit(trainee).status_code == 303
    with app.app_context(), tenant_scope(db.session, world.jsicm.tenant_id):
        credential = db.session.scalars(select(Credential)).one()
        files = {f.original_filename: f.state for f in db.session.scalars(select(StoredFile))}
        events = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert credential.status == "pending_review"
        assert credential.file.original_filename == "新しい証票.png"
    assert files == {"古い証票.pdf": "superseded", "新しい証票.png": "committed"}
    assert events == ["credential_submitted", "credential_file_replaced"]
    assert "審査待ち" in _credential_status(trainee)
