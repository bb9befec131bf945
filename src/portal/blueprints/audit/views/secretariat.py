"""Secretariat: the audit trail, filters in the URL, newest first (`?before=` keyset), and
the same filters exported as a CSV for Excel (BOM, no cell Excel would run as a formula)."""
from __future__ import annotations

from flask import Response, request
from flask_babel import gettext

from portal.accounts.models import ROLE_LABELS, Role
from portal.blueprints.audit import bp, queries
from portal.excel_csv import excel_csv
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.ui import fmt_datetime
from portal.web import int_arg, roles_required

SECRETARIAT = Role.secretariat
HEADERS = (N_("日時"), N_("操作者ログインID"), N_("操作者"), N_("操作者の役割"), N_("操作"),
           N_("対象"), N_("対象ID"), N_("変更前"), N_("変更後"), N_("理由"))


def _filters() -> tuple[queries.Filters, queries.FilterError | None]:
    try:
        return queries.parse(request.args, int_arg("subject_id")), None
    except queries.FilterError as exc:
        return queries.Filters(), exc


@bp.get("")
@roles_required(SECRETARIAT)
def admin_list():
    filters, error = _filters()
    before = int_arg("before")
    rows = [] if error else queries.events(filters, before)
    return render_page_or_block(
        "audit/admin/list.html", "results", status=400 if error else 200, rows=rows,
        next_before=getattr(rows, "next_after", None), before=before,
        filters=filters, error=error, raw=request.args,
        role_labels=ROLE_LABELS, export_max=queries.EXPORT_MAX)


@bp.get("/export.csv")
@roles_required(SECRETARIAT)
def admin_export():
    filters, error = _filters()
    if error:
        return admin_list()
    rows = ((fmt_datetime(e.created_at), login_id, name, e.actor_role, e.action, e.entity_type,
             e.entity_id, e.from_state, e.to_state, e.reason)
            for e, login_id, name in queries.export_rows(filters))
    body = excel_csv([gettext(h) for h in HEADERS], rows)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=audit-log.csv"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
