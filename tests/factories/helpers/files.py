"""Bytes to upload: a valid PDF (of an exact size if asked), a PNG, a chunked request body."""
from __future__ import annotations

import io

from pypdf import PdfWriter

MiB = 1024 * 1024


def _written(padding: int) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if padding:
        writer.add_metadata({"/Padding": "x" * padding})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_bytes(pad_to: int | None = None) -> bytes:
    """A one-page PDF; with pad_to, exactly that many bytes. The padding is a metadata string
    inside the PDF: bytes after %%EOF are refused (a polyglot's hiding place)."""
    data = _written(0)
    if pad_to is None:
        return data
    padding = 1
    for _ in range(5):  # the xref offsets' digits grow with the padding: converge
        data = _written(padding)
        if len(data) == pad_to:
            return data
        padding += pad_to - len(data)
    raise AssertionError(f"cannot pad a PDF to {pad_to} bytes")


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


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
