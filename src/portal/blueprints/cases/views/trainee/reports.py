"""症例レポート, the trainee's pages: the list, 新規登録, the report with its versions, editing a
draft or a returned report, 提出, and the 差分 of a version. Every route is A-R06-gated."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.cases import bp
from portal.blueprints.cases.forms.reports import BODY_HINT, ReportEditForm, ReportForm
from portal.blueprints.cases.services import reports
from portal.blueprints.cases.services.report_case import case_summary
from portal.blueprints.cases.services.report_diff import diff_versions
from portal.blueprints.cases.views.trainee import credential_approved
from portal.forms import EmptyForm, refusal, show_on
from portal.i18n import N_
from portal.web import int_arg, roles_required

SAVED = {False: N_("下書きを保存しました。"),
         True: N_("症例レポートを提出しました。統括責任者の審査をお待ちください。")}


def _wants_submit() -> bool:
    """The form has two buttons: 下書き保存 (action=draft) and 提出 (action=submit)."""
    return request.form.get("action") == "submit"


def _own_or_404(report_id: int):
    try:
        return reports.own_report(current_user, report_id)
    except reports.ReportError as exc:
        abort(exc.status)


@bp.get("/reports/")
@roles_required(Role.trainee)
@credential_approved
def reports_list():
    after = int_arg("after")
    rows = reports.own_reports(current_user, after_id=after)
    return render_template("cases/report_list.html", rows=rows, after=after)


def _new_page(form: ReportForm, status: int = 200, existing: int | None = None):
    return render_template("cases/report_form.html", form=form, report=None, existing=existing,
                           hint=BODY_HINT), status


@bp.route("/reports/new", methods=["GET", "POST"])
@roles_required(Role.trainee)
@credential_approved
def new_report():
    """症例レポート新規登録: one of the trainee's cases (?case=<id> chosen already), 表題, 本文."""
    form = ReportForm()
    wanted = int_arg("case") if request.method == "GET" else form.case_id.data or None
    form.case_id.choices = [(0, gettext("選択してください"))] + reports.case_choices(
        current_user, g.rules, wanted)
    if request.method == "GET":
        existing = reports.report_for_case(current_user, wanted) if wanted else None
        if wanted and any(value == wanted for value, _label in form.case_id.choices):
            form.case_id.data = wanted
        return _new_page(form, existing=existing)
    if not form.validate_on_submit():
        raise refusal(form).answer_with(lambda r: _new_page(form, r.status))
    try:
        report = reports.create(current_user, form.case_id.data, form.title.data,
                                form.body.data, _wants_submit())
    except reports.ReportExists as exc:
        raise show_on(form, exc).answer_with(
            lambda r: _new_page(form, r.status, existing=r.report_id)) from None
    except reports.ReportError as exc:
        raise show_on(form, exc).answer_with(lambda r: _new_page(form, r.status)) from None
    flash(SAVED[_wants_submit()], "info")
    return redirect(url_for("cases.report", report_id=report.id), 303)


@bp.get("/reports/<int:report_id>")
@roles_required(Role.trainee)
@credential_approved
def report(report_id: int):
    found = _own_or_404(report_id)
    return render_template(
        "cases/report.html", report=found, current=reports.current_text(found),
        rows=reports.version_rows(found), summary=case_summary(found.case, g.rules),
        editable=found.status in reports.EDITABLE, form=EmptyForm())


def _edit_page(report, form: ReportEditForm, status: int = 200):
    return render_template("cases/report_form.html", form=form, report=report, existing=None,
                           hint=BODY_HINT, rows=reports.version_rows(report)), status


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@roles_required(Role.trainee)
@credential_approved
def edit_report(report_id: int):
    """A draft is written over; a returned report is revised into its next version. Submitted
    and accepted reports are refused here too, not only hidden on the page."""
    found = _own_or_404(report_id)
    if found.status not in reports.EDITABLE:
        raise reports.ReportError(reports.FROZEN, 409).back_to(
            url_for("cases.report", report_id=found.id))
    if request.method == "GET":
        return _edit_page(found, ReportEditForm(obj=reports.current_text(found)))
    form = ReportEditForm()
    if not form.validate_on_submit():
        raise refusal(form).answer_with(lambda r: _edit_page(_own_or_404(report_id), form, r.status))
    try:
        reports.save(current_user, found.id, form.title.data, form.body.data, _wants_submit())
    except reports.ReportError as exc:
        if exc.status == 409:
            raise exc.back_to(url_for("cases.report", report_id=report_id)) from None
        raise show_on(form, exc).answer_with(
            lambda r: _edit_page(_own_or_404(report_id), form, r.status)) from None
    flash(SAVED[_wants_submit()], "info")
    return redirect(url_for("cases.report", report_id=report_id), 303)


@bp.post("/reports/<int:report_id>/submit")
@roles_required(Role.trainee)
@credential_approved
def submit_report(report_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        reports.submit(current_user, report_id)
    except reports.ReportError as exc:
        if exc.status == 404:
            raise
        raise exc.back_to(url_for("cases.report", report_id=report_id)) from None
    flash(SAVED[True], "info")
    return redirect(url_for("cases.report", report_id=report_id), 303)


@bp.get("/reports/<int:report_id>/versions/<int:number>/diff")
@roles_required(Role.trainee)
@credential_approved
def report_diff(report_id: int, number: int):
    """差分 of version `number` against the one before it."""
    found = _own_or_404(report_id)
    try:
        previous, version = reports.version_pair(found, number)
    except reports.ReportError as exc:
        abort(exc.status)
    return render_template("cases/report_diff.html", report=found, previous=previous,
                           version=version, diff=diff_versions(previous, version),
                           back=url_for("cases.report", report_id=found.id))
