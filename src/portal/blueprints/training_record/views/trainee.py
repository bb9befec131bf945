"""The trainee's 専攻医の研修実績 (B-S08 to B-S10): the list with its timeline, then 入力 ->
登録確認 -> 登録 for a new, edited or inserted row, and delete with its own confirmation."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.training_record import bp, ui
from portal.blueprints.training_record.forms import DETAILS_HELP, RecordForm
from portal.blueprints.training_record.models import RECORD_TYPES
from portal.blueprints.training_record.services import RecordError
from portal.blueprints.training_record.services import records as services
from portal.blueprints.training_record.services.enrolment import enrollment_of
from portal.forms import EmptyForm, show_on
from portal.i18n import N_
from portal.web import int_arg, roles_required

DRAFT = "training_record_draft"


@bp.get("/")
@roles_required(Role.trainee)
def index():
    enrollment = enrollment_of(current_user.id)
    return render_template("training_record/index.html",
                           **ui.record_page(enrollment, current_user.id, g.rules, ui.today()))


def _form_page(form: RecordForm, kind: str, action: str, status: int = 200):
    return render_template("training_record/input.html", form=form, kind=kind, action=action,
                           kind_label=RECORD_TYPES[kind], details_help=DETAILS_HELP,
                           anchor_id=int_arg("after")), status


def _input(kind: str, action: str, record=None, anchor_id: int | None = None):
    enrollment = services.require_entry(enrollment_of(current_user.id), g.rules)
    form = ui.record_form(kind, record)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _form_page(form, kind, action, 422)
        draft = ui.draft_of(form, kind, record.id if record else None, anchor_id)
        try:
            services.check_draft(current_user, enrollment, draft, g.rules, ui.today())
        except RecordError as exc:
            show_on(form, exc)
            return _form_page(form, kind, action, exc.status)
        session[DRAFT] = ui.draft_to_session(draft)
        return redirect(url_for("training_record.confirm"), 303)
    return _form_page(form, kind, action)


def _new(kind: str):
    """研修施設の登録 / 中断の登録; ?after=<id> inserts inside or after that row."""
    anchor_id = int_arg("after")
    anchor = services.own_record(current_user.id, anchor_id) if anchor_id else None
    form_action = url_for(ui.NEW[kind], after=anchor_id)
    if anchor is not None and request.method == "GET":
        services.require_entry(enrollment_of(current_user.id), g.rules)
        return _form_page(ui.record_form(kind, None, start=ui.insert_start(anchor)), kind,
                          form_action)
    return _input(kind, form_action, anchor_id=anchor_id)


@bp.route("/new/facility-period", methods=["GET", "POST"])
@roles_required(Role.trainee)
def new_facility_period():
    return _new("facility_period")


@bp.route("/new/interruption", methods=["GET", "POST"])
@roles_required(Role.trainee)
def new_interruption():
    return _new("interruption")


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@roles_required(Role.trainee)
def edit(record_id: int):
    record = services.own_record(current_user.id, record_id)
    if record.source != "manual":
        raise RecordError(services.READ_ONLY, 403)
    return _input(record.record_type, url_for("training_record.edit", record_id=record_id),
                  record=record)


@bp.get("/confirm")
@roles_required(Role.trainee)
def confirm():
    draft = ui.draft_from_session(session.get(DRAFT))
    if draft is None:
        flash(N_("入力内容がありません。もう一度入力してください。"), "error")
        return redirect(url_for("training_record.index"))
    return render_template("training_record/confirm.html", draft=draft, form=EmptyForm(),
                           facility_name=services.facility_name(draft.facility_id),
                           labels=ui.draft_labels(draft), back=ui.back_url(draft))


@bp.post("/register")
@roles_required(Role.trainee)
def register():
    if not EmptyForm().validate_on_submit():
        abort(400)
    draft = ui.draft_from_session(session.get(DRAFT))
    if draft is None:
        return redirect(url_for("training_record.index"), 303)
    try:
        services.register(current_user, enrollment_of(current_user.id), draft, g.rules, ui.today())
    except RecordError as exc:
        exc.back_to(ui.back_url(draft))
        raise
    session.pop(DRAFT, None)
    flash(N_("研修実績を登録しました。"), "info")
    return redirect(url_for("training_record.index"), 303)


@bp.route("/<int:record_id>/delete", methods=["GET", "POST"])
@roles_required(Role.trainee)
def delete(record_id: int):
    record = services.own_record(current_user.id, record_id)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        services.delete(current_user, enrollment_of(current_user.id), record_id, g.rules)
        flash(N_("研修実績を削除しました。"), "info")
        return redirect(url_for("training_record.index"), 303)
    return render_template("training_record/delete.html", record=record, form=EmptyForm())
