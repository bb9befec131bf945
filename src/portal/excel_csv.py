"""CSV for Japanese Excel: UTF-8 with BOM, CRLF, and no cell Excel would run as a formula."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """Excel runs a cell starting with = + - @ as a formula: make it plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def excel_csv(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def excel_csv_stream(headers: Iterable[str], rows: Iterable[Iterable[object]],
                     batch: int = 500) -> Iterator[bytes]:
    """The same CSV in pieces, for an export of any length: the BOM and the header first, then
    `batch` rows at a time, so memory stays flat however many rows the query streams."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    yield ("\ufeff" + out.getvalue()).encode("utf-8")
    out.seek(0)
    out.truncate()
    for index, row in enumerate(rows, 1):
        writer.writerow([cell(v) for v in row])
        if index % batch == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue().encode("utf-8")
