"""Secretariat: 事務局ダッシュボード (every queue by state and age) and 期限超過一覧."""
from __future__ import annotations

from datetime import date

from flask import render_template, request

from portal import clock
from portal.accounts.models import Role
from portal.blueprints.deadlines import bp, services
from portal.queues import AGE_LABELS
from portal.web import int_arg, roles_required

SECRETARIAT = Role.secretariat


@bp.get("/dashboard")
@roles_required(SECRETARIAT)
def dashboard():
    today = clock.today()
    return render_template("deadlines/dashboard.html", rows=services.dashboard(today),
                           ages=AGE_LABELS, overdue=services.overdue_count(today), today=today)


def _after() -> tuple[date, int] | None:
    """?after_due=YYYY-MM-DD&after=<id>: the last row of the previous page."""
    task_id = int_arg("after")
    try:
        due = date.fromisoformat(request.args.get("after_due", ""))
    except ValueError:
        return None
    return (due, task_id) if task_id else None


@bp.get("/overdue")
@roles_required(SECRETARIAT)
def overdue():
    today = clock.today()
    rows = services.overdue(today, _after())
    return render_template("deadlines/overdue.html", rows=rows, today=today,
                           more=len(rows) == services.PAGE)
