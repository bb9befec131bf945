"""Issue 13 item 11 (SECURITY.md 6 and 7): a PDF with another file after its end (a ZIP or
HTML polyglot) or with link actions (/URI, /GoToR, ...) is refused with a clear message and
nothing is stored. The choice is to refuse, not rewrite: the stored bytes stay the ones the
user sent, and they are a PDF and nothing else."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from sqlalchemy import select

from portal import upload_checks
from portal.storage import StoredFile
from portal.tenants.rules import UploadSlot
from portal.upload_checks import UploadRejected, check_file
from tests.factories.helpers.credentials import upload_credential
from tests.factories.helpers.rows import read

SLOT = UploadSlot(label="証票", max_bytes=5 * 1024 * 1024, extensions=("pdf", "png", "jpg"))
TRAILING = "PDFの後ろに別のデータが付け足されている"
LINKS = "リンク（URLや他のファイルを開く動作）を含むPDF"


def pdf(build=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if build:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bytes(comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
        archive.comment = comment
    return out.getvalue()


def link(action: DictionaryObject):
    def build(writer: PdfWriter) -> None:
        annot = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0),
                                              NumberObject(100), NumberObject(100)]),
            NameObject("/A"): action,
        })
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])
    return build


def action(kind: str, **entries: str) -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject(kind), **{
        NameObject(f"/{k}"): TextStringObject(v) for k, v in entries.items()}})


URI_LINK = pdf(link(action("/URI", URI="https://evil.example/login")))
GOTOR_LINK = pdf(link(action("/GoToR", F="other.pdf")))
POLYGLOTS = {
    "zip_after_eof": pdf() + zip_bytes(),
    "html_after_eof": pdf() + b"<html><script>alert(document.cookie)</script></html>\n",
    # The ZIP's comment ends in a fake %%EOF, so the file "ends" like a PDF.
    "zip_with_fake_eof": pdf() + zip_bytes(b"\nstartxref\n9\n%%EOF\n"),
}


def reject(tmp_path: Path, data: bytes) -> UploadRejected:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    with pytest.raises(UploadRejected) as info:
        check_file(path, "x.pdf", SLOT)
    assert info.value.status == 400
    return info.value


@pytest.mark.parametrize("kind", POLYGLOTS)
def test_data_after_the_pdf_is_refused(tmp_path: Path, kind: str) -> None:
    data = POLYGLOTS[kind]
    assert PdfReader(io.BytesIO(data)).pages  # still a valid PDF to a reader
    assert TRAILING in reject(tmp_path, data).message


def test_the_zip_polyglot_really_is_a_zip_too() -> None:
    assert zipfile.ZipFile(io.BytesIO(POLYGLOTS["zip_after_eof"])).namelist() == ["evil.html"]


def test_whitespace_after_eof_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.pdf"
    path.write_bytes(pdf() + b"\r\n\n  \x00")
    assert check_file(path, "ok.pdf", SLOT).mime == "application/pdf"


@pytest.mark.parametrize("data", [URI_LINK, GOTOR_LINK], ids=["uri", "gotor"])
def test_link_actions_are_refused(tmp_path: Path, data: bytes) -> None:
    assert LINKS in reject(tmp_path, data).message


@pytest.mark.parametrize("data", [URI_LINK, GOTOR_LINK], ids=["uri", "gotor"])
def test_each_wall_finds_a_link_on_its_own(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    assert upload_checks._raw_active_name(path) in upload_checks.LINK_PDF_NAMES
    assert upload_checks._active_name_in_graph(PdfReader(path)) in upload_checks.LINK_PDF_NAMES


@pytest.mark.parametrize("data", [POLYGLOTS["zip_after_eof"], URI_LINK], ids=["zip", "uri"])
def test_an_upload_of_either_stores_nothing(app, jsicm, world, files_dir, data: bytes) -> None:
    jsicm.login("jsicm-800014")
    folder = files_dir / str(world.jsicm.tenant_id)
    before = {p for p in folder.rglob("*") if p.is_file()}
    response = upload_credential(jsicm, data, name="証明書.pdf")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert TRAILING in body or LINKS in body
    assert read(app, world.jsicm.tenant_id, select(StoredFile)) == []
    assert {p for p in folder.rglob("*") if p.is_file()} == before  # no file, no temp file
