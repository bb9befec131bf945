"""Words a recruitment list repeats on every row, translated once per page: a page of 50
rows called gettext a few hundred times for a dozen different words."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import gettext

from portal.accounts.models import BASIC_SPECIALTIES
from portal.blueprints.recruitment.models import STATUS_LABELS, TRACKS, RecruitmentRound


def translated(labels: Mapping[str, str]) -> dict[str, str]:
    return {code: gettext(label) for code, label in labels.items()}


def row_words(rounds: Iterable[RecruitmentRound] = (), results: Mapping[str, str] | None = None
              ) -> dict:
    """status, track, specialty: code -> words; round: id -> 「2027年度 一次募集」; result: the
    director's 採否 words (queries.director.RESULT_LABELS) when given."""
    return {"status": translated(STATUS_LABELS), "track": translated(TRACKS),
            "specialty": translated(BASIC_SPECIALTIES),
            "round": {r.id: f"{gettext('%(year)d年度', year=r.start_fiscal_year)} {r.label}"
                      for r in rounds},
            "result": translated(results or {})}
