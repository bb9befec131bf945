"""The case log's facts for the requirements engine (registry question "requirement_facts"):
signed-off cases in all and per leaf category, and accepted 症例レポート, for many trainees in
one GROUP BY statement each."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select

from portal.blueprints.cases.models import Case, CaseStatus
from portal.blueprints.cases.services.reports import accepted_report_counts
from portal.db import inline
from portal.extensions import db


def case_facts(trainee_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    facts: dict[int, dict[str, Any]] = {
        tid: {"cases_total": 0, "cases_by_category": {}} for tid in trainee_ids}
    if not facts:
        return facts
    rows = db.session.execute(
        select(Case.trainee_id, Case.primary_category, func.count())
        .where(Case.trainee_id.in_(list(facts)), Case.status == inline(CaseStatus.signed_off.value))
        .group_by(Case.trainee_id, Case.primary_category))
    for trainee_id, category, count in rows:
        facts[trainee_id]["cases_total"] += count
        facts[trainee_id]["cases_by_category"][category] = count
    return facts


def requirement_facts(rules, trainee_ids: Sequence[int], today: date) -> dict[int, dict[str, Any]]:
    """The case log's answer: signed-off cases (one statement) and accepted 症例レポート (one)."""
    facts = case_facts(trainee_ids)
    for trainee_id, count in accepted_report_counts(list(facts)).items():
        facts[trainee_id]["accepted_reports"] = count
    return facts
