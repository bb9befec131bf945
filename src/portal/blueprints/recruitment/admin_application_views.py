"""The secretariat's applications: list with filters (keyset pages of 100), one application
with its audit history, and the CSV for Japanese Excel with the same filters."""
from __future__ import annotations

from flask import abort, make_response, render_template, request

from portal.accounts.models import BASIC_SPECIALTIES, Role
from portal.blueprints.recruitment import admin_queries as queries
from portal.blueprints.recruitment import bp, services
from portal.blueprints.recruitment.models import CURRICULUM_GROUNDS, STATUS_LABELS
from portal.db import utcnow
from portal.extensions import htmx
from portal.htmx import render_page_or_block
from portal.storage import as_attachment
from portal.web import roles_required


def _after() -> int | None:
    raw = request.args.get("after", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


@bp.get("/admin/applications")
@roles_required(Role.secretariat)
def admin_applications():
    services.close_due_rounds(utcnow())  # statuses as of now, even before the nightly job ran
    f = queries.ApplicationFilter.from_args(request.args)
    after = _after()
    rows, next_after = queries.page(f, after)
    return render_page_or_block(
        "recruitment/admin/applications.html", "results", rows=rows, next_after=next_after,
        after=after, total=queries.count(f), filter=f, options=queries.filter_options(f), count_cap=queries.COUNT_CAP, oob=bool(htmx),
        statuses=STATUS_LABELS, specialties=BASIC_SPECIALTIES)


@bp.get("/admin/applications/<int:application_id>")
@roles_required(Role.secretariat)
def admin_application(application_id: int):
    services.close_due_rounds(utcnow())
    application = queries.get_application(application_id)
    if application is None:
        abort(404)
    return render_template("recruitment/admin/application.html", d=queries.detail(application),
                           specialties=BASIC_SPECIALTIES, grounds=CURRICULUM_GROUNDS)


@bp.get("/admin/applications.csv")
@roles_required(Role.secretariat)
def admin_export():
    services.close_due_rounds(utcnow())
    f = queries.ApplicationFilter.from_args(request.args)
    response = make_response(queries.applications_csv(f))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return as_attachment(response, queries.CSV_FILENAME, queries.CSV_ASCII_FILENAME)
