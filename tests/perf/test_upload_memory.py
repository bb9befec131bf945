"""Uploads are streamed to disk and checked in bounded memory (DESIGN.md "Performance habits").

tracemalloc sees every Python allocation, so its peak is a deterministic stand-in for the
worker's RSS growth that bench/run measures under gunicorn. Goal: at most 4 MiB for a
9.9 MB file, accepted or refused.
"""
from __future__ import annotations

import hashlib
import random
import struct
import tracemalloc
import zlib
from pathlib import Path

from werkzeug.datastructures import FileStorage

from portal import upload_checks
from portal.objectstore import S3Store
from portal.storage import store_upload
from portal.tenants.rules import load_all_rules
from portal.upload_checks import UploadRejected

MiB = 1024 * 1024
GOAL = 4 * MiB


def image_pdf(size: int) -> bytes:
    """A valid one-page PDF that is one big uncompressed image: a phone scan of a licence."""
    width = 1000
    rows = max(1, (size - 800) // (width * 3))
    pixels = random.Random(7).randbytes(width * rows * 3).replace(b"/", b"0")
    return _pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
           b"/Resources << /XObject << /Im0 4 0 R >> >> >>",
        4: b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
           b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (width, rows, len(pixels))
           + pixels + b"\nendstream",
    })


def _pdf(objects: dict[int, bytes], packed: dict[int, tuple[int, int]] | None = None) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    where = {}
    for number, body in objects.items():
        where[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    size = max([*objects, *(packed or {})]) + 2
    xref_number, xref_at = size - 1, len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, size):
        if number in (packed or {}):
            rows.append(struct.pack(">BIH", 2, *packed[number]))
        else:
            rows.append(struct.pack(">BIH", 1, xref_at if number == xref_number
                                    else where.get(number, 0), 0))
    table = b"".join(rows)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
            % (xref_number, size, len(table)) + table + b"\nendstream\nendobj\n")
    return bytes(out + b"startxref\n%d\n%%%%EOF\n" % xref_at)


def peak_while(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_9_9_mb_licence_pdf_is_stored_and_checked_within_4_mib(app, tmp_path: Path, store_kind):
    """On disk and in S3 (multipart, parts read from the checked file as they are sent)."""
    slot = load_all_rules(app.config["TENANTS_DIR"])["jmsb"].upload("medical_license")
    source = tmp_path / "licence.pdf"
    source.write_bytes(image_pdf(int(9.9 * MiB)))
    stored = []

    def upload() -> None:
        with app.app_context(), source.open("rb") as stream:
            stored.append(store_upload(FileStorage(stream, filename="医師免許証.pdf"),
                                       "medical_license", slot, tenant_id=1, owner_id=1))

    store_kind.exists("1/warm")  # a process makes its S3 client (models: ~10 MiB) once
    peak = peak_while(upload)
    assert stored[0].size_bytes == source.stat().st_size > 9.8 * MiB
    assert stored[0].sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert peak <= GOAL, f"peak {peak / MiB:.1f} MiB"
    if isinstance(store_kind, S3Store):  # two 5 MiB parts: the ETag of a multipart upload
        head = store_kind.client.head_object(Bucket=store_kind.bucket,
                                             Key=f"{store_kind.prefix}/1/{stored[0].key}")
        assert head["ETag"].endswith('-2"') and head["ContentLength"] == stored[0].size_bytes


def test_a_9_9_mb_upload_over_the_limit_is_refused_within_4_mib(jsicm, tmp_path: Path):
    source = tmp_path / "big.pdf"
    source.write_bytes(image_pdf(int(9.9 * MiB)))
    jsicm.login("jsicm-800014")
    token = jsicm.csrf("/credentials/upload")
    answers = []

    def upload() -> None:
        with source.open("rb") as stream:
            answers.append(jsicm.client.post("/credentials/upload", data={
                "csrf_token": token, "document_type": "specialist_certificate",
                "file": (stream, "医師免許証.pdf")}, content_type="multipart/form-data"))

    peak = peak_while(upload)
    assert answers[0].status_code == 413
    assert "5MB以下のファイルを選択してください。" in answers[0].get_data(as_text=True)
    assert peak <= GOAL, f"peak {peak / MiB:.1f} MiB"


def test_the_pdf_check_skips_big_image_data_but_reads_big_object_streams(tmp_path: Path):
    """The walk steps over big stream data to save memory, but never over an object stream:
    a /JavaScript action hidden compressed in one must still be found."""
    action = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    padding = b"<" + random.Random(3).randbytes(200_000).hex().encode() + b">"
    header = b"6 0 7 %d\n" % (len(action) + 1)
    packed = zlib.compress(header + action + b"\n" + padding)
    path = tmp_path / "hidden.pdf"
    path.write_bytes(_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Annots [4 0 R] /X 5 0 R >>",
        4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A 6 0 R >>",
        5: b"<< /Type /ObjStm /N 2 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
           % (len(header), len(packed)) + packed + b"\nendstream",
    }, packed={6: (5, 0), 7: (5, 1)}))
    assert len(packed) > upload_checks.SKIP_STREAM_DATA
    assert upload_checks._raw_active_name(path) is None  # only the walk can see it
    try:
        upload_checks._check_pdf(path)
    except UploadRejected as exc:
        assert "スクリプトや添付ファイルを含むPDF" in exc.message
    else:
        raise AssertionError("a compressed /JavaScript action was accepted")


def test_the_chunked_raw_scan_finds_a_name_cut_at_any_chunk_boundary(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(upload_checks, "RAW_CHUNK", 7)
    for name in (b"/JavaScript", b"/J#61vaScript", b"/AA"):
        for lead in range(10):
            path = tmp_path / "cut.pdf"
            path.write_bytes(b"%PDF-1.7\n" + b" " * lead + b"<< " + name + b" 1 >>")
            found = upload_checks._raw_active_name(path)
            assert found in ("/JavaScript", "/AA"), (name, lead)
        path.write_bytes(b"%PDF-1.7\n<< " + name + b"X 1 /Bx >>")  # a longer, harmless name
        assert upload_checks._raw_active_name(path) is None, name
