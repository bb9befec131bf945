"""The secretariat's trainee administration (A-S12): the trainee list, one trainee with the
credential history, the training periods and 所属研修施設変更・休止 requests, 基本領域・プログラム状況 with a reason, 研修開始の登録 on the trainee's
behalf, and 再提出依頼 of a provisional credential (A-R10)."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.models import BASIC_PROGRAM_STATUS, BASIC_SPECIALTIES, Role
from portal.blueprints.credentials import bp, services
from portal.blueprints.credentials.forms import ProgramForm, ReplacementForm, TrainingStartForm
from portal.blueprints.credentials.services import CredentialError, periods
from portal.blueprints.credentials.services import start_applications as starts
from portal.blueprints.credentials.services import trainees as admin
from portal.forms import refusal, show_on
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.web import int_arg, roles_required, text_arg

SECRETARIAT = Role.secretariat


@bp.get("/admin/trainees")
@roles_required(SECRETARIAT)
def admin_trainees():
    query, after = text_arg("q"), int_arg("after")
    rows = admin.trainees(query, after)
    return render_page_or_block("credentials/admin/trainees.html", "results", rows=rows,
                                query=query, after=after)


def _program_form(trainee, form: ProgramForm | None = None) -> ProgramForm:
    form = form or ProgramForm(data={"specialty": trainee.jmsb_basic_specialty,
                                     "program_status": trainee.basic_program_status})
    form.specialty.choices = [SelectChoice(k, v) for k, v in BASIC_SPECIALTIES.items()]
    form.program_status.choices = [SelectChoice(k, v) for k, v in BASIC_PROGRAM_STATUS.items()]
    return form


def _start_form(form: TrainingStartForm | None = None) -> TrainingStartForm:
    form = form or TrainingStartForm()
    form.facility_id.choices = [SelectChoice(0, N_("選択してください"))] + [
        SelectChoice(f.id, f.name) for f in starts.facilities()]
    form.director_id.choices = [SelectChoice(0, N_("選択してください"))] + [
        SelectChoice(d.id, d.full_name) for d in starts.directors()]
    return form


def _trainee_page(user_id: int, status: int = 200, **forms):
    trainee = admin.get_trainee(user_id)
    application = services.training_start(trainee)
    enrollments, changes = periods.history(trainee.id)
    return render_template(
        "credentials/admin/trainee.html", trainee=trainee, application=application,
        history=admin.credential_history(trainee.id), enrollments=enrollments, changes=changes,
        training=g.rules.training,
        program_form=forms.get("program_form") or _program_form(trainee),
        start_form=forms.get("start_form") or _start_form(),
        replacement_form=ReplacementForm()), status


@bp.get("/admin/trainees/<int:user_id>")
@roles_required(SECRETARIAT)
def admin_trainee(user_id: int):
    return _trainee_page(user_id)


@bp.post("/admin/trainees/<int:user_id>/program")
@roles_required(SECRETARIAT)
def admin_trainee_program(user_id: int):
    form = _program_form(admin.get_trainee(user_id), ProgramForm())
    if not form.validate_on_submit():
        raise refusal(form).answer_with(
            lambda r: _trainee_page(user_id, r.status, program_form=form))
    try:
        admin.update_program(current_user, user_id, form.specialty.data, form.program_status.data,
                             form.reason.data)
    except CredentialError as exc:
        raise show_on(form, exc).answer_with(
            lambda r: _trainee_page(user_id, r.status, program_form=form)) from None
    flash(N_("基本領域・プログラム状況を変更しました。"), "info")
    return redirect(url_for("credentials.admin_trainee", user_id=user_id), 303)


@bp.post("/admin/trainees/<int:user_id>/training-start")
@roles_required(SECRETARIAT)
def admin_trainee_start(user_id: int):
    admin.get_trainee(user_id)  # another society's or a non-trainee's id: 404 before anything
    form = _start_form(TrainingStartForm())
    if not form.validate_on_submit():
        raise refusal(form).answer_with(lambda r: _trainee_page(user_id, r.status, start_form=form))
    try:
        admin.register_start_on_behalf(current_user, user_id, form.facility_id.data,
                                       form.director_id.data, form.start.data, g.rules)
    except CredentialError as exc:
        raise show_on(form, exc).answer_with(
            lambda r: _trainee_page(user_id, r.status, start_form=form)) from None
    flash(N_("研修開始を登録しました。"), "info")
    return redirect(url_for("credentials.admin_trainee", user_id=user_id), 303)


@bp.post("/admin/credentials/<int:credential_id>/replacement")
@roles_required(SECRETARIAT)
def admin_request_replacement(credential_id: int):
    form = ReplacementForm()
    if not form.validate_on_submit():
        raise refusal(form)
    credential = admin.request_replacement(current_user, credential_id, form.comment.data)
    flash(N_("証票の再提出を依頼しました。専攻医にメールで通知しました。"), "info")
    return redirect(url_for("credentials.admin_trainee", user_id=credential.trainee_id), 303)
