"""Validate an uploaded file from its bytes before it is kept.

Applicants upload licences and certificates that staff later open on their own
machines, so a file is only accepted when its name, its real type and its
content all agree with the slot, PDFs carry nothing that can run, and images
lose the metadata (GPS position, camera serial, comments) a phone adds.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import filetype
from flask_babel import gettext
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from portal.errors import Refusal
from portal.i18n import N_

if TYPE_CHECKING:
    from portal.tenants.rules import UploadSlot

# extension -> (kind reported by `filetype`, MIME type, name shown to the user)
_TYPES: dict[str, tuple[str, str, str]] = {
    "pdf": ("pdf", "application/pdf", "PDF"),
    "png": ("png", "image/png", "PNG"),
    "jpg": ("jpg", "image/jpeg", "JPEG"),
}
MAX_PIXELS = 40_000_000
PDF_OBJECT_BUDGET = 20_000  # far above any certificate scan; stops hostile object graphs
RAW_CHUNK = 256 * 1024  # the raw name scan reads this much at a time
SKIP_STREAM_DATA = 64 * 1024  # the structure walk does not read stream data longer than this
# Names that make a PDF act (scripts, actions on open/hover, launching programs,
# submitting data) or smuggle other files. Used by both the object walk and the raw scan.
ACTIVE_PDF_NAMES = frozenset({
    "/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile",
    "/EmbeddedFiles", "/RichMedia", "/XFA", "/ImportData", "/SubmitForm", "/GoToE",
})
# Link actions: a click opens an address, another file or media. A certificate needs none,
# and staff open these files on hospital machines, so they are refused like active content.
LINK_PDF_NAMES = frozenset({"/URI", "/GoToR", "/Rendition", "/Movie", "/Sound"})
FLAGGED_PDF_NAMES = ACTIVE_PDF_NAMES | LINK_PDF_NAMES
# A PDF name token: "/" then regular characters up to whitespace or a delimiter.
_LONGEST_ESCAPED_NAME = 1 + 3 * max(len(name) - 1 for name in FLAGGED_PDF_NAMES)
_NAME_TOKEN = re.compile(rb"/[^\x00\t\n\x0c\r /\[\]()<>{}%]+")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

BROKEN = N_("ファイルが壊れているため読み込めません。"
            "元のファイルを保存し直してから、もう一度アップロードしてください。")
ENCRYPTED = N_("パスワード付き（暗号化された）PDFはアップロードできません。"
               "パスワードを解除して保存し直してください。")
ACTIVE = N_("スクリプトや添付ファイルを含むPDFはアップロードできません。"
            "印刷メニューの「PDFとして保存」などで作り直してください。")
LINKS = N_("リンク（URLや他のファイルを開く動作）を含むPDFはアップロードできません。"
           "リンクを含まない形で保存し直してください（紙の書類をスキャンしたPDFなど）。")
TRAILING = N_("PDFの後ろに別のデータが付け足されているため、アップロードできません。"
              "元の書類から「PDFとして保存」し直してください。")
TOO_COMPLEX = N_("PDFの構造が複雑すぎるため確認できません。"
                 "不要なページを除いて保存し直してください。")
TOO_MANY_PIXELS = N_("画像の解像度が大きすぎます。"
                     "4,000万画素以下に縮小してから、もう一度アップロードしてください。")


class UploadRejected(Refusal):
    """A file refused (type, size, content): 400, or 413 for a file over the slot's limit."""

    status = 400


@dataclass(frozen=True)
class CheckedFile:
    ext: str
    mime: str
    rewritten: bool
    size: int
    sha256: str


def check_file(path: Path, original_name: str, slot: UploadSlot) -> CheckedFile:
    """Raise UploadRejected unless the file is safe to keep for this slot.

    Images are rewritten in place without metadata; PDFs are never modified."""
    ext = _extension_allowed(original_name, slot)
    kind = filetype.guess(str(path))
    # The bytes decide the type: a renamed ZIP, HTML or SVG must not pass as an image.
    if kind is None or kind.extension != _TYPES[ext][0]:
        raise UploadRejected(gettext(
            "ファイルの内容が拡張子と一致しません。%(exts)s 形式のファイルを選択してください。",
            exts=_format_names(slot)))
    if ext == "pdf":
        _check_pdf(path)
        rewritten = False
    else:
        _strip_image(path, ext)
        rewritten = True
    size, sha256 = _size_and_hash(path)
    return CheckedFile(ext=ext, mime=_TYPES[ext][1], rewritten=rewritten, size=size, sha256=sha256)


