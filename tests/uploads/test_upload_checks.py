"""check_file against valid and hostile uploads, all built here from scratch."""
from __future__ import annotations

import hashlib
import io
import os
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from portal import upload_checks
from portal.tenants.rules import UploadSlot
from portal.upload_checks import UploadRejected, check_file

SLOT = UploadSlot(label="証票", max_bytes=5 * 1024 * 1024, extensions=("pdf", "png", "jpg", "jpeg"))
FORMATS = "PDF、PNG、JPEG 形式のファイルを選択してください。"


# --- builders ----------------------------------------------------------------


def pdf_bytes(build=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if build:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_js(writer: PdfWriter) -> None:
    # add_js was removed in pypdf 7; add_open_action is its replacement (document-level JS).
    writer.add_open_action(JavaScript("app.alert('x');"))


def with_open_action(writer: PdfWriter) -> None:
    page = writer.pages[0].indirect_reference
    writer.root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])


def with_launch(writer: PdfWriter) -> None:
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                               NameObject("/F"): TextStringObject("calc.exe")})
    annot = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0),
                                          NumberObject(100), NumberObject(100)]),
        NameObject("/A"): action,
    })
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])


def with_attachment(writer: PdfWriter) -> None:
    writer.add_attachment("payload.exe", b"MZ\x90\x00")


def encrypted(password: str):
    return lambda writer: writer.encrypt(password)


