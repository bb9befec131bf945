"""Security tests: tenant A's distinctive markers, tenant B's logins, and the comparisons
of database snapshots and route probes."""
from __future__ import annotations

import re

SECRET_FILE = "jsicm-secret-証票.pdf"
SECRET_NAME = "極秘 花子"
SECRET_FACILITY = "jsicm秘密総合病院"
# Tenant B logs in by e-mail (jmsb rules: login_identifier = "email").
JMSB_LOGINS = {"trainee": "trainee@jmsb.example.jp", "director": "jmsb-director@example.jp",
               "secretariat": "jmsb-jimu@example.jp"}


def ids_for(arg: str, ids: dict[str, list[int]]) -> list[int]:
    """Ids of the table the argument names (file_id -> stored_files), else of every table."""
    stem = arg.removesuffix("_id")
    tables = [t for t in ids if t.startswith(stem) or stem in t]
    values = {i for t in tables for i in ids[t]} or {i for v in ids.values() for i in v}
    return sorted(values)


def fill(rule, values: dict) -> str:
    """The rule's path with each <converter:arg> replaced by values[arg], unescaped."""
    return re.sub(r"<(?:[^<>:]+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def changes(before: dict, after: dict) -> dict[str, tuple[list, list]]:
    """Per table, the rows that disappeared and the rows that appeared."""
    out = {}
    for table, rows in before.items():
        gone = [r for r in rows if r not in after[table]]
        new = [r for r in after[table] if r not in rows]
        if gone or new:
            out[table] = (gone, new)
    return out
