from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import render_template
from flask_login import current_user

from portal.blueprints.auth.models import Role
from portal.blueprints.cases import bp
from portal.blueprints.credentials.services import case_entry_unlocked
from portal.blueprints.home.menu import NEEDS_APPROVAL
from portal.i18n import N_
from portal.views import roles_required


def credential_approved(view: Callable) -> Callable:
    """A-R06: refused on the server (403 with the reason), not only greyed out in the menu."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not case_entry_unlocked(current_user):
            return render_template("cases/locked.html", reason=NEEDS_APPROVAL), 403
        return view(*args, **kwargs)

    return wrapped


@bp.get("/new")
@roles_required(Role.trainee)
@credential_approved
def new_case():
    return render_template("cases/pending_feature.html", title=N_("経験症例新規登録"))


@bp.get("/reports/new")
@roles_required(Role.trainee)
@credential_approved
def new_report():
    return render_template("cases/pending_feature.html", title=N_("症例レポート新規登録"))


@bp.get("/")
@roles_required(Role.trainee)
@credential_approved
def index():
    return render_template("cases/index.html", title=N_("症例一覧"), cases=[])
