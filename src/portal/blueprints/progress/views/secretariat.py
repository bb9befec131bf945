"""研修進捗一覧: the society's trainees × its requirements (済/未 with have / need), filtered
by training start year and facility in the URL, 50 a page; and the whole filtered cohort as a
CSV for Excel, streamed a chunk of trainees at a time."""
from __future__ import annotations

from collections.abc import Iterator

from flask import Response, g, stream_with_context

from portal import normalize
from portal.accounts.models import Role
from portal.blueprints.progress import bp, queries, services
from portal.directory.filters import facility_choices
from portal.htmx import render_page_or_block
from portal.tenants.resolve import bind_tenant
from portal.web import int_arg, roles_required, text_arg

SECRETARIAT = Role.secretariat


def _filters() -> queries.Filters:
    year = int_arg("year", minimum=1900, maximum=2999) if queries.year_filter_available() else None
    return queries.Filters(year=year, facility_id=int_arg("facility"),
                           facility_q=normalize.nfkc(text_arg("facility_q")).strip())


@bp.get("/cohort")
@roles_required(SECRETARIAT)
def cohort():
    filters = _filters()
    rows = queries.cohort(filters, int_arg("after"))
    return render_page_or_block(
        "progress/cohort.html", "results", rows=services.progress_of(g.rules, rows),
        next_after=rows.next_after, after=int_arg("after"),
        filters=filters, facilities=facility_choices(),
        year_filter=queries.year_filter_available(), requirements=g.rules.requirements)


@bp.get("/cohort.csv")
@roles_required(SECRETARIAT)
def cohort_csv():
    body = services.cohort_csv(g.rules, _filters())
    response = Response(stream_with_context(_in_tenant(body)), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=training-progress.csv"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _in_tenant(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The view's session ended with the view (and its commit); the stream reads in a new one,
    which must be in this society's scope too (it fails closed otherwise)."""
    bind_tenant(g.tenant)
    yield from chunks
