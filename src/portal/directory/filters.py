"""A list's 施設 filter. A society with a few facilities picks one from a select; one with
hundreds types part of the name instead: 2,000 options alone would be 90 KB of every page
of the list (DESIGN.md: a page stays under 40 KB)."""
from __future__ import annotations

from sqlalchemy import select

from portal.directory.models import Facility
from portal.extensions import db

SELECT_MAX = 100  # facilities offered as a select; more are searched by name


def facility_choices() -> list[tuple[int, str]] | None:
    """(id, name) of every facility for the select, or None when there are too many."""
    rows = db.session.execute(select(Facility.id, Facility.name)
                              .order_by(Facility.name, Facility.id).limit(SELECT_MAX + 1)).all()
    return None if len(rows) > SELECT_MAX else [tuple(row) for row in rows]


def named_like(text: str):
    """The ids of the facilities whose name contains `text` (a subquery for a filter)."""
    return select(Facility.id).where(Facility.name.icontains(text, autoescape=True))
