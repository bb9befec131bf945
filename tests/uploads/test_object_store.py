"""Issue 18 item 2: the bytes live in an object store chosen by STORAGE_URL (portal.objectstore):
the local folder by default, or an S3-compatible bucket (here moto's server on loopback).
Each test runs on both; keys always begin with the tenant's id."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal import objectstore
from portal.extensions import db
from portal.objectstore import LocalStore, S3Store
from portal.storage import StoredFile, store_upload
from portal.tenants.rules import load_all_rules
from portal.tenants.scoping import tenant_scope
from tests.factories.helpers.credentials import upload_credential
from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.objectstore import stored_keys
from tests.factories.helpers.rows import read


def test_the_store_keeps_reads_and_forgets_a_file(store_kind, tmp_path):
    before = stored_keys(store_kind, "7/")  # a committed test may have left tenant 7's files
    source = store_kind.scratch(7) / "incoming"
    source.write_bytes(b"%PDF-1.7 bytes")
    store_kind.put_file("7/one", source)
    assert not source.exists()  # taken away: nothing is left in scratch
    assert store_kind.exists("7/one") and store_kind.get_bytes("7/one") == b"%PDF-1.7 bytes"
    with store_kind.open("7/one") as stream:
        assert stream.read() == b"%PDF-1.7 bytes"
    store_kind.put_bytes("7/pdf-cache/x.pdf", b"cached")
    assert stored_keys(store_kind, "7/") - before == {"7/one", "7/pdf-cache/x.pdf"} - before
    store_kind.delete("7/one")
    assert not store_kind.exists("7/one") and store_kind.get_bytes("7/one") is None
    store_kind.delete("7/one")  # deleting twice is fine (purge runs again after a crash)


def test_an_upload_is_kept_under_its_tenant_and_downloads_with_the_same_headers(
        app, jsicm, world, store_kind):
    tid = world.jsicm.tenant_id
    before = stored_keys(store_kind, f"{tid}/")
    data = pdf_bytes(pad_to=200_000)
    jsicm.login("jsicm-800014")
    assert upload_credential(jsicm, data, name="医師免許証.pdf").status_code == 303
    [staged] = read(app, tid, select(StoredFile).where(StoredFile.state == "staged"))
    assert stored_keys(store_kind, f"{tid}/") - before == {f"{tid}/{staged.key}"}
    assert not any(store_kind.scratch(tid).iterdir())  # the checked copy went to the store
    link = jsicm.text("/credentials/confirm").split('href="/files/')[1].split('"')[0]
    response = jsicm.get(f"/files/{link}")
    assert response.status_code == 200 and response.get_data() == data
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Length"] == str(len(data))
    assert "filename*=UTF-8''%E5%8C%BB%E5%B8%AB%E5%85%8D%E8%A8%B1%E8%A8%BC.pdf" in \
        response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    other = jsicm.get(f"/files/{staged.id + 10_000}")
    assert other.status_code == 404


def test_a_rolled_back_upload_leaves_no_bytes_in_the_store(app, world, store_kind):
    slot = load_all_rules(app.config["TENANTS_DIR"])["jmsb"].upload("medical_license")
    tid = world.jsicm.tenant_id
    with app.app_context(), tenant_scope(db.session, tid):
        before = stored_keys(objectstore.store(), f"{tid}/")
        file = store_upload(FileStorage(io.BytesIO(pdf_bytes()), filename="免許.pdf"),
                            "medical_license", slot, tenant_id=tid, owner_id=None)
        assert store_kind.exists(f"{tid}/{file.key}")
        db.session.add(file)
        db.session.flush()  # as in a request: the row and the bytes go together
        db.session.rollback()
        assert stored_keys(objectstore.store(), f"{tid}/") == before


def test_a_missing_object_is_a_404_not_a_500(app, s3_store):
    with app.test_request_context():
        with pytest.raises(Exception) as caught:
            s3_store.send("1/00000000-0000-0000-0000-000000000000", "application/pdf")
    assert getattr(caught.value, "code", None) == 404


def test_s3_downloads_stream_in_small_chunks(app, s3_store):
    s3_store.put_bytes("3/big", bytes(3 * objectstore.MiB))
    with app.test_request_context():
        response = s3_store.send("3/big", "application/pdf")
        assert response.is_streamed and response.content_length == 3 * objectstore.MiB
        sizes = [len(chunk) for chunk in response.response]
        response.close()
    assert max(sizes) <= objectstore.CHUNK and sum(sizes) == 3 * objectstore.MiB


def test_storage_url_chooses_the_backend(tmp_path):
    local = objectstore.from_config({"STORAGE_DIR": tmp_path, "STORAGE_URL": None})
    assert isinstance(local, LocalStore) and local.root == tmp_path
    s3 = objectstore.from_config({"STORAGE_DIR": tmp_path, "STORAGE_URL": "s3://files/portal/",
                                  "S3_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert isinstance(s3, S3Store) and (s3.bucket, s3.prefix) == ("files", "portal")
    with pytest.raises(RuntimeError, match="s3://bucket/prefix"):
        objectstore.from_config({"STORAGE_DIR": tmp_path, "STORAGE_URL": "ftp://x"})
