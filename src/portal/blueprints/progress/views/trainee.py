"""研修終了要件チェック: the trainee's own requirements, each met or unmet with what is missing."""
from __future__ import annotations

from flask import g, render_template
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.progress import bp, services
from portal.web import roles_required


@bp.get("/")
@roles_required(Role.trainee)
def check():
    results = services.results_for(g.rules, [current_user.id])[current_user.id]
    return render_template("progress/check.html", results=results, trainee=None)
