"""Requirement results for one trainee or a page of them: every feature's facts for all of
them at once (Registry.collect, a statement or two per feature), then portal.requirements.
No fact is made up here: one nobody answers counts as none."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from flask_babel import gettext

from portal import requirements
from portal.blueprints.progress import queries
from portal.excel_csv import excel_csv_chunks
from portal.i18n import N_
from portal.registry import registry
from portal.requirements import Result

MET, UNMET = N_("済"), N_("未")
CSV_HEADERS = (N_("会員番号"), N_("氏名"), N_("施設"))
CSV_TAIL = N_("達成数")


@dataclass(frozen=True)
class Progress:
    """One trainee's row: who, and a result per requirement."""

    trainee: object  # a row of queries._trainees(): id, full_name, member_number, facility
    results: list[Result]

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.results if r.met)

    @property
    def unmet_count(self) -> int:
        return len(self.results) - self.met_count


def results_for(rules, trainee_ids: Sequence[int]) -> dict[int, list[Result]]:
    facts = registry().collect("requirement_facts", rules, list(trainee_ids), requirements.today())
    return {tid: requirements.evaluate(rules, facts.get(tid, {})) for tid in trainee_ids}


def progress_of(rules, rows: Sequence) -> list[Progress]:
    found = results_for(rules, [row.id for row in rows]) if rows else {}
    return [Progress(row, found[row.id]) for row in rows]


def cell(result: Result) -> str:
    """「済 12 / 12か月」, 「未 3 / 100例」: the table's and the CSV's cell."""
    return f"{gettext(MET if result.met else UNMET)} {result.counts}"


def cohort_csv(rules, filters: queries.Filters) -> Iterator[bytes]:
    """The whole filtered cohort, CSV_CHUNK trainees at a time (a few statements each)."""
    headers = [gettext(h) for h in CSV_HEADERS] + [gettext(r.label) for r in rules.requirements]
    return excel_csv_chunks(headers + [gettext(CSV_TAIL)], _chunks(rules, filters))


def _chunks(rules, filters: queries.Filters) -> Iterator[list[list[object]]]:
    after = None
    while True:
        rows = queries.cohort(filters, after, queries.CSV_CHUNK)
        if not rows:
            return
        yield [[p.trainee.member_number, p.trainee.full_name, p.trainee.facility,
                *(cell(r) for r in p.results), p.met_count]
               for p in progress_of(rules, rows)]
        if len(rows) < queries.CSV_CHUNK:
            return
        after = rows[-1].id
