"""経験症例: 新規登録 (then the case, PRG), 症例一覧 with filters, keyset pages and CSV, and
change or deletion while the director has not signed the case off."""
from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from portal.accounts.models import Role, User
from portal.blueprints.cases import bp
from portal.blueprints.cases.forms.cases import case_form
from portal.blueprints.cases.queries import cases as case_list
from portal.blueprints.cases.services import cases as services
from portal.blueprints.cases.services.case_csv import Labels, case_csv
from portal.blueprints.cases.views.trainee import credential_approved
from portal.directory.models import Facility
from portal.extensions import db
from portal.forms import EmptyForm
from portal.i18n import N_
from portal.storage import as_attachment
from portal.web import int_arg, roles_required

CSV_NAME = "経験症例一覧.csv"


def _form_page(form, case=None, status: int = 200, placement=None):
    return render_template("cases/case_form.html", form=form, case=case, log=g.rules.case_log,
                           placement=placement), status


def _placement_names() -> tuple[Facility, User]:
    facility_id, director_id = services.placement(current_user, g.rules)
    return db.session.get(Facility, facility_id), db.session.get(User, director_id)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.trainee)
@credential_approved
def new_case():
    try:
        placement = _placement_names()
    except services.CaseError as exc:
        return render_template("cases/case_no_placement.html", message=exc.message), exc.status
    form = case_form(g.rules)
    if request.method == "GET":
        form.entry_date.data = services.today()
        return _form_page(form, placement=placement)
    if not form.validate_on_submit() and form.errors.get("csrf_token"):
        abort(400)
    data = form.to_input()
    found = services.problems(g.rules, data, services.today())
    if form.errors or found:
        form.show_problems(found)
        return _form_page(form, status=422, placement=placement)
    case = services.create(current_user, g.rules, data, services.today())
    flash(N_("経験症例を登録しました。統括責任者の承認を受けるまでは変更・削除できます。"), "info")
    return redirect(url_for("cases.show", case_id=case.id), 303)


def _own(case_id: int, editable: bool = False):
    try:
        if editable:
            return services.editable_case(current_user, case_id)
        return services.own_case(current_user, case_id)
    except services.CaseError as exc:
        if exc.status == 404:
            abort(404)
        raise exc.back_to(url_for("cases.show", case_id=case_id)) from None


@bp.get("/<int:case_id>")
@roles_required(Role.trainee)
@credential_approved
def show(case_id: int):
    return render_template("cases/case_detail.html", case=_own(case_id), labels=Labels(g.rules),
                           form=EmptyForm(), back=url_for("cases.index"))


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@roles_required(Role.trainee)
@credential_approved
def edit(case_id: int):
    case = _own(case_id, editable=True)
    if request.method == "GET":
        form = case_form(g.rules, obj=case)
        for item in case.procedures or ():
            if item.get("code") in {c.value for c in form.procedures.choices}:
                form.role_field(item["code"]).data = item.get("role")
        form.procedures.data = [p.get("code") for p in case.procedures or ()]
        return _form_page(form, case)
    form = case_form(g.rules)
    if not form.validate_on_submit() and form.errors.get("csrf_token"):
        abort(400)
    data = form.to_input()
    found = services.problems(g.rules, data, services.today())
    if form.errors or found:
        form.show_problems(found)
        return _form_page(form, case, 422)
    try:
        services.update_case(current_user, g.rules, case_id, data, services.today())
    except services.CaseError as exc:
        raise exc.back_to(url_for("cases.show", case_id=case_id)) from None
    flash(N_("経験症例を変更しました。"), "info")
    return redirect(url_for("cases.show", case_id=case_id), 303)


@bp.route("/<int:case_id>/delete", methods=["GET", "POST"])
@roles_required(Role.trainee)
@credential_approved
def delete(case_id: int):
    """GET asks for confirmation (a page, so it works without JavaScript); POST deletes."""
    case = _own(case_id, editable=True)
    form = EmptyForm()
    if request.method == "GET":
        return render_template("cases/case_delete.html", case=case, labels=Labels(g.rules), form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        services.delete_case(current_user, case_id)
    except services.CaseError as exc:
        raise exc.back_to(url_for("cases.show", case_id=case_id)) from None
    flash(N_("経験症例を削除しました。"), "info")
    return redirect(url_for("cases.index"), 303)


def _filters():
    try:
        return case_list.parse(request.args, g.rules), None
    except case_list.FilterError as exc:
        return case_list.CaseFilters(), str(exc)


@bp.get("/")
@roles_required(Role.trainee)
@credential_approved
def index():
    filters, error = _filters()
    after = int_arg("after")
    rows, more = ([], False) if error else case_list.trainee_page(current_user, filters, g.rules, after)
    return render_template("cases/case_list.html", rows=rows, more=more, filters=filters,
                           error=error, after=after, log=g.rules.case_log,
                           labels=Labels(g.rules)), 400 if error else 200


@bp.get("/export.csv")
@roles_required(Role.trainee)
@credential_approved
def export():
    filters, error = _filters()
    if error:
        return index()
    rows = case_list.trainee_export(current_user, filters, g.rules)
    response = Response(stream_with_context(case_csv(rows, g.rules)), mimetype="text/csv")
    return as_attachment(response, CSV_NAME, "cases.csv")