def raw_pdf(*objects: bytes) -> bytes:
    """A minimal hand-written PDF with a correct xref, so only its names are odd."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


HEX_ESCAPED_JS = raw_pdf(
    b"<< /Type /Catalog /Pages 2 0 R /Names << /J#61vaScript 4 0 R >> >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    b"<< /Names [(x) << /S /J#61v#61Script /J#53 (app.alert\\(1\\)) >>] >>",
)


def image_bytes(fmt: str, size=(32, 24), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **save)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims a huge canvas: the classic decompression bomb shape."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b""))


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
    return out.getvalue()


def put(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def reject(tmp_path: Path, name: str, data: bytes, slot: UploadSlot = SLOT) -> UploadRejected:
    path = put(tmp_path, name, data)
    with pytest.raises(UploadRejected) as info:
        check_file(path, name, slot)
    assert os.listdir(tmp_path) == [name]  # no temp file left behind
    assert path.read_bytes() == data  # the original is untouched
    assert info.value.status == 400
    return info.value


# --- accepted ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "ext", "mime"), [
    ("医師免許証.pdf", pdf_bytes(), "pdf", "application/pdf"),
    ("scan.PDF", pdf_bytes(), "pdf", "application/pdf"),
    ("photo.png", image_bytes("PNG"), "png", "image/png"),
    ("photo.jpg", image_bytes("JPEG"), "jpg", "image/jpeg"),
    ("PHOTO.JPG", image_bytes("JPEG"), "jpg", "image/jpeg"),
    ("photo.jpeg", image_bytes("JPEG"), "jpg", "image/jpeg"),
])
def test_valid_files_are_accepted(
    tmp_path: Path, name: str, data: bytes, ext: str, mime: str
) -> None:
    path = put(tmp_path, name, data)
    checked = check_file(path, name, SLOT)
    assert (checked.ext, checked.mime) == (ext, mime)
    assert checked.rewritten is (ext != "pdf")
    assert checked.size == path.stat().st_size
    assert checked.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert os.listdir(tmp_path) == [name]
    if ext == "pdf":
        assert path.read_bytes() == data  # PDFs are never rewritten


# --- name and type -----------------------------------------------------------


@pytest.mark.parametrize(("name", "data"), [
    ("evil.png", zip_bytes()),
    ("evil.png", pdf_bytes()),
    ("evil.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("evil.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("evil.png", image_bytes("JPEG")),
    ("evil.pdf", image_bytes("PNG")),
    ("evil.jpg", b"just some text\n"),
])
def test_content_must_match_extension(tmp_path: Path, name: str, data: bytes) -> None:
    assert "拡張子と一致しません" in reject(tmp_path, name, data).message


@pytest.mark.parametrize(("name", "data"), [
    ("anim.gif", image_bytes("GIF")),
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
    ("document", pdf_bytes()),
    ("document.", pdf_bytes()),
])
def test_extension_must_be_allowed(tmp_path: Path, name: str, data: bytes) -> None:
    assert reject(tmp_path, name, data).message == FORMATS


def test_slot_restricts_extensions(tmp_path: Path) -> None:
    pdf_only = UploadSlot(label="証票", max_bytes=1024 * 1024, extensions=("pdf",))
    rejected = reject(tmp_path, "photo.png", image_bytes("PNG"), slot=pdf_only)
    assert rejected.message == "PDF 形式のファイルを選択してください。"


# --- PDF -----------------------------------------------------------------------


def test_pdf_header_must_be_at_byte_zero(tmp_path: Path) -> None:
    reject(tmp_path, "shifted.pdf", b"JUNK\n" + pdf_bytes())


@pytest.mark.parametrize("password", ["", "secret"])
def test_encrypted_pdf_is_rejected(tmp_path: Path, password: str) -> None:
    assert "暗号化" in reject(tmp_path, "locked.pdf", pdf_bytes(encrypted(password))).message


ACTIVE_PDFS = {
    "javascript": pdf_bytes(with_js),
    "open_action": pdf_bytes(with_open_action),
    "launch": pdf_bytes(with_launch),
    "attachment": pdf_bytes(with_attachment),
    "hex_escaped": HEX_ESCAPED_JS,
}


@pytest.mark.parametrize("kind", ACTIVE_PDFS)
def test_active_pdf_is_rejected(tmp_path: Path, kind: str) -> None:
    assert "スクリプトや添付ファイル" in reject(tmp_path, "x.pdf", ACTIVE_PDFS[kind]).message


@pytest.mark.parametrize("kind", ACTIVE_PDFS)
def test_each_wall_catches_active_pdf_on_its_own(tmp_path: Path, kind: str) -> None:
    path = put(tmp_path, "x.pdf", ACTIVE_PDFS[kind])
    assert upload_checks._raw_active_name(path)
    assert upload_checks._active_name_in_graph(PdfReader(path, strict=False))


def test_hex_escapes_are_decoded_in_raw_scan(tmp_path: Path) -> None:
    path = put(tmp_path, "x.pdf", raw_pdf(b"<< /Type /Catalog /Foo /#4Aav#61Script >>"))
    assert upload_checks._raw_active_name(path) == "/JavaScript"
    assert upload_checks._raw_active_name(put(tmp_path, "ok.pdf", pdf_bytes())) is None


def test_object_budget_stops_the_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload_checks, "PDF_OBJECT_BUDGET", 2)
    assert "複雑すぎる" in reject(tmp_path, "big.pdf", pdf_bytes()).message


@pytest.mark.parametrize("data", [
    pdf_bytes()[: len(pdf_bytes()) // 2],
    b"%PDF-1.7\n" + b"\x00garbage" * 200,
    raw_pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"),
])
def test_broken_pdf_is_rejected(tmp_path: Path, data: bytes) -> None:
    assert "壊れている" in reject(tmp_path, "broken.pdf", data).message


# --- images ----------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), [(50_000, 50_000), (7_000, 6_000)])
def test_pixel_bomb_is_rejected_before_decoding(tmp_path: Path, width: int, height: int) -> None:
    started = time.perf_counter()
    rejected = reject(tmp_path, "bomb.png", png_header_only(width, height))
    assert "解像度が大きすぎます" in rejected.message
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(("name", "data"), [
    ("cut.jpg", image_bytes("JPEG", size=(200, 200))[:300]),
    ("cut.png", image_bytes("PNG", size=(200, 200))[:60]),
    ("badcrc.png", png_header_only(8, 8)[:29] + b"\x00\x00\x00\x00" + png_header_only(8, 8)[33:]),
])
def test_broken_image_is_rejected(tmp_path: Path, name: str, data: bytes) -> None:
    assert "壊れている" in reject(tmp_path, name, data).message


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (139.0, 41.0, 30.0)}
    return exif


@pytest.mark.parametrize(("orientation", "size_after"), [(1, (40, 20)), (6, (20, 40))])
def test_jpeg_metadata_is_stripped_and_photo_kept_upright(
    tmp_path: Path, orientation: int, size_after: tuple[int, int]
) -> None:
    data = image_bytes("JPEG", size=(40, 20), exif=gps_exif(orientation), comment=b"secret")
    path = put(tmp_path, "photo.jpg", data)
    assert Image.open(path).getexif().get_ifd(0x8825)  # the fixture really carries GPS

    checked = check_file(path, "photo.jpg", SLOT)

    with Image.open(path) as im:
        assert not im.getexif() and "exif" not in im.info and "comment" not in im.info
        assert im.size == size_after
    assert checked.rewritten
    assert checked.size == path.stat().st_size
    assert checked.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert os.listdir(tmp_path) == ["photo.jpg"]


def test_png_text_chunks_are_stripped(tmp_path: Path) -> None:
    text = PngInfo()
    text.add_text("Author", "山田太郎")
    text.add_text("Comment", "secret", zip=True)
    path = put(tmp_path, "scan.png", image_bytes("PNG", pnginfo=text, exif=gps_exif()))
    assert Image.open(path).text

    checked = check_file(path, "scan.png", SLOT)

    raw = path.read_bytes()
    assert b"tEXt" not in raw and b"zTXt" not in raw and b"iTXt" not in raw and b"eXIf" not in raw
    with Image.open(path) as im:
        assert im.text == {} and not im.getexif()
        assert im.convert("RGB").getpixel((0, 0)) == (200, 30, 30)  # lossless
    assert checked.rewritten and checked.sha256 == hashlib.sha256(raw).hexdigest()
    assert os.listdir(tmp_path) == ["scan.png"]
