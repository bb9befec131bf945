"""The secretariat's review of renewal applications: list, detail, document, scan, 合格 and 修正依頼."""
from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.accounts.models import Role
from portal.blueprints.renewal import bp
from portal.blueprints.renewal.forms import CorrectionForm, FailForm, PassForm
from portal.blueprints.renewal.models import (
    EVENT_LABELS,
    ROSTER_LABELS,
    STATUS_LABELS,
    RenewalApplication,
)
from portal.blueprints.renewal.services import applications as services
from portal.blueprints.renewal.services import documents, outcome
from portal.db import utcnow
from portal.forms import EmptyForm, refusal
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.queues import age_arg
from portal.storage import download_response
from portal.web import roles_required


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
    age = age_arg(request.args.get("age"))
    return render_page_or_block("renewal/review_list.html", "rows", status=status, age=age,
                                rows=services.review_list(status, age=age, today=clock.today()),
                                labels=STATUS_LABELS)


@bp.get("/review/<int:application_id>")
@roles_required(Role.secretariat)
def review(application_id: int):
    app = _application(application_id)
    form1, form2 = app.form("application_form"), app.form("overview_form")
    return render_template("renewal/review.html", app=app, form1=form1.data if form1 else {},
                           form2=form2.data if form2 else {}, history=services.history(app),
                           event_labels=EVENT_LABELS, status_labels=STATUS_LABELS,
                           roster_labels=ROSTER_LABELS,
                           form=EmptyForm(), correction_form=CorrectionForm(),
                           pass_form=PassForm(data={"certification_start_date":
                                                    services.period_start(app.window)}),
                           fail_form=FailForm())


@bp.get("/review/<int:application_id>/document.pdf")
@roles_required(Role.secretariat)
def review_document(application_id: int):
    return documents.pdf_response(_application(application_id))


@bp.get("/review/<int:application_id>/scan")
@roles_required(Role.secretariat)
def review_scan(application_id: int):
    app = _application(application_id)
    # Until the facility first submits, the scan is its draft: the society does not see it.
    if app.sealed_file is None or app.submitted_at is None:
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
    form = PassForm()
    if not form.validate_on_submit():
        raise refusal(form)
    return _decide(application_id, partial(outcome.pass_application,
                                           start=form.certification_start_date.data),
                   N_("合格にしました。"))


@bp.post("/review/<int:application_id>/fail")
@roles_required(Role.secretariat)
def fail(application_id: int):
    form = FailForm()
    if not form.validate_on_submit():
        raise refusal(form)
    return _decide(application_id, outcome.fail_application, N_("不合格にしました。"),
                   form.reason.data)


@bp.post("/review/<int:application_id>/correction")
@roles_required(Role.secretariat)
def correction(application_id: int):
    form = CorrectionForm()
    if not form.validate_on_submit():
        raise refusal(form)
    return _decide(application_id, services.request_correction, N_("修正依頼を送信しました。"),
                   form.message.data)


@bp.post("/review/<int:application_id>/roster")
@roles_required(Role.secretariat)
def confirm_roster(application_id: int):
    """Q22: the flagged member numbers were checked another way."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.confirm_roster(current_user, application_id)
    except services.RenewalError as exc:
        exc.back_to(url_for("renewal.review", application_id=application_id))
        raise
    flash(N_("名簿未確認の会員番号を確認済みにしました。"), "info")
    return redirect(url_for("renewal.review", application_id=application_id), 303)
