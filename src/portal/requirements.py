"""The completion requirements engine (研修終了要件, issue 16): a society's [[requirements]]
(rules.toml, typed in portal.tenants.rules_training) and one trainee's facts give one result
per requirement, met or unmet, with what the trainee has, what is needed and what is missing.

Facts are a plain dict the features answer through the registry ("requirement_facts",
Registry.collect): credential_approved, cases_total, cases_by_category, accepted_reports,
rotation_days, longest_run_days. A fact nobody answered counts as none (0, False, {}), so a
society without a module simply has its requirements unmet. One function per requirement
kind, found in KINDS: a society with other requirements changes data, never this file.
Imports no feature.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext

from portal.db import utcnow
from portal.i18n import N_
from portal.tenants.rules_training import Requirement
from portal.ui import to_jst

Facts = Mapping[str, Any]

# (have / need) as shown, per unit; the unit is the msgid the page and the CSV show.
_COUNTS = {
    "例": N_("%(have)s / %(need)s例"),
    "件": N_("%(have)s / %(need)s件"),
    "か月": N_("%(have)s / %(need)sか月"),
    "週": N_("%(have)s / %(need)s週"),
    "区分": N_("%(have)s / %(need)s区分"),
}
_MISSING = {
    "例": N_("あと%(n)s例"),
    "件": N_("あと%(n)s件"),
    "か月": N_("あと%(n)sか月"),
    "週": N_("あと%(n)s週"),
    "区分": N_("あと%(n)s区分"),
}
CREDENTIAL_MISSING = N_("証票が未承認です")
APPROVED, NOT_APPROVED = N_("承認済"), N_("未承認")
LOCKED_UNTIL = N_("%(label)sを満たすと利用できます。")


@dataclass(frozen=True)
class Result:
    requirement: Requirement
    met: bool
    have: int
    need: int
    unit: str              # '例', '件', 'か月', '週', '区分', or '' (a yes/no requirement)
    missing: str           # what is still missing, in the request's language; '' when met
    branch: str | None = None  # cases_in_category: the label of the branch or leaf counted

    @property
    def label(self) -> str:
        return self.requirement.label

    @property
    def counts(self) -> str:
        """「8 / 12か月」, or 承認済 / 未承認 for a yes/no requirement."""
        if not self.unit:
            return gettext(APPROVED if self.met else NOT_APPROVED)
        return gettext(_COUNTS[self.unit], have=self.have, need=self.need)


def today() -> date:
    """The day in Japan: periods count up to it."""
    return to_jst(utcnow()).date()


def months(days: int) -> int:
    """Whole months in `days`: days / (365.25 / 12), floored (integers only: 365.25 * 4 = 1461)."""
    return max(days, 0) * 48 // 1461


def weeks(days: int) -> int:
    return max(days, 0) // 7


def _count(requirement: Requirement, have: int, unit: str, branch: str | None = None) -> Result:
    need = requirement.minimum
    short = max(need - have, 0)
    missing = gettext(_MISSING[unit], n=short) if short else ""
    return Result(requirement, short == 0, have, need, unit, missing, branch)


def _credential_approved(req: Requirement, rules, facts: Facts) -> Result:
    approved = bool(facts.get("credential_approved"))
    met = approved or req.minimum == 0
    return Result(req, met, int(approved), 1, "", "" if met else gettext(CREDENTIAL_MISSING))


def _cases_total(req: Requirement, rules, facts: Facts) -> Result:
    return _count(req, int(facts.get("cases_total", 0)), "例")


def _cases_in_category(req: Requirement, rules, facts: Facts) -> Result:
    by_category = facts.get("cases_by_category", {})
    have = sum(by_category.get(code, 0) for code in rules.case_log.codes_under(req.category))
    return _count(req, have, "例", rules.case_log.category_label(req.category))


def _distinct_categories(req: Requirement, rules, facts: Facts) -> Result:
    leaves = set(rules.case_log.leaf_codes())
    have = sum(1 for code, n in facts.get("cases_by_category", {}).items() if n > 0 and code in leaves)
    return _count(req, have, "区分")


def _accepted_reports(req: Requirement, rules, facts: Facts) -> Result:
    return _count(req, int(facts.get("accepted_reports", 0)), "件")


def _rotation_months(req: Requirement, rules, facts: Facts) -> Result:
    return _count(req, months(facts.get("rotation_days", {}).get(req.rotation, 0)), "か月")


def _consecutive_weeks(req: Requirement, rules, facts: Facts) -> Result:
    return _count(req, weeks(facts.get("longest_run_days", {}).get(req.rotation, 0)), "週")


KINDS: dict[str, Callable[[Requirement, Any, Facts], Result]] = {
    "credential_approved": _credential_approved,
    "cases_total": _cases_total,
    "cases_in_category": _cases_in_category,
    "distinct_categories": _distinct_categories,
    "accepted_reports": _accepted_reports,
    "rotation_months": _rotation_months,
    "consecutive_weeks": _consecutive_weeks,
}


def evaluate(rules, facts: Facts, requirements: Iterable[Requirement] | None = None) -> list[Result]:
    """One result per requirement of the society (or of `requirements`), in rules.toml order."""
    chosen = rules.requirements if requirements is None else requirements
    return [KINDS[r.kind](r, rules, facts) for r in chosen]


def unmet(results: Iterable[Result]) -> list[Result]:
    return [r for r in results if not r.met]


def locks_by_endpoint(rules) -> dict[str, tuple[Requirement, ...]]:
    """Menu endpoint -> the requirements that keep it closed until they are met."""
    found: dict[str, tuple[Requirement, ...]] = {}
    for requirement in rules.requirements:
        for endpoint in requirement.locks:
            found[endpoint] = found.get(endpoint, ()) + (requirement,)
    return found


def lock_message(requirement: Requirement) -> str:
    """Why a locked menu item is closed: 「証票の承認を満たすと利用できます。」"""
    return gettext(LOCKED_UNTIL, label=gettext(requirement.label))
