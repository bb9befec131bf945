"""CSV for Japanese Excel: UTF-8 with BOM, CRLF, and no cell Excel would run as a formula."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """Excel runs a cell starting with = + - @ as a formula: make it plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _lines(rows: Iterable[Iterable[object]], header: bool = False) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row if header else [cell(v) for v in row])
    return out.getvalue()


def excel_csv(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    return b"".join(excel_csv_chunks(headers, [rows]))


def excel_csv_chunks(headers: Iterable[str],
                     chunks: Iterable[Iterable[Iterable[object]]]) -> Iterator[bytes]:
    """The same CSV as bytes a chunk of rows at a time, for a streamed response: a whole
    cohort is never held in memory at once."""
    yield ("\ufeff" + _lines([headers], header=True)).encode("utf-8")
    for rows in chunks:
        yield _lines(rows).encode("utf-8")


def excel_csv_stream(headers: Iterable[str], rows: Iterable[Iterable[object]],
                     batch: int = 500) -> Iterator[bytes]:
    """The same CSV from one stream of rows, `batch` rows a piece: memory stays flat however
    many rows the query streams."""
    rows = iter(rows)
    return excel_csv_chunks(headers, iter(lambda: list(islice(rows, batch)), []))
