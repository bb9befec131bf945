"""A minimal check that a report's free text names no patient (症例レポート). The case log's own
checker (services/identifiers.py, written with the case entry form) replaces this one when the
branches meet; until then the report form calls `check_identifiers` here, with the same shape.

It looks for what identifies a patient by itself, not for every name: labels that introduce an
identifier (患者ID, カルテ番号, 氏名, 生年月日, 住所), telephone and postal numbers, and long digit
runs. Full-width input is folded first, so ＩＤ：１２３ counts as ID:123."""
from __future__ import annotations

import re

from flask_babel import gettext

from portal import normalize
from portal.i18n import N_

# What each pattern finds, as the message names it. Lab values (Plt 12万, 120000) stay under
# the 8 digits of a long number; dates of the ICU stay are allowed (they are in the case).
_PATTERNS = (
    (re.compile(r"(患者\s*(ID|番号)|カルテ\s*(ID|番号|No)|診察券\s*番号|病歴\s*番号|(?<![A-Za-z])ID\s*[:：]?\s*\d)",
                re.IGNORECASE), N_("患者ID・カルテ番号")),
    (re.compile(r"(氏名|患者名|フルネーム)\s*[:：]"), N_("氏名")),
    (re.compile(r"(生年月日|誕生日)"), N_("生年月日")),
    (re.compile(r"(住所|居住地)\s*[:：]"), N_("住所")),
    (re.compile(r"(?<!\d)0\d{1,4}-\d{1,4}-\d{3,4}(?!\d)"), N_("電話番号")),
    (re.compile(r"(〒\s*\d{3}-?\d{4}|(?<![\d-])\d{3}-\d{4}(?![\d-]))"), N_("郵便番号")),
    (re.compile(r"(?<![\d.])\d{8,}(?![\d.])"), N_("8桁以上の番号")),
)
FOUND = N_("患者を特定できる情報（%(what)s）が含まれている可能性があります。削除してから保存してください。")


def check_identifiers(text: str) -> str | None:
    """The message to show when `text` seems to name a patient, or None."""
    folded = normalize.nfkc(text or "")
    for pattern, what in _PATTERNS:
        if pattern.search(folded):
            return gettext(FOUND, what=gettext(what))
    return None
