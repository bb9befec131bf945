"""The secretariat's dashboard (issue 19 item 3): how many items wait in each queue, by state
and by age in days (Japan time): 0-3, 4-7, 8-14, over 14. A feature declares its queues in
its FEATURE (registry.Queue) with a `counts(today)` built on `counts_by_age`, and its list
accepts ?status=<state>&age=<bucket> through `age_clause`, so each count links to its rows."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, func, select

from portal.clock import start_of_day
from portal.extensions import db
from portal.i18n import N_

AGE_BUCKETS: dict[str, tuple[int, int | None]] = {
    "0-3": (0, 3), "4-7": (4, 7), "8-14": (8, 14), "15-": (15, None)}
AGE_LABELS = {"0-3": N_("0〜3日"), "4-7": N_("4〜7日"), "8-14": N_("8〜14日"),
              "15-": N_("15日以上")}


def age_arg(value: str | None) -> str | None:
    """A bucket from the query string, or None (an unknown value is no filter)."""
    return value if value in AGE_BUCKETS else None


def age_clause(column, bucket: str, today: date):
    """`column` (a UTC timestamp) falls on a Japan-time day whose age today is in `bucket`."""
    low, high = AGE_BUCKETS[bucket]
    clauses = [column < start_of_day(today - timedelta(days=low - 1))]
    if high is not None:
        clauses.append(column >= start_of_day(today - timedelta(days=high)))
    return and_(*clauses)


def counts_by_age(state, since, today: date, *where) -> dict[str, list[int]]:
    """{state: [count per AGE_BUCKETS]} of the rows `where` selects, aged by `since`.
    One statement; grouped in an outer query so the bucket's bound dates appear once."""
    bucket = case((since >= start_of_day(today - timedelta(days=3)), 0),
                  (since >= start_of_day(today - timedelta(days=7)), 1),
                  (since >= start_of_day(today - timedelta(days=14)), 2), else_=3)
    inner = select(state.label("state"), bucket.label("bucket")).where(*where).subquery()
    rows = db.session.execute(select(inner.c.state, inner.c.bucket, func.count())
                              .group_by(inner.c.state, inner.c.bucket))
    found: dict[str, list[int]] = {}
    for name, index, count in rows:
        found.setdefault(name, [0] * len(AGE_BUCKETS))[index] = count
    return found
