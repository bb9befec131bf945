"""The trainee's side of the case log. Every route is behind the A-R06 gate (an approved
credential), refused on the server, not only greyed out in the menu; topic modules below
(cases: 経験症例, reports: 症例レポート)."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, render_template
from flask_login import current_user

from portal.blueprints.cases import bp  # noqa: F401  (the topic modules below register on it)
from portal.registry import registry


def entry_block(user, rules) -> str | None:
    """Why this trainee may not enter cases yet (A-R06: the credential module answers, when
    the society has it), or None."""
    return registry().answer("case_entry_block", rules, user)


def _owns(kwargs: dict) -> bool:
    """Whether the row a route names is this trainee's (a case or a report); any other id is
    not there."""
    from portal.blueprints.cases.services.cases import CaseError, own_case
    from portal.blueprints.cases.services.reports import ReportError, own_report

    try:
        if "case_id" in kwargs:
            own_case(current_user, kwargs["case_id"])
        elif "report_id" in kwargs:
            own_report(current_user, kwargs["report_id"])
        else:
            return False
    except (CaseError, ReportError):
        return False
    return True


def credential_approved(view: Callable) -> Callable:
    """A-R06: refused on the server (403 with the reason), not only greyed out in the menu. A
    route naming a row that is not the trainee's answers 404 first, as everywhere."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        reason = entry_block(current_user, g.rules)
        if reason is not None:
            if kwargs and not _owns(kwargs):
                abort(404)
            return render_template("cases/locked.html", reason=reason), 403
        return view(*args, **kwargs)

    return wrapped


from portal.blueprints.cases.views.trainee import cases, reports  # noqa: E402, F401
