"""医師免許証 (B-R04, B-R06, SECURITY.md 6-11): the same byte checks as the credential upload,
refused from 10 MB up, a provisional image replaced later, nothing kept on a refusal, and
downloads for the owner and the secretariat only."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from portal.accounts import licences
from portal.accounts.licences import MedicalLicense
from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.blueprints.registration.services import registrant as services
from portal.extensions import db
from portal.storage import StoredFile
from portal.tenants.scoping import system_scope, tenant_scope
from tests.factories.helpers.files import Chunks, MiB, pdf_bytes, png_bytes
from tests.factories.helpers.registration import EMAIL, upload_license
from tests.factories.helpers.rows import outbox

TOO_LARGE = "ファイルサイズが上限を超えています。10MB未満のファイルを選択してください。"
LOCKED = "医師免許証は提出済みのため、差し替えはできません。"


def _files(root) -> set:
    return {p for p in root.rglob("*") if p.is_file()}


def _stored(app) -> int:
    with app.app_context(), system_scope(db.session):
        return db.session.scalar(select(func.count()).select_from(StoredFile))


def _licenses(app, tenant_id: int) -> list[tuple]:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        rows = db.session.scalars(select(MedicalLicense).order_by(MedicalLicense.id))
        return [(r.status, r.is_provisional, r.file.original_filename, r.file.state, r.supersedes_id)
                for r in rows]


@pytest.fixture
def nothing_kept(app, registered, files_dir):
    before = (_files(files_dir), _stored(app), len(outbox(app)))

    def check() -> None:
        assert (_files(files_dir), _stored(app), len(outbox(app))) == before
    return check


def test_page_without_a_licence_offers_the_upload(registered):
    page = registered.text("/license")
    assert "未提出" in page and 'accept=".pdf,.png,.jpg,.jpeg"' in page
    assert "10MB未満のpdf/ png/ jpg/ jpegファイルをアップロードできます。" in page
    assert "医師免許証が未着のため、資格の確認ができる画像で仮登録する" in page
    assert "やむを得ない場合は、ひとまずは資格の確認ができる画像でご登録ください。" in page
    assert " disabled" not in page.split('id="license-form"', 1)[1].split("</form>")[0]


def test_only_a_trainee_has_the_page(jmsb):
    jmsb.login("jmsb-jimu@example.jp")
    assert jmsb.get("/license").status_code == 403


def test_exactly_10_mib_is_refused_with_413(registered, nothing_kept):
    response = upload_license(registered, pdf_bytes(pad_to=10 * MiB))
    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)
    nothing_kept()


def test_10_mib_minus_one_byte_is_accepted(app, world, registered, files_dir):
    response = upload_license(registered, pdf_bytes(pad_to=10 * MiB - 1))
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    [(status, provisional, name, state, supersedes)] = _licenses(app, world.jmsb.tenant_id)
    assert (status, provisional, name, state, supersedes) == ("submitted", False, "医師免許証.pdf",
                                                             "committed", None)
    page = registered.text("/license")
    assert "医師免許証をアップロードしました。" in page and "提出済" in page


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("免許証.png", _zip(), "ファイルの内容が拡張子と一致しません。"),
    ("免許証.gif", b"GIF89a", "PDF、PNG、JPEG 形式のファイルを選択してください。"),
    ("免許証.pdf", b"", "空のファイルはアップロードできません。"),
    ("", b"", "ファイルを選択してください。"),
])
def test_wrong_type_is_refused_and_nothing_is_kept(registered, nothing_kept, name, data, message):
    response = upload_license(registered, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    nothing_kept()


def test_a_provisional_image_is_replaced_later(app, world, registered):
    assert upload_license(registered, png_bytes(), "資格確認書.png", provisional=True).status_code == 303
    assert "仮登録（資格確認画像）" in registered.text("/license")
    assert upload_license(registered, pdf_bytes(), "医師免許証.pdf").status_code == 303
    first, second = _licenses(app, world.jmsb.tenant_id)
    assert first[:4] == ("provisional", True, "資格確認書.png", "superseded")
    assert second[:4] == ("submitted", False, "医師免許証.pdf", "committed")
    with app.app_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        old_id = db.session.scalar(select(func.min(MedicalLicense.id)))
        assert second[4] == old_id
        events = [(e.action, e.from_state, e.to_state) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "medical_licenses")
            .order_by(AuditEvent.id))]
    assert events == [("license_uploaded", "not_submitted", "provisional"),
                      ("license_replaced", "provisional", "submitted")]
    page = registered.text("/license")
    assert "これまでの画像" in page and "資格確認書.png" in page


def test_a_submitted_licence_cannot_be_replaced_and_the_page_says_why(app, world, registered,
                                                                      files_dir):
    assert upload_license(registered, pdf_bytes(), "医師免許証.pdf").status_code == 303
    page = registered.text("/license")
    form = page.split('id="license-form"', 1)[1].split("</form>")[0]
    assert LOCKED in form and " disabled aria-describedby=\"license-blocked\"" in form
    before = (_files(files_dir), _stored(app))
    response = upload_license(registered, png_bytes(), "別の画像.png")
    assert response.status_code == 409 and LOCKED in response.get_data(as_text=True)
    assert (_files(files_dir), _stored(app)) == before
    assert len(_licenses(app, world.jmsb.tenant_id)) == 1


def test_services_current_and_has_license(app, world, registered):
    with app.test_request_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        assert licences.current_license(user) is None and not licences.has_license(user)
    upload_license(registered, png_bytes(), "仮.png", provisional=True)
    upload_license(registered, pdf_bytes(), "本.pdf")
    with app.test_request_context(), tenant_scope(db.session, world.jmsb.tenant_id):
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        current = licences.current_license(user)
        assert licences.has_license(user) and current.file.original_filename == "本.pdf"
        assert services.upload_block_reason(current) == services.LICENSE_LOCKED


def _license_id(app, tenant_id: int) -> int:
    with app.app_context(), tenant_scope(db.session, tenant_id):
        return db.session.scalar(select(func.max(MedicalLicense.id)))


def test_download_for_the_owner_and_the_secretariat_only(app, world, registered, client_for):
    upload_license(registered, pdf_bytes(), "医師免許証.pdf")
    url = f"/license/files/{_license_id(app, world.jmsb.tenant_id)}"
    own = registered.get(url)
    assert own.status_code == 200 and own.data.startswith(b"%PDF-")
    assert own.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%8C%BB%E5%B8%AB" in own.headers["Content-Disposition"]
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert own.headers["Content-Security-Policy"] == "sandbox"
    for login, code in (("jmsb-jimu@example.jp", 200), ("trainee@jmsb.example.jp", 404),
                        ("jmsb-director@example.jp", 404)):
        other = client_for("jmsb.localhost")
        other.login(login)
        assert other.get(url).status_code == code, login
    assert registered.get("/license/files/999999").status_code == 404


def _chunked_post(client, parts_of_256k: int):

    token, boundary = client.csrf("/license"), "----licence-boundary"

    def body():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
               f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
               f"filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-").encode()
        for _ in range(parts_of_256k):
            yield b"%" * (256 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    stream = Chunks(body())
    response = client.client.post("/license", headers={"Transfer-Encoding": "chunked"},
                                  environ_overrides={
                                      "wsgi.input": stream, "wsgi.input_terminated": True,
                                      "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}"})
    return response, stream.consumed


def test_chunked_upload_over_10_mib_gets_413_with_the_limit(registered, nothing_kept):
    """No Content-Length up front (SECURITY.md 8): 10.5 MiB, under the request cap."""
    response, _ = _chunked_post(registered, 42)
    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)
    nothing_kept()


def test_chunked_body_over_the_request_cap_stops_being_read(app, registered, nothing_kept):
    parts = (app.config["MAX_CONTENT_LENGTH"] + 4 * MiB) // (256 * 1024)
    response, consumed = _chunked_post(registered, parts)
    assert response.status_code == 413
    assert "ファイルサイズが上限を超えています。" in response.get_data(as_text=True)
    assert consumed < parts * 256 * 1024
    nothing_kept()
