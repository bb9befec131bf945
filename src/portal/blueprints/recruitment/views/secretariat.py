"""The secretariat's recruitment screens: programs, rounds, and the applications list (keyset
pages, filters), detail and CSV. Rules are in services/secretariat.py and services/rounds.py."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.models import BASIC_SPECIALTIES, Role
from portal.blueprints.recruitment import bp
from portal.blueprints.recruitment.forms import ProgramForm, RoundForm
from portal.blueprints.recruitment.models import CURRICULUM_GROUNDS, STATUS_LABELS
from portal.blueprints.recruitment.queries import secretariat as queries
from portal.blueprints.recruitment.services import rounds as rounds_rules
from portal.blueprints.recruitment.services import secretariat as admin
from portal.blueprints.recruitment.ui import row_words
from portal.db import utcnow
from portal.extensions import htmx
from portal.forms import EmptyForm
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.storage import as_attachment
from portal.web import int_arg, roles_required

SECRETARIAT = Role.secretariat


def _refuse(form, render, exc: admin.AdminError):
    """The message next to its field (or above the form), the status, and no change
    (portal.errors calls this after the rollback)."""
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, exc.message]
        return render(form, None, exc.status)
    return render(form, exc.message, exc.status)


def _invalid(form) -> bool:
    """True when the form has field errors to show; a bad CSRF token is a 400."""
    if form.validate_on_submit():
        return False
    if form.csrf_token.errors:
        abort(400)
    return True


def _submit(form, render, save: Callable[[], Any], message: str, target: Callable[[Any], str]):
    """The POST half every create/edit form shares: field errors 422, a refused rule its
    message and status with nothing changed, else a flash and 303 to `target(saved)`."""
    if _invalid(form):
        return render(form, None, 422)
    try:
        saved = save()
    except admin.AdminError as exc:
        if exc.status != 404:  # a 404 is answered as any 404 (portal.errors)
            exc.answer_with(partial(_refuse, form, render))
        raise
    flash(message, "info")
    return redirect(target(saved), 303)


# --- programs ----------------------------------------------------------------------------------

@bp.get("/admin/programs")
@roles_required(SECRETARIAT)
def admin_programs():
    programs = admin.programs()
    return render_template("recruitment/admin/programs.html", programs=programs,
                           seats=admin.seats_by_program(), specialties=BASIC_SPECIALTIES)


def _program_choices(form: ProgramForm) -> ProgramForm:
    pick = [SelectChoice(0, gettext("選択してください"))]
    form.core_facility_id.choices = pick + [SelectChoice(f.id, f.name) for f in admin.facilities()]
    form.director_id.choices = pick + [
        SelectChoice(u.id, f"{u.full_name}（{u.facility.name}）" if u.facility else u.full_name)
        for u in admin.directors()]
    form.specialty.choices = [SelectChoice("", gettext("選択してください"))] + [
        SelectChoice(code, gettext(label)) for code, label in BASIC_SPECIALTIES.items()]
    return form


def _program_page(program_id: int | None):
    def render(form, error=None, status=200):
        return render_template("recruitment/admin/program_form.html", form=_program_choices(form),
                               program_id=program_id, error=error), status
    return render


def _program_input(form: ProgramForm) -> admin.ProgramInput:
    return admin.ProgramInput(
        name=form.name.data, core_facility_id=form.core_facility_id.data or 0,
        director_id=form.director_id.data or 0, specialty=form.specialty.data or "",
        capacity=form.capacity.data, start_fiscal_year=form.start_fiscal_year.data,
        active=bool(form.active.data))


@bp.route("/admin/programs/new", methods=["GET", "POST"])
@roles_required(SECRETARIAT)
def admin_program_new():
    render = _program_page(None)
    form = ProgramForm()
    if not form.is_submitted():
        form.start_fiscal_year.data = admin.fiscal_year(utcnow()) + 1
        return render(form)
    return _submit(form, render, lambda: admin.create_program(current_user, _program_input(form)),
                   N_("プログラムを登録しました。"), lambda program: url_for("recruitment.admin_program_edit", program_id=program.id))


@bp.route("/admin/programs/<int:program_id>/edit", methods=["GET", "POST"])
@roles_required(SECRETARIAT)
def admin_program_edit(program_id: int):
    render = _program_page(program_id)
    try:
        program = admin.get_program(program_id)
    except admin.AdminError:
        abort(404)
    form = ProgramForm(obj=program)  # a POST takes the posted values (unticked 受付中 too)
    if not form.is_submitted():
        return render(form)
    return _submit(form, render, lambda: admin.update_program(current_user, program.id, _program_input(form)),
                   N_("プログラムを更新しました。"), lambda _saved: url_for("recruitment.admin_programs"))


# --- rounds ------------------------------------------------------------------------------------

def _rounds_page(error: str | None = None, status: int = 200):
    now = utcnow()
    rounds = rounds_rules.rounds()
    return render_template("recruitment/admin/rounds.html", rounds=rounds, now=now,
                           locked=rounds_rules.locked_ids(rounds, now), form=EmptyForm(),
                           error=error), status


@bp.get("/admin/rounds")
@roles_required(SECRETARIAT)
def admin_rounds():
    return _rounds_page()


def _round_page(round_=None, locked: bool = False):
    def render(form, error=None, status=200):
        return render_template("recruitment/admin/round_form.html", form=form, round=round_,
                               locked=locked, error=error), status
    return render


def _round_input(form: RoundForm) -> rounds_rules.RoundInput:
    return rounds_rules.RoundInput(
        start_fiscal_year=form.start_fiscal_year.data, seq=form.seq.data, label=form.label.data,
        opens_at=admin.jst_to_utc(form.opens_at.data),
        closes_at=admin.jst_to_utc(form.closes_at.data, end=True),
        decisions_close_at=admin.jst_to_utc(form.decisions_close_at.data, end=True))


@bp.route("/admin/rounds/new", methods=["GET", "POST"])
@roles_required(SECRETARIAT)
def admin_round_new():
    render = _round_page()
    form = RoundForm()
    if not form.is_submitted():
        form.process(data=rounds_rules.suggested_round(utcnow()))
        return render(form)
    return _submit(form, render, lambda: rounds_rules.create_round(current_user, _round_input(form)),
                   N_("募集回を登録しました。"), lambda _saved: url_for("recruitment.admin_rounds"))


def _round_data(round_) -> dict:
    return {"start_fiscal_year": round_.start_fiscal_year, "seq": round_.seq, "label": round_.label,
            "opens_at": admin.to_input(round_.opens_at), "closes_at": admin.to_input(round_.closes_at),
            "decisions_close_at": admin.to_input(round_.decisions_close_at)}


@bp.route("/admin/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@roles_required(SECRETARIAT)
def admin_round_edit(round_id: int):
    try:
        round_ = rounds_rules.get_round(round_id)
    except admin.AdminError:
        abort(404)
    render = _round_page(round_, rounds_rules.is_locked(round_, utcnow()))
    form = RoundForm()
    if not form.is_submitted():
        form.process(data=_round_data(round_))
        return render(form)
    return _submit(form, render, lambda: rounds_rules.update_round(current_user, round_.id, _round_input(form)),
                   N_("募集回を更新しました。"), lambda _saved: url_for("recruitment.admin_rounds"))


@bp.post("/admin/rounds/<int:round_id>/delete")
@roles_required(SECRETARIAT)
def admin_round_delete(round_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        rounds_rules.delete_round(current_user, round_id)
    except admin.AdminError as exc:
        if exc.status != 404:  # a 404 is answered as any 404 (portal.errors)
            exc.answer_with(lambda refused: _rounds_page(refused.message, refused.status))
        raise  # portal.errors rolls back, then shows the rounds as stored, with the message
    flash(N_("募集回を削除しました。"), "info")
    return redirect(url_for("recruitment.admin_rounds"), 303)


def _after() -> int | None:
    return int_arg("after")


@bp.get("/admin/applications")
@roles_required(Role.secretariat)
def admin_applications():
    f = queries.ApplicationFilter.from_args(request.args)
    after = _after()
    rows, options = queries.page(f, after), queries.filter_options(f)
    return render_page_or_block(
        "recruitment/admin/applications.html", "results", rows=rows, next_after=rows.next_after,
        after=after, total=queries.count(f), filter=f, options=options,
        count_cap=queries.COUNT_CAP, oob=bool(htmx), statuses=STATUS_LABELS,
        specialties=BASIC_SPECIALTIES, words=row_words(options.rounds))


@bp.get("/admin/applications/<int:application_id>")
@roles_required(Role.secretariat)
def admin_application(application_id: int):
    application = queries.get_application(application_id)
    if application is None:
        abort(404)
    return render_template("recruitment/admin/application.html", d=queries.detail(application),
                           specialties=BASIC_SPECIALTIES, grounds=CURRICULUM_GROUNDS)


@bp.get("/admin/applications.csv")
@roles_required(Role.secretariat)
def admin_export():
    f = queries.ApplicationFilter.from_args(request.args)
    response = make_response(queries.applications_csv(f))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return as_attachment(response, queries.CSV_FILENAME, queries.CSV_ASCII_FILENAME)
