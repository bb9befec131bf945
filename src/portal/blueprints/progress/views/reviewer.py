"""One trainee's 研修終了要件チェック as their program director or the secretariat sees it.
A director sees only the trainees whose current 在籍 names them; any other id, like another
society's, is a 404."""
from __future__ import annotations

from flask import abort, g, render_template
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.progress import bp, queries, services
from portal.web import roles_required


@bp.get("/trainees/<int:trainee_id>")
@roles_required(Role.program_director, Role.secretariat)
def trainee_check(trainee_id: int):
    if current_user.role == Role.secretariat.value:
        trainee = queries.trainee(trainee_id)
    else:
        trainee = queries.director_trainee(current_user, trainee_id)
    if trainee is None:
        abort(404)
    results = services.results_for(g.rules, [trainee.id])[trainee.id]
    return render_template("progress/check.html", results=results, trainee=trainee)
