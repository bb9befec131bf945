"""The trainee's case log, gated by A-R06 (credential_approved on every route); 症例レポート
in reports.py."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, render_template
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.cases import bp
from portal.i18n import N_
from portal.registry import registry
from portal.web import roles_required


def entry_block(user, rules) -> str | None:
    """Why this trainee may not enter cases yet (A-R06: the credential module answers, when
    the society has it), or None."""
    return registry().answer("case_entry_block", rules, user)


def credential_approved(view: Callable) -> Callable:
    """A-R06: refused on the server (403 with the reason), not only greyed out in the menu."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        reason = entry_block(current_user, g.rules)
        if reason is not None:
            return render_template("cases/locked.html", reason=reason), 403
        return view(*args, **kwargs)

    return wrapped


@bp.get("/new")
@roles_required(Role.trainee)
@credential_approved
def new_case():
    return render_template("cases/pending_feature.html", title=N_("経験症例新規登録"))


@bp.get("/")
@roles_required(Role.trainee)
@credential_approved
def index():
    return render_template("cases/index.html", title=N_("症例一覧"), cases=[])


from portal.blueprints.cases.views.trainee import reports  # noqa: E402,F401  (症例レポート)
