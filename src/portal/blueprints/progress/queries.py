"""The trainees a progress page lists: keyset pages of 50 by id, loading only the columns shown.
Which trainees a director has, and who started in a year, are the credentials feature's to
say: it answers with an id subquery, so a page is still one statement."""
from __future__ import annotations

from dataclasses import dataclass

from flask import g
from sqlalchemy import Select, select

from portal.accounts.models import Role, User
from portal.db import inline
from portal.directory.filters import named_like
from portal.directory.models import Facility
from portal.extensions import db
from portal.paging import PAGE_SIZE, Page, keyset, page_of
from portal.registry import registry

CSV_CHUNK = 500  # trainees per chunk of the CSV: a few statements each, however large the cohort


@dataclass(frozen=True)
class Filters:
    """The cohort table's filters (?year= training start year, ?facility=, or ?facility_q=
    part of its name where a society has too many facilities for a select)."""

    year: int | None = None
    facility_id: int | None = None
    facility_q: str = ""

    def args(self) -> dict:
        """The query string that gives these filters back (next page, CSV)."""
        values = {"year": self.year, "facility": self.facility_id, "facility_q": self.facility_q}
        return {k: v for k, v in values.items() if v not in (None, "")}


def _trainees() -> Select:
    return (select(User.id, User.full_name, User.member_number, Facility.name.label("facility"))
            .outerjoin(Facility, Facility.id == User.facility_id)
            .where(User.role == inline(Role.trainee.value)))


def _page(stmt: Select, after: int | None, limit: int = PAGE_SIZE) -> Page:
    """One keyset page by trainee id (portal.paging)."""
    return page_of(list(db.session.execute(keyset(stmt, User.id, after, limit))), limit)


def _director_ids(director) -> Select | None:
    return registry().answer("director_trainee_ids", g.rules, director)


def director_trainees(director, after: int | None = None) -> Page:
    """The trainees whose current 在籍 names this director (none without the credentials module)."""
    ids = _director_ids(director)
    return Page([], None) if ids is None else _page(_trainees().where(User.id.in_(ids)), after)


def director_trainee(director, trainee_id: int):
    ids = _director_ids(director)
    if ids is None:
        return None
    return db.session.execute(_trainees().where(User.id == trainee_id, User.id.in_(ids))).first()


def trainee(trainee_id: int):
    """One trainee of this society (the secretariat sees every one), or None."""
    return db.session.execute(_trainees().where(User.id == trainee_id)).first()


def _cohort(filters: Filters) -> Select:
    stmt = _trainees()
    if filters.facility_id is not None:
        stmt = stmt.where(User.facility_id == filters.facility_id)
    if filters.facility_q:
        stmt = stmt.where(User.facility_id.in_(named_like(filters.facility_q)))
    if filters.year is not None:
        started = registry().answer("trainees_started_in", g.rules, filters.year)
        if started is not None:
            stmt = stmt.where(User.id.in_(started))
    return stmt


def cohort(filters: Filters, after: int | None = None, limit: int = PAGE_SIZE) -> Page:
    return _page(_cohort(filters), after, limit)


def year_filter_available() -> bool:
    """A training start year can filter only where the credentials module says who started."""
    return registry().owns("trainees_started_in", g.rules)
