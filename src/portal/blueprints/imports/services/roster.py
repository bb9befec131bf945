"""The certified-member roster import (会員番号, 氏名, 資格 認定医/専門医/指導医, valid
from and to). The roster belongs to the renewal module: it is read and written through the
registry's answers. Rows are planned like people rows (create/update/unchanged/error)."""
from __future__ import annotations

from flask import g

from portal.blueprints.imports.services.planning import Planned
from portal.blueprints.imports.services.rows import Columns, Row, date_value, fold, map_fields
from portal.i18n import N_
from portal.registry import registry

QUALIFICATIONS = ("認定医", "専門医", "指導医")
REQUIRED = ("member_number", "name", "qualification", "valid_from")


def map_columns(header: list[str]) -> Columns:
    return map_fields(header, g.rules.imports.roster_columns, REQUIRED)


def read_row(line: int, cells: list[str], columns: Columns) -> Row:
    row = Row(line, {})
    for name, position in columns.index.items():
        raw = cells[position] if position < len(cells) else ""
        value = fold("member_number" if name != "name" else "full_name", raw)
        if value != raw:
            row.notes.append((N_("%(field)s「%(raw)s」を「%(value)s」に整えました。"),
                              {"field": name, "raw": raw, "value": value}))
        row.values[name] = value
    return row


def check_row(row: Row) -> None:
    values = row.values
    for name in REQUIRED:
        if not values.get(name):
            row.refuse(N_("%(field)sが入力されていません。"), field=name)
    if values.get("qualification") and values["qualification"] not in QUALIFICATIONS:
        row.refuse(N_("資格「%(value)s」は認定医・専門医・指導医のいずれかにしてください。"),
                   value=values["qualification"])
    for name in ("valid_from", "valid_to"):
        if values.get(name):
            parsed = date_value(values[name])
            if parsed is None:
                row.refuse(N_("%(field)s「%(value)s」は日付ではありません（例: 2024-04-01）。"),
                           field=name, value=values[name])
            else:
                values[name] = parsed
    if values.get("valid_to") and values.get("valid_from") and values["valid_to"] < values["valid_from"]:
        row.refuse(N_("有効期間の終了が開始より前です。"))


class RosterPlanner:
    def __init__(self, rules) -> None:
        self.seen: dict[str, int] = {}

    def plan(self, rows: list[Row], checked: bool = False) -> list[Planned]:
        for row in rows if not checked else ():
            check_row(row)
        numbers = [r.values.get("member_number", "") for r in rows]
        state = registry().answer("import_roster_state", g.rules, numbers, default={}) or {}
        return [self._plan_row(r, state) for r in rows]

    def _plan_row(self, row: Row, state) -> Planned:
        key = row.values.get("member_number", "")
        if key and key in self.seen:
            row.refuse(N_("%(field)sがファイル内で重複しています（%(line)s行目と同じ）。"),
                       field="member_number", line=self.seen[key])
        if row.reasons:
            return Planned(row.line, "error", key, row.values, [], row.reasons, row.notes)
        self.seen[key] = row.line
        current = state.get(key)
        if current is None:
            return Planned(row.line, "create", key, row.values, [], [], row.notes)
        wanted = (row.values["name"], row.values["qualification"], row.values["valid_from"],
                  row.values.get("valid_to", ""))
        fields = ("name", "qualification", "valid_from", "valid_to")
        changes = [f for f, old, new in zip(fields, current, wanted, strict=True) if old != new]
        return Planned(row.line, "update" if changes else "unchanged", key, row.values, changes,
                       [], row.notes)


def apply_rows(actor, rows, filename: str) -> None:
    registry().answer("import_roster_apply", g.rules, actor, [r.values for r in rows], filename)