def _extension_allowed(original_name: str, slot: UploadSlot) -> str:
    name = original_name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower()
    allowed = {_normalise(e) for e in slot.extensions}
    if not dot or not stem or _normalise(ext) not in allowed:
        raise UploadRejected(_formats_message(slot))
    return _normalise(ext)


def _normalise(ext: str) -> str:
    return "jpg" if ext == "jpeg" else ext


def _format_names(slot: UploadSlot) -> str:
    names = dict.fromkeys(_TYPES[_normalise(e)][2] for e in slot.extensions)  # ordered, unique
    # TRANSLATORS: goes between file format names, as in "PDF、PNG、JPEG".
    return gettext("、").join(names)


def _formats_message(slot: UploadSlot) -> str:
    """Built (and translated) when raised: the names come from the society's rules."""
    return gettext("%(exts)s 形式のファイルを選択してください。", exts=_format_names(slot))


def _size_and_hash(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


# --- PDF -------------------------------------------------------------------


def _check_pdf(path: Path) -> None:
    with path.open("rb") as f:
        # Viewers tolerate junk before the header, which is how polyglot files
        # (HTML + PDF, ZIP + PDF) are made; we do not.
        if f.read(5) != b"%PDF-":
            raise UploadRejected(BROKEN)
    _check_pdf_end(path)
    # Raw scan first: it is cheap, and it sees objects the parser might skip.
    _refuse_flagged(_raw_active_name(path))
    try:
        # An open file, not the path: given a path, pypdf reads the whole file into memory.
        with path.open("rb") as f:
            source = _SkippableFile(f)
            reader = PdfReader(source, strict=False)
            if reader.is_encrypted:  # also when the user password is empty
                raise UploadRejected(ENCRYPTED)
            if len(reader.pages) == 0:
                raise UploadRejected(BROKEN)
            found = _active_name_in_graph(reader, source)
    except UploadRejected:
        raise
    except Exception as exc:  # pypdf raises many types on hostile input; all mean "unreadable"
        raise UploadRejected(BROKEN) from exc
    _refuse_flagged(found)


def _refuse_flagged(name: str | None) -> None:
    if name in ACTIVE_PDF_NAMES:
        raise UploadRejected(ACTIVE)
    if name is not None:
        raise UploadRejected(LINKS)


PDF_WHITESPACE = b"\x00\t\n\x0c\r "
EOF_TAIL = 1024  # the last %%EOF must be within this many bytes of the end
ZIP_TAIL = 65_535 + 22  # a ZIP reader looks for its end record this far from the end
ZIP_END_RECORD = b"PK\x05\x06"


def _check_pdf_end(path: Path) -> None:
    """Nothing but whitespace after the last %%EOF, and no ZIP end record near the end.

    A ZIP or HTML file appended to a valid PDF (a polyglot) still opens as a PDF, and as
    the other format in a program that reads from the end: the stored bytes must be a PDF
    and nothing else. A ZIP's comment could end in a fake %%EOF, hence its own check."""
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(0, size - ZIP_TAIL))
        tail = f.read()
    end = tail.rfind(b"%%EOF", max(0, len(tail) - EOF_TAIL))
    if end < 0:
        raise UploadRejected(BROKEN)  # truncated, or a long payload after the PDF
    if tail[end + 5:].strip(PDF_WHITESPACE) or ZIP_END_RECORD in tail:
        raise UploadRejected(TRAILING)


def _raw_active_name(path: Path) -> str | None:
    """Find an active name token in the raw bytes, decoding #xx escapes (/J#61vaScript).

    Second wall behind the object walk: catches objects outside the xref or the
    reachable graph. Compressed streams are not decoded here; the walk covers those.
    Read in chunks so a 10 MB upload never sits in memory: a token that touches the end
    of a chunk is carried into the next one (a token starts at "/", which is never inside
    one), unless it is already too long to be any active name, even fully #xx-escaped."""
    carry = b""
    with path.open("rb") as f:
        while True:
            chunk = f.read(RAW_CHUNK)
            data, carry = carry + chunk, b""
            for match in _NAME_TOKEN.finditer(data):
                if chunk and match.end() == len(data):
                    carry = match.group() if len(match.group()) <= _LONGEST_ESCAPED_NAME else b""
                    break
                name = _decoded_name(match.group())
                if name in FLAGGED_PDF_NAMES:
                    return name
            if not chunk:
                return None
            if not carry and data.endswith(b"/"):
                carry = b"/"  # a name's first byte, its rest in the next chunk


