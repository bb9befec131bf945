"""Secretariat: the certification start date of a passed 連携施設 application, and facility
accounts (form and CSV import) whose password only the facility itself sets (C-R02)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.renewal import bp
from portal.blueprints.renewal.forms import FacilityForm, ImportForm, StartDateForm
from portal.blueprints.renewal.models import FACILITY_TYPES
from portal.blueprints.renewal.services import affiliation, email_change
from portal.blueprints.renewal.services import applications as services
from portal.db import utcnow
from portal.forms import refusal
from portal.i18n import N_
from portal.ui import to_jst
from portal.web import roles_required

SECRETARIAT = Role.secretariat


def _today():
    return to_jst(utcnow()).date()


def _application(application_id: int):
    try:
        return services.get_application(application_id)
    except services.RenewalError as exc:
        abort(exc.status)


def _start_page(app, form, error=None, status=200):
    row = affiliation.affiliation_for(app.id)
    return render_template("renewal/admin/certification_start.html", app=app, form=form,
                           affiliation=row, error=error), status


@bp.get("/admin/applications/<int:application_id>/certification-start")
@roles_required(SECRETARIAT)
def certification_start(application_id: int):
    app = _application(application_id)
    row = affiliation.affiliation_for(app.id)
    current = app.certification_start_date or (row.notify_on if row else None)
    form = StartDateForm(data={"certification_start_date":
                               current or services.next_april_first(_today())})
    return _start_page(app, form)


@bp.post("/admin/applications/<int:application_id>/certification-start")
@roles_required(SECRETARIAT)
def set_certification_start(application_id: int):
    form = StartDateForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        form.certification_start_date.data = None
    try:
        scheduled = affiliation.set_certification_start(current_user, application_id,
                                                        form.certification_start_date.data)
    except services.RenewalError as exc:
        if exc.status != 404:  # a 404 is answered as any 404 (portal.errors)
            exc.answer_with(lambda refused: _start_page(_application(application_id), form,
                                                        refused.message, refused.status))
        raise  # portal.errors rolls back, then shows the page as stored, with the message
    flash(N_("認定開始日を登録しました。認定開始日に基幹施設へ通知します。") if scheduled
          else N_("認定開始日を登録しました。"), "info")
    return redirect(url_for("renewal.certification_start", application_id=application_id), 303)


def _facilities_page(form=None, import_form=None, row_errors=None, error=None, status=200):
    return render_template("renewal/admin/facilities.html", rows=affiliation.facility_list(),
                           pending=email_change.pending(utcnow()),
                           form=form or FacilityForm(formdata=None), import_form=import_form or ImportForm(),
                           row_errors=row_errors or [], error=error, types=FACILITY_TYPES), status


@bp.get("/admin/facilities")
@roles_required(SECRETARIAT)
def facilities():
    return _facilities_page()


@bp.post("/admin/facilities")
@roles_required(SECRETARIAT)
def create_facility():
    form = FacilityForm()
    if not form.validate_on_submit():
        refused = refusal(form)  # a bad CSRF token aborts here (400)
        return _facilities_page(form=form, error=[refused.message], status=refused.status)
    row = affiliation.clean_row(form.name.data, form.certification_number.data,
                                form.facility_type.data, form.email.data)
    try:
        affiliation.create_facilities(current_user, [row], _today())
    except affiliation.FacilityRowsInvalid as exc:
        form.email.data = ""  # an address is not echoed back (it must be typed again)
        exc.answer_with(lambda refused: _facilities_page(form=form, error=refused.errors[0][1],
                                                         status=422))
        raise  # portal.errors rolls back, then shows the list as stored, with the message
    flash(N_("施設を登録し、パスワード設定のご案内をメールで送信しました。"), "info")
    return redirect(url_for("renewal.facilities"), 303)


@bp.post("/admin/facilities/import")
@roles_required(SECRETARIAT)
def import_facilities():
    form = ImportForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data
    data = upload.read(2 * 1024 * 1024 + 1) if upload else b""
    try:
        if len(data) > 2 * 1024 * 1024:
            raise affiliation.CsvInvalid(N_("CSVファイルは2MB以下にしてください。"))
        rows = affiliation.parse_csv(data)
        created = affiliation.create_facilities(current_user, rows, _today())
    except affiliation.CsvInvalid as exc:
        exc.answer_with(lambda refused: _facilities_page(import_form=form, error=[refused.message],
                                                         status=422))
        raise  # portal.errors rolls back, then shows the list as stored, with the message
    except affiliation.FacilityRowsInvalid as exc:
        exc.answer_with(lambda refused: _facilities_page(import_form=form,
                                                         row_errors=refused.errors, status=422))
        raise
    flash(gettext("%(count)d件の施設を登録し、パスワード設定のご案内をメールで送信しました。", count=len(created)), "info")
    return redirect(url_for("renewal.facilities"), 303)
