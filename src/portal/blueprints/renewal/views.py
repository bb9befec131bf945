from __future__ import annotations

from functools import partial

import segno
from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from portal.accounts.models import Role
from portal.blueprints.renewal import bp, services
from portal.blueprints.renewal.forms import (
    PHYSICIAN_ROWS,
    ApplicationForm,
    CorrectionForm,
    OverviewForm,
    ScanForm,
)
from portal.blueprints.renewal.models import STATUS_LABELS, RenewalApplication
from portal.db import utcnow
from portal.forms import EmptyForm
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.pdf import render_pdf
from portal.storage import as_attachment, download_response
from portal.ui import to_jst
from portal.upload_checks import UploadRejected
from portal.web import roles_required

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
    today = to_jst(utcnow()).date()
    form.core_facility_id.choices = [SelectChoice("", gettext("選択してください"))] + [
        SelectChoice(str(c.facility_id), f"{c.facility.name}（{c.certification_number}）")
        for c in services.active_core_facilities(today, exclude=screen.facility.id)]
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
        to_jst(utcnow()).date())
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
        abort(400)
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
        abort(400)
    stored, errors = services.save_overview_form(current_user, form.values(), utcnow())
    screen.application = stored.application
    return render_page_or_block("renewal/form2.html", "status", screen=screen, form=form,
                                errors=errors, saved=stored, form_code="overview_form")


def _pdf_response(app: RenewalApplication):
    form1 = app.form("application_form")
    qr_svg = Markup(segno.make(app.document_number, error="m").svg_inline(scale=3))
    pdf = render_pdf("pdf/renewal_application.html", application=app, qr_svg=qr_svg,
                     data=form1.data if form1 else {}, physicians=app.physicians,
                     issued=to_jst(utcnow()))
    response = make_response(pdf)
    name = f"申請書・在籍証明書_{app.document_number}.pdf"
    response.headers["Content-Type"] = "application/pdf"
    return as_attachment(response, name, f"{app.document_number}.pdf")


@bp.get("/document.pdf")
@roles_required(FACILITY)
def document():
    app = _screen().application
    if app is None or app.form("application_form") is None:
        flash(N_("先に「1.申請書」を入力してください。"), "error")
        return redirect(url_for("renewal.apply"))
    return _pdf_response(app)


def _scan_refused(form: ScanForm, exc: UploadRejected):
    return render_template("renewal/apply.html", screen=_screen(), form=EmptyForm(),
                           scan_form=form, scan_error=exc.message,
                           slot=g.rules.upload(services.SLOT)), exc.status


@bp.post("/scan")
@roles_required(FACILITY)
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


# --- secretariat ---------------------------------------------------------------------------------

def _application(application_id: int) -> RenewalApplication:
    try:
        return services.get_application(application_id)
    except services.RenewalError as exc:
        abort(exc.status)


@bp.get("/review")
@roles_required(Role.secretariat)
def review_list():
    status = request.args.get("status") or None
    status = status if status in STATUS_LABELS else None
    return render_page_or_block("renewal/review_list.html", "rows", status=status,
                                rows=services.review_list(status), labels=STATUS_LABELS)


@bp.get("/review/<int:application_id>")
@roles_required(Role.secretariat)
def review(application_id: int):
    app = _application(application_id)
    form1, form2 = app.form("application_form"), app.form("overview_form")
    return render_template("renewal/review.html", app=app, form1=form1.data if form1 else {},
                           form2=form2.data if form2 else {}, history=services.history(app),
                           form=EmptyForm(), correction_form=CorrectionForm())


@bp.get("/review/<int:application_id>/document.pdf")
@roles_required(Role.secretariat)
def review_document(application_id: int):
    return _pdf_response(_application(application_id))


@bp.get("/review/<int:application_id>/scan")
@roles_required(Role.secretariat)
def review_scan(application_id: int):
    app = _application(application_id)
    if app.sealed_file is None:
        abort(404)
    return download_response(app.sealed_file)


def _decide(application_id: int, action, message: str, *args):
    try:
        action(current_user, application_id, *args, utcnow())
    except services.RenewalError as exc:
        exc.back_to(url_for("renewal.review", application_id=application_id))
        raise  # portal.errors rolls back, then flashes the message on the review page
    flash(message, "info")
    return redirect(url_for("renewal.review", application_id=application_id), 303)


@bp.post("/review/<int:application_id>/pass")
@roles_required(Role.secretariat)
def pass_(application_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _decide(application_id, services.pass_application, N_("合格にしました。"))


@bp.post("/review/<int:application_id>/correction")
@roles_required(Role.secretariat)
def correction(application_id: int):
    form = CorrectionForm()
    if not form.validate_on_submit():
        abort(400)
    return _decide(application_id, services.request_correction, N_("修正依頼を送信しました。"),
                   form.message.data)
