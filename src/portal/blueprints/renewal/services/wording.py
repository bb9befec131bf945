"""The words of the renewal (C-W02) that differ between societies: rules.toml [terminology]
keys with generic defaults, e.g. which 指導医 a facility must employ, or how the society
refers to itself (本会 / 当学会).

Messages name them as %(society)s, %(physician)s, %(ward)s, %(team)s. A service returns the
msgid; the screen translates it and fills the words in (`_(message, **words)`, `words` from
the blueprint's context processor), so the society's words are translated as well (babel.cfg
extracts [terminology] from rules.toml). Mail and the printed form are Japanese only and use
`renewal_words()`, the society's words as written.
"""
from __future__ import annotations

from flask import g
from flask_babel import gettext

from portal.i18n import N_
from portal.tenants.rules import TenantRules

TERMS = {  # placeholder: ([terminology] key, default)
    "society": ("society.self", N_("本会")),
    "physician": ("renewal.physician", N_("指導医")),
    "ward": ("renewal.ward", N_("専門病棟")),
    "team": ("renewal.team", N_("専門チーム")),
    "facility_pages": ("renewal.facility_pages", N_("施設用ページ")),
}


def words(rules: TenantRules) -> dict[str, str]:
    """The society's words as written in its rules.toml (mail, the printed form)."""
    return {name: rules.term(key, default) for name, (key, default) in TERMS.items()}


def screen_words(rules: TenantRules) -> dict[str, str]:
    """The same words in the reader's language, to fill in a translated message."""
    return {name: gettext(word) for name, word in words(rules).items()}


def current_words() -> dict[str, str]:
    return words(g.rules)


def screen_context() -> dict[str, dict[str, str]]:
    return {"words": screen_words(g.rules)}
