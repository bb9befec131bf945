"""Reading what a secretariat has: CSV as Japanese Excel saves it (UTF-8 with or without BOM,
or Shift_JIS/CP932) and .xlsx (openpyxl, read-only: rows stream, memory stays flat).

The encoding rule, strict and in this order: a file that decodes as UTF-8 is UTF-8 (a BOM is
dropped); else one that decodes as CP932 (Windows Shift_JIS, what Excel writes) is CP932;
else the file is refused. Japanese text in CP932 is almost never valid UTF-8, and UTF-8 is
tried first because ASCII-only files are both."""
from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from portal.errors import Refusal
from portal.i18n import N_

CHUNK = 1 << 20
EXTENSIONS = ("csv", "xlsx")
MAX_CELL = 1000  # a longer cell is cut here; the rule that reads it refuses it


class Unreadable(Refusal):
    status = 400


def extension(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in EXTENSIONS:
        raise Unreadable(N_("CSV（.csv）または Excel（.xlsx）のファイルを選んでください。"), field="file")
    return ext


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with path.open("rb") as raw:
            while block := raw.read(CHUNK):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        if _decodes(path, encoding):
            return encoding
    raise Unreadable(N_("文字コードを判別できません。UTF-8 または Shift_JIS の CSV で保存してください。"),
                     field="file")


def _csv_rows(path: Path) -> Iterator[list[str]]:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as text:
        try:
            yield from csv.reader(text)
        except csv.Error as exc:
            raise Unreadable(N_("CSV の形式が正しくありません。"), field="file") from exc


def _cell(value: object) -> str:
    """An Excel cell as the text a person sees: dates as YYYY-MM-DD, 800014.0 as 800014."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_CELL]


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Unreadable(N_("Excel ファイルを読み込めません。.xlsx 形式で保存してください。"),
                         field="file") from exc
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        book.close()


def rows(path: Path, filename: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for every row that is not blank; line 1 is the header."""
    reader = _xlsx_rows(path) if extension(filename) == "xlsx" else _csv_rows(path)
    for line, cells in enumerate(reader, start=1):
        if any(c.strip() for c in cells):
            yield line, cells
