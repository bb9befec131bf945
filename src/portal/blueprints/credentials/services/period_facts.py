"""The credentials feature's answer to "requirement_facts" (issue 16 item 5): for many
trainees at once, whether a 証票 is approved and how many days of each rotation they have
trained, in all and in their longest unbroken run. Three statements whatever the number of
trainees (approved credentials, periods, approved 休止); the arithmetic is in Python.

Days are whole calendar days, both ends counted: a period from 1 April to 30 April is 30
days, a period still open counts up to and including `today`, a period starting after
`today` counts nothing yet. An approved 休止 takes its days out and splits the run it falls
in; two periods of the same rotation that meet (a facility change with no gap) are one run.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from portal.blueprints.credentials.models import Credential, Enrollment, PeriodChange
from portal.blueprints.credentials.services import UNLOCKING
from portal.db import inline
from portal.extensions import db

Span = tuple[date, date]  # first and last day, both included
DAY = timedelta(days=1)


def _days(span: Span) -> int:
    return (span[1] - span[0]).days + 1


def _cut(span: Span, pauses: Sequence[Span]) -> list[Span]:
    """`span` without the days of `pauses` (which may overlap it or not)."""
    pieces = [span]
    for p_start, p_end in pauses:
        kept = []
        for start, end in pieces:
            if p_end < start or p_start > end:
                kept.append((start, end))
                continue
            if start < p_start:
                kept.append((start, p_start - DAY))
            if p_end < end:
                kept.append((p_end + DAY, end))
        pieces = kept
    return pieces


def _merged(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans as one (a day is never counted twice)."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def rotation_facts(periods: Iterable[tuple[str, date, date | None]], pauses: Sequence[Span],
                   today: date, rotations: Sequence[str]) -> tuple[dict[str, int], dict[str, int]]:
    """(rotation_days, longest_run_days) of one trainee. `periods` are (rotation, from, to or
    None while open); every code of `rotations` is in both dicts, 0 when never trained."""
    by_rotation: dict[str, list[Span]] = defaultdict(list)
    for rotation, start, end in periods:
        last = min(end or today, today)
        if start <= last:
            by_rotation[rotation].extend(_cut((start, last), pauses))
    days = dict.fromkeys(rotations, 0)
    runs = dict.fromkeys(rotations, 0)
    for rotation, spans in by_rotation.items():
        lengths = [_days(s) for s in _merged(spans)]
        days[rotation] = sum(lengths)
        runs[rotation] = max(lengths, default=0)
    return days, runs


def requirement_facts(rules, trainee_ids: Sequence[int], today: date) -> dict[int, dict[str, Any]]:
    ids = sorted(set(trainee_ids))
    if not ids:
        return {}
    codes = [r.code for r in rules.training.rotations]
    approved = set(db.session.scalars(
        select(Credential.trainee_id).where(Credential.trainee_id.in_(ids),
                                            Credential.status.in_(UNLOCKING)).distinct()))
    periods: dict[int, list] = defaultdict(list)
    for trainee_id, rotation, start, end in db.session.execute(
            select(Enrollment.trainee_id, Enrollment.rotation, Enrollment.from_date,
                   Enrollment.to_date).where(Enrollment.trainee_id.in_(ids))):
        periods[trainee_id].append((rotation or codes[0], start, end))
    pauses: dict[int, list[Span]] = defaultdict(list)
    for trainee_id, start, end in db.session.execute(
            select(PeriodChange.trainee_id, PeriodChange.start_date, PeriodChange.end_date)
            .where(PeriodChange.trainee_id.in_(ids), PeriodChange.kind == inline("suspension"),
                   PeriodChange.status == inline("approved"))):
        pauses[trainee_id].append((start, end))
    facts = {}
    for trainee_id in ids:
        days, runs = rotation_facts(periods[trainee_id], pauses[trainee_id], today, codes)
        facts[trainee_id] = {"credential_approved": trainee_id in approved,
                             "rotation_days": days, "longest_run_days": runs}
    return facts
