"""One row of an import file: its cells mapped to fields by the society's column names,
normalised (full-width digits and letters, stray spaces) with a note of each change, and
checked on its own (e-mail, role, dates, lists). Checks against the file and the database
are in planning.py. Messages are (msgid, params), translated where they are shown."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext

from portal import normalize
from portal.accounts.models import BASIC_PROGRAM_STATUS, BASIC_SPECIALTIES, ROLE_LABELS, Role
from portal.errors import Refusal
from portal.forms import CONTROLS
from portal.i18n import N_
from portal.tenants.rules import Imports

Message = tuple[str, dict]

FIELD_LABELS = {
    "member_number": N_("会員番号"), "full_name": N_("氏名"), "full_name_kana": N_("氏名カナ"),
    "email": N_("メールアドレス"), "role": N_("役割"), "facility_code": N_("施設コード"),
    "facility_name": N_("施設名"), "basic_specialty": N_("基本領域"),
    "program_status": N_("プログラム状況"), "training_start": N_("研修開始日"),
    "director_number": N_("統括責任者会員番号"),
    "facility_type": N_("種別"), "name": N_("氏名"), "qualification": N_("資格"), "valid_from": N_("有効期間開始"),
    "valid_to": N_("有効期間終了"),
}
MAX_LENGTH = {"member_number": 30, "full_name": 100, "full_name_kana": 100, "email": 320,
              "facility_code": 40, "facility_name": 200, "director_number": 30}
FACILITY_TYPES = {"基幹施設": "core", "基幹": "core", "連携施設": "affiliated", "連携": "affiliated",
                  "core": "core", "affiliated": "affiliated"}
CODES = {"facility_type", "member_number", "email", "facility_code", "director_number", "role", "training_start",
         "basic_specialty", "program_status"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d")
_SPACES = re.compile(r"\s+")


class MissingColumns(Refusal):
    status = 400


@dataclass
class Columns:
    index: dict[str, int]
    unknown: list[str]


@dataclass
class Row:
    line: int
    values: dict[str, str]
    notes: list[Message] = field(default_factory=list)
    reasons: list[Message] = field(default_factory=list)

    def refuse(self, msgid: str, **params) -> None:
        self.reasons.append((msgid, params))


def map_fields(header: list[str], configured: dict[str, tuple[str, ...]],
               required: tuple[str, ...]) -> Columns:
    """Each field's column, whatever the order; a required field without one stops the file."""
    names = {}
    for field_name, aliases in configured.items():
        for alias in aliases:
            names[normalize.nfkc(alias)] = field_name
    index, unknown = {}, []
    for position, title in enumerate(header):
        name = names.get(normalize.nfkc(title))
        if name and name not in index:
            index[name] = position
        elif normalize.nfkc(title):
            unknown.append(normalize.nfkc(title))
    missing = [FIELD_LABELS[f] for f in required if f not in index]
    if missing:
        raise MissingColumns(gettext("必須の列がありません: %(columns)s",
                                     columns="、".join(gettext(m) for m in missing)), field="file")
    return Columns(index, unknown)


def map_columns(header: list[str], rules: Imports) -> Columns:
    return map_fields(header, rules.columns, rules.required)


def fold(name: str, raw: str) -> str:
    if name == "full_name_kana":
        return normalize.kana(raw)
    if name in CODES:
        return _SPACES.sub("", normalize.nfkc(raw)) if name != "email" else normalize.nfkc(raw)
    return _SPACES.sub(" ", raw).strip()  # names keep their characters (no NFKC)


def read_row(line: int, cells: list[str], columns: Columns) -> Row:
    row = Row(line, {})
    for name, position in columns.index.items():
        raw = cells[position] if position < len(cells) else ""
        value = fold(name, raw)
        if value != raw:  # the preview shows what was folded (full-width, stray spaces)
            row.notes.append((N_("%(field)s「%(raw)s」を「%(value)s」に整えました。"),
                              {"field": name, "raw": raw, "value": value}))
        row.values[name] = value
    return row


def date_value(value: str) -> str | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def _choice(value: str, labels: dict[str, str]) -> str | None:
    by_label = {str(label): key for key, label in labels.items()}
    return value if value in labels else by_label.get(value)


def check_row(row: Row, rules: Imports) -> None:
    """The checks a row passes on its own; values become the stored forms (role, dates, keys)."""
    values = row.values
    if any(normalize.has_control_characters(v) for v in values.values()):
        row.refuse(CONTROLS)
        return
    for name in rules.required:
        if not values.get(name):
            row.refuse(N_("%(field)sが入力されていません。"), field=name)
    for name, limit in MAX_LENGTH.items():
        if len(values.get(name, "")) > limit:
            row.refuse(N_("%(field)sは%(limit)s文字以内にしてください。"), field=name, limit=limit)
    _check_email(row)
    _check_role(row, rules)
    _check_lists(row)
    _check_facility_type(row)
    if values.get("training_start"):
        parsed = date_value(values["training_start"])
        if parsed is None:
            row.refuse(N_("研修開始日「%(value)s」は日付ではありません（例: 2024-04-01）。"),
                       value=values["training_start"])
        else:
            values["training_start"] = parsed


def _check_email(row: Row) -> None:
    email = row.values.get("email", "")
    if not email:
        return
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        row.refuse(N_("メールアドレス「%(value)s」の形式が正しくありません。"), value=email)


def _check_role(row: Row, rules: Imports) -> None:
    label = row.values.get("role", "")
    if not label:
        return
    role = rules.role_labels.get(label) or (label if label in Role.__members__ else None)
    if role not in rules.roles:
        allowed = "・".join(str(ROLE_LABELS[Role(r)]) for r in rules.roles)
        row.refuse(N_("役割「%(value)s」は取り込めません（%(allowed)s のいずれか）。"),
                   value=label, allowed=allowed)
        return
    row.values["role"] = role


def _check_facility_type(row: Row) -> None:
    value = row.values.get("facility_type")
    if not value:
        return
    if value not in FACILITY_TYPES:
        row.refuse(N_("種別「%(value)s」は基幹施設または連携施設にしてください。"), value=value)
    elif not row.values.get("facility_code"):
        row.refuse(N_("種別を入れるときは施設コードも入れてください。"))
    else:
        row.values["facility_type"] = FACILITY_TYPES[value]


def _check_lists(row: Row) -> None:
    for name, labels, message in (
            ("basic_specialty", BASIC_SPECIALTIES, N_("基本領域「%(value)s」は一覧にありません。")),
            ("program_status", BASIC_PROGRAM_STATUS, N_("プログラム状況「%(value)s」は一覧にありません。"))):
        value = row.values.get(name)
        if not value:
            continue
        key = _choice(value, labels)
        if key is None:
            row.refuse(message, value=value)
        else:
            row.values[name] = key


def describe(message) -> str:
    """A stored (msgid, params) in the reader's language; a field name becomes its label."""
    msgid, params = message
    params = dict(params)
    if "field" in params:
        params["field"] = gettext(FIELD_LABELS.get(params["field"], params["field"]))
    return gettext(msgid, **params) if params else gettext(msgid)
