"""The facility's own pages (C-W01): 認定マイページ, 様式1/様式2, the printed PDF, the sealed scan and 申請."""
from __future__ import annotations

from functools import partial

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.models import Role
from portal.blueprints.renewal import bp
from portal.blueprints.renewal.forms import (
    PHYSICIAN_ROWS,
    ApplicationForm,
    OverviewForm,
    ScanForm,
)
from portal.blueprints.renewal.models import AFFILIATION_LABELS
from portal.blueprints.renewal.services import applications as services
from portal.blueprints.renewal.services import documents, outcome
from portal.db import utcnow
from portal.forms import EmptyForm, refusal
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.storage import download_response
from portal.upload_checks import UploadRejected
from portal.web import roles_required, upload_rate_limit, uploads_to

FACILITY = Role.facility_manager


def _screen() -> services.Screen:
    try:
        return services.screen_for(current_user, utcnow())
    except services.RenewalError as exc:
        abort(exc.status)


@bp.get("/")
@roles_required(FACILITY)
def facility():
    return render_template("renewal/facility.html", screen=_screen())


@bp.get("/apply")
@roles_required(FACILITY)
def apply():
    return render_template("renewal/apply.html", screen=_screen(), form=EmptyForm(),
                           scan_form=ScanForm(), slot=g.rules.upload(services.SLOT))


def _form1_context(screen: services.Screen, form: ApplicationForm) -> dict:
    window = screen.application.window if screen.application else screen.window
    cores = services.core_facilities_for(window, exclude=screen.facility.id) if window else []
    form.core_facility_id.choices = [SelectChoice("", gettext("選択してください"))] + [
        SelectChoice(str(c.facility_id), f"{c.facility.name}（{c.certification_number}）")
        for c in cores]
    return {"screen": screen, "form": form, "form_code": "application_form"}


def _fill_form1(screen: services.Screen) -> tuple[ApplicationForm, dict]:
    app = screen.application
    stored = app.form("application_form") if app else None
    if stored is None:
        cert = screen.certification
        data = {"facility_name": screen.facility.name,
                "certification_number": cert.certification_number if cert else ""}
        return ApplicationForm(data=data), {}
    rows = [{"name": p.name, "member_number": p.member_number, "full_time": p.full_time}
            for p in app.physicians]
    rows += [{}] * max(PHYSICIAN_ROWS - len(rows), 1)
    form = ApplicationForm(data={**stored.data, "physicians": rows})
    errors = services.validate_application_form(
        stored.data, services.clean_physicians(rows), app.facility_type, app.facility_id,
        app.window)
    return form, errors


@bp.route("/form1", methods=["GET", "POST"])
@roles_required(FACILITY)
def form1():
    screen = _screen()
    if request.method == "GET":
        form, errors = _fill_form1(screen)
        return render_template("renewal/form1.html", errors=errors, saved=None,
                               **_form1_context(screen, form))
    form = ApplicationForm()
    if not form.validate_on_submit():
        raise refusal(form)  # the message region under htmx (the autosave), else the error page
    # A RenewalError (outside the window, not editable) goes to portal.errors: the message
    # region under htmx (the autosave), else the error page with the message.
    stored, errors = services.save_application_form(
        current_user, form.values(), form.physician_rows(), utcnow())
    screen.application = stored.application
    return render_page_or_block("renewal/form1.html", "status", errors=errors, saved=stored,
                                **_form1_context(screen, form))


@bp.route("/form2", methods=["GET", "POST"])
@roles_required(FACILITY)
def form2():
    screen = _screen()
    if request.method == "GET":
        stored = screen.application.form("overview_form") if screen.application else None
        form = OverviewForm(data=stored.data if stored else {})
        errors = services.validate_overview_form(stored.data) if stored else {}
        return render_template("renewal/form2.html", screen=screen, form=form, errors=errors,
                               saved=None, form_code="overview_form")
    form = OverviewForm()
    if not form.validate_on_submit():
        raise refusal(form)
    stored, errors = services.save_overview_form(current_user, form.values(), utcnow())
    screen.application = stored.application
    return render_page_or_block("renewal/form2.html", "status", screen=screen, form=form,
                                errors=errors, saved=stored, form_code="overview_form")


@bp.get("/document.pdf")
@roles_required(FACILITY)
def document():
    app = _screen().application
    if app is None or app.form("application_form") is None:
        flash(N_("先に「1.申請書」を入力してください。"), "error")
        return redirect(url_for("renewal.apply"))
    return documents.pdf_response(app)


def _scan_refused(form: ScanForm, exc: UploadRejected):
    return render_template("renewal/apply.html", screen=_screen(), form=EmptyForm(),
                           scan_form=form, scan_error=exc.message,
                           slot=g.rules.upload(services.SLOT)), exc.status


@bp.post("/scan")
@uploads_to(services.SLOT)
@roles_required(FACILITY)
@upload_rate_limit
def upload_scan():
    form = ScanForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.upload_scan(current_user, form.file.data, g.rules, utcnow())
    except UploadRejected as exc:
        exc.answer_with(partial(_scan_refused, form))
        raise  # portal.errors rolls back, then shows the page as stored, with the message
    flash(N_("申請書・在籍証明書をアップロードしました。"), "info")
    return redirect(url_for("renewal.apply"), 303)


@bp.get("/scan")
@roles_required(FACILITY)
def scan():
    app = _screen().application
    if app is None or app.sealed_file is None:
        abort(404)
    return download_response(app.sealed_file)


@bp.post("/submit")
@roles_required(FACILITY)
def submit():
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.submit(current_user, utcnow())
    return redirect(url_for("renewal.apply"), 303)


# --- Q20: the core facility's affiliation requests (the task 「連携施設からの連携申請があります。」) ---

@bp.get("/affiliations/<int:affiliation_id>")
@roles_required(FACILITY)
def affiliation(affiliation_id: int):
    try:
        row = outcome.affiliation_for_core(current_user, affiliation_id)
    except services.RenewalError as exc:
        abort(exc.status)
    return render_template("renewal/affiliation.html", row=row, form=EmptyForm(),
                           labels=AFFILIATION_LABELS)


@bp.post("/affiliations/<int:affiliation_id>/acknowledge")
@roles_required(FACILITY)
def acknowledge_affiliation(affiliation_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = url_for("renewal.affiliation", affiliation_id=affiliation_id)
    try:
        outcome.acknowledge_affiliation(current_user, affiliation_id, utcnow())
    except services.RenewalError as exc:
        if exc.status == 404:
            abort(404)
        exc.back_to(back)
        raise
    flash(N_("連携申請を確認しました。"), "info")
    return redirect(back, 303)
