"""The applicant's pages: 採否結果 (B-S05), 応募 (B-S04) with a confirmation step, プログラム変更
and 採用辞退 (B-S06). Rules live in services; these only route and render."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.recruitment import bp
from portal.blueprints.recruitment.forms import ApplyForm, WithdrawForm
from portal.blueprints.recruitment.services import applicant as services
from portal.db import utcnow
from portal.i18n import N_
from portal.web import roles_required


def _refused(exc: services.RecruitmentError, template: str = "recruitment/refused.html",
             **context):
    return render_template(template, message=exc.message, **context), exc.status


@bp.get("/")
@roles_required(Role.trainee)
def index():
    screen = services.applicant_screen(current_user)
    return render_template("recruitment/index.html", screen=screen)


@bp.get("/programs")
@roles_required(Role.trainee)
def programs():
    screen = services.applicant_screen(current_user)
    _cal, rows = services.programs_open_to_apply(screen.calendar.now)
    return render_template("recruitment/programs.html", screen=screen, programs=rows)


@bp.route("/programs/<int:program_id>/apply", methods=["GET", "POST"])
@roles_required(Role.trainee)
def apply(program_id: int):
    """GET: choose the track. POST 確認: the confirmation screen. POST 応募する: apply."""
    form = ApplyForm()
    try:
        program = services.get_program(program_id)
        services.check_can_apply(current_user, program, utcnow())
    except services.RecruitmentError as exc:
        return _refused(exc)
    if not form.validate_on_submit():
        return render_template("recruitment/apply.html", form=form, program=program), (
            400 if form.errors else 200)
    try:
        ground = services.check_track(form.track.data, form.curriculum_ground.data or None)
        if form.confirmed.data != "yes":
            return render_template("recruitment/apply_confirm.html", form=form, program=program,
                                   ground=ground)
        services.apply(current_user, program.id, form.track.data, ground)
    except services.RecruitmentError as exc:
        form.curriculum_ground.errors = [exc.message]
        return render_template("recruitment/apply.html", form=form, program=program), exc.status
    flash(N_("応募を受け付けました。採否結果はこの画面でご確認ください。"), "success")
    return redirect(url_for("recruitment.index"), 303)


@bp.route("/applications/<int:application_id>/program/<int:program_id>",
          methods=["GET", "POST"])
@roles_required(Role.trainee)
def change_program(application_id: int, program_id: int):
    """プログラム変更: a confirmation screen, then the change (before any decision)."""
    form = ApplyForm()
    screen = services.applicant_screen(current_user)
    try:
        program = services.get_program(program_id)
        if screen.application is None or screen.application.id != application_id:
            raise services.RecruitmentError(N_("応募が見つかりません。"), 404)
        if screen.change_block:
            raise services.RecruitmentError(screen.change_block)
        if form.validate_on_submit():
            services.change_program(current_user, application_id, program.id)
            flash(N_("応募先のプログラムを変更しました。"), "success")
            return redirect(url_for("recruitment.index"), 303)
    except services.RecruitmentError as exc:
        return _refused(exc)
    return render_template("recruitment/change_confirm.html", form=form, program=program,
                           application=screen.application)


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@roles_required(Role.trainee)
def withdraw(application_id: int):
    """採用辞退: reason, 確認, 申請. The director approves; until then no new application."""
    form = WithdrawForm()
    screen = services.applicant_screen(current_user)
    application = screen.application
    if application is None or application.id != application_id:
        return _refused(services.RecruitmentError(N_("応募が見つかりません。"), 404))
    if not screen.can_withdraw:
        return _refused(services.RecruitmentError(N_("採用が決定している応募のみ辞退できます。")))
    if not form.validate_on_submit():
        return render_template("recruitment/withdraw.html", form=form, application=application), (
            400 if form.errors else 200)
    if form.confirmed.data != "yes":
        return render_template("recruitment/withdraw_confirm.html", form=form,
                               application=application)
    try:
        services.request_withdrawal(current_user, application_id, form.reason.data)
    except services.RecruitmentError as exc:
        form.reason.errors = [exc.message]
        return render_template("recruitment/withdraw.html", form=form,
                               application=application), exc.status
    flash(N_("採用辞退を申請しました。統括責任者が承認すると、メールでお知らせします。"), "success")
    return redirect(url_for("recruitment.index"), 303)
