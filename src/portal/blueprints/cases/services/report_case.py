"""The case a 症例レポート is about, as the report and review pages show it (read-only)."""
from __future__ import annotations

from flask_babel import gettext

from portal.blueprints.cases.models import PROCEDURE_ROLES, SEXES, Case
from portal.i18n import N_


def _label(choices, code: str) -> str:
    return next((c.label for c in choices if c.code == code), code)


def case_summary(case: Case, rules) -> list[tuple[str, str]]:
    """(label, value) pairs: the stay, the category and what was done, never the patient."""
    log = rules.case_log
    stay = f"{case.icu_admission_date:%Y/%m/%d}"
    if case.icu_discharge_date:
        stay += f" 〜 {case.icu_discharge_date:%Y/%m/%d}"
    procedures = "、".join(
        f"{_label(log.procedures, p.get('code', ''))}（{gettext(PROCEDURE_ROLES.get(p.get('role', ''), ''))}）"
        if p.get("role") in PROCEDURE_ROLES else _label(log.procedures, p.get("code", ""))
        for p in case.procedures or ())
    return [
        (N_("ICU入室日"), stay),
        (N_("疾患分類"), log.category_label(case.primary_category)),
        (N_("年齢"), _label(log.age_bands, case.age_band)),
        (N_("性別"), gettext(SEXES.get(case.sex, case.sex))),
        (N_("臓器補助"), "、".join(_label(log.organ_supports, c) for c in case.organ_supports or ())),
        (N_("手技"), procedures),
        (N_("転帰"), _label(log.outcomes, case.outcome)),
        (N_("経過の要点"), case.summary or ""),
    ]