def _decoded_name(token: bytes) -> str:
    if b"#" in token:
        token = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token)
    return token.decode("latin-1")


class _SkippableFile:
    """The upload as pypdf reads it. While `skipping`, stream data over SKIP_STREAM_DATA
    bytes is stepped over, not read: the structure walk looks at dictionaries only, and
    resolving a scanned page would otherwise hold its whole image (~10 MB) in memory."""

    mode = "rb"

    def __init__(self, f) -> None:
        self._f, self.skipping = f, False

    def read(self, size: int = -1) -> bytes:
        if self.skipping and size > SKIP_STREAM_DATA:
            self._f.seek(size, os.SEEK_CUR)
            return b""
        return self._f.read(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()


def _active_name_in_graph(reader: PdfReader, source: _SkippableFile | None = None) -> str | None:
    """Walk every object reachable from the trailer (catalog, /Names, pages,
    annotations, /AcroForm, ...) and return the first active name used as a
    dictionary key or value. Iterative, with a visited set for reference cycles
    and a budget so a hostile file cannot keep us busy.

    Big stream data is skipped (see _SkippableFile) except in object streams, whose
    compressed objects the walk must see; their dictionaries are never compressed, so
    any name in them is also in the raw bytes that _raw_active_name scans."""
    packed = set(reader.xref_objStm) | {number for number, _ in reader.xref_objStm.values()}
    stack: list[object] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    budget = PDF_OBJECT_BUDGET
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            skip = source is not None and obj.idnum not in packed
            if skip:
                source.skipping = True
            try:
                obj = obj.get_object()
            finally:
                if skip:
                    source.skipping = False
        if isinstance(obj, NameObject) and obj in FLAGGED_PDF_NAMES:
            return str(obj)  # e.g. the value of /S (/JavaScript, /Launch, /URI ...)
        if not isinstance(obj, (DictionaryObject, ArrayObject)):
            continue  # numbers, strings, stream data: nothing to follow
        budget -= 1
        if budget < 0:
            raise UploadRejected(TOO_COMPLEX)
        if isinstance(obj, DictionaryObject):
            for key in obj:
                if key in FLAGGED_PDF_NAMES:
                    return str(key)
            stack.extend(obj.values())
        else:
            stack.extend(obj)
    return None


# --- Images ----------------------------------------------------------------


def _strip_image(path: Path, ext: str) -> None:
    """Decode the image fully, then re-save it in place without metadata."""
    fmt = "PNG" if ext == "png" else "JPEG"
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; make it fatal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[fmt]) as im:
                _check_pixels(im)  # Image.open read only the header: nothing decoded yet
                im.verify()  # checks structure/CRCs; the object is unusable afterwards
            with Image.open(path, formats=[fmt]) as im:
                _check_pixels(im)
                im.load()
                _save_clean(im, path, fmt)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRejected(TOO_MANY_PIXELS) from exc
    except UploadRejected:
        raise
    except Exception as exc:  # UnidentifiedImageError, OSError (truncated), SyntaxError, ...
        raise UploadRejected(BROKEN) from exc


def _check_pixels(im: Image.Image) -> None:
    if im.width * im.height > MAX_PIXELS:
        raise UploadRejected(TOO_MANY_PIXELS)


def _save_clean(im: Image.Image, path: Path, fmt: str) -> None:
    orientation = im.getexif().get(0x0112, 1)  # EXIF Orientation
    upright = ImageOps.exif_transpose(im) if orientation in range(2, 9) else im
    # Only ICC is carried over (colour, not personal data); exif, XMP, comments,
    # PNG text chunks and dpi are dropped because Pillow writes only what is passed.
    options: dict[str, object] = {"icc_profile": im.info.get("icc_profile")}
    if fmt == "JPEG":
        # "keep" reuses the original quantisation tables: no extra quality loss.
        # It needs the untouched JPEG object, so a rotated copy is re-encoded.
        options["quality"] = "keep" if upright is im else 95
        options["comment"] = b""  # Pillow would otherwise copy the original COM marker
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".clean-", suffix="." + fmt.lower())
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            upright.save(out, format=fmt, **options)
        # Atomic swap: on any failure above the original stays as it was.
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
