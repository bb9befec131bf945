"""The case list's CSV and the labels pages show: codes from the rules turned into the
society's wording, in one place."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import gettext

from portal.blueprints.cases.models import CASE_STATUS_LABELS, PROCEDURE_ROLES, SEXES, Case
from portal.excel_csv import excel_csv_stream
from portal.i18n import N_
from portal.ui import fmt_date

HEADERS = (N_("症例番号"), N_("登録日"), N_("ICU入室日"), N_("ICU退室日"), N_("年齢区分"), N_("性別"),
           N_("主たる疾患分類"), N_("臓器補助"), N_("手技"), N_("転帰"), N_("研修施設"),
           N_("統括責任者"), N_("状態"), N_("承認日"), N_("経過の要点"))


@dataclass(frozen=True)
class Labels:
    """The society's wording for each code of its case log."""

    rules: object

    def _pick(self, choices, code: str) -> str:
        return next((c.label for c in choices if c.code == code), code)

    def category(self, code: str) -> str:
        return self.rules.case_log.category_label(code)

    def age_band(self, code: str) -> str:
        return self._pick(self.rules.case_log.age_bands, code)

    def outcome(self, code: str) -> str:
        return self._pick(self.rules.case_log.outcomes, code)

    def sex(self, code: str) -> str:
        return gettext(SEXES[code]) if code in SEXES else code

    def status(self, code: str) -> str:
        return gettext(CASE_STATUS_LABELS.get(code, code))

    def organ_supports(self, codes: Iterable[str]) -> list[str]:
        return [self._pick(self.rules.case_log.organ_supports, c) for c in codes or ()]

    def procedures(self, items: Iterable[dict]) -> list[str]:
        return [f"{self._pick(self.rules.case_log.procedures, p.get('code', ''))}"
                f"（{gettext(PROCEDURE_ROLES.get(p.get('role', ''), p.get('role', '')))}）"
                for p in items or ()]


def _row(case: Case, labels: Labels) -> tuple:
    return (case.id, fmt_date(case.entry_date), fmt_date(case.icu_admission_date),
            fmt_date(case.icu_discharge_date), labels.age_band(case.age_band), labels.sex(case.sex),
            labels.category(case.primary_category), "、".join(labels.organ_supports(case.organ_supports)),
            "、".join(labels.procedures(case.procedures)), labels.outcome(case.outcome),
            case.facility.name, case.director.full_name, labels.status(case.status),
            fmt_date(case.signed_off_at),
            case.summary or "")


def case_csv(cases: Iterable[Case], rules) -> Iterator[bytes]:
    labels = Labels(rules)
    return excel_csv_stream([gettext(h) for h in HEADERS], (_row(c, labels) for c in cases))
