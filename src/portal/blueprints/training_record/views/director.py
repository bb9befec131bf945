"""The program director's view of their trainees' records (issue 17 item 8), with the same
timeline as the trainee's, and the approval of a delayed start (B-R25)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.training_record import bp, queries, ui
from portal.blueprints.training_record.services import settings
from portal.forms import EmptyForm
from portal.i18n import N_
from portal.web import int_arg, roles_required


@bp.get("/director/trainees")
@roles_required(Role.program_director, Role.secretariat)
def director_trainees():
    rows = queries.enrollments(current_user, int_arg("after"))
    more = len(rows) > queries.PAGE
    return render_template("training_record/director/trainees.html", rows=rows[:queries.PAGE],
                           more=more, endpoint="training_record.director_trainees")


@bp.get("/director/trainees/<int:enrollment_id>")
@roles_required(Role.program_director, Role.secretariat)
def director_trainee(enrollment_id: int):
    enrollment = queries.enrollment_for(current_user, enrollment_id)
    page = ui.record_page(enrollment, enrollment.trainee_id, g.rules, ui.today())
    return render_template("training_record/director/trainee.html", form=EmptyForm(),
                           history=queries.track_history(enrollment.id), **page)


@bp.post("/director/trainees/<int:enrollment_id>/approve-delay")
@roles_required(Role.program_director)
def approve_delay(enrollment_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    enrollment = queries.enrollment_for(current_user, enrollment_id)
    settings.approve_delay(current_user, enrollment)
    flash(N_("研修開始の遅れを承認しました。"), "info")
    return redirect(url_for("training_record.director_trainee", enrollment_id=enrollment_id), 303)
