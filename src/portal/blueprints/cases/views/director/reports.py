"""症例レポート審査: the director's queue and review page (受理 / 差戻し by plain POST and a
redirect); the secretariat reads both without the buttons (services/report_review.py says
why). No accept button in the queue rows: a report is decided after reading it."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.accounts.models import Role
from portal.blueprints.cases import bp
from portal.blueprints.cases.forms.reports import ReviewForm
from portal.blueprints.cases.services import report_review as review
from portal.blueprints.cases.services import reports
from portal.blueprints.cases.services.report_case import case_summary
from portal.blueprints.cases.services.report_diff import diff_versions
from portal.forms import refusal, show_on
from portal.i18n import N_
from portal.queues import age_arg
from portal.web import int_arg, roles_required

READERS = (Role.program_director, Role.secretariat)


def _readable_or_404(report_id: int):
    try:
        return review.get_for_review(current_user, report_id)
    except reports.ReportError as exc:
        abort(exc.status)


@bp.get("/review/reports")
@roles_required(*READERS)
def report_queue():
    after, age = int_arg("after"), age_arg(request.args.get("age"))
    return render_template("cases/report_queue.html", after=after, age=age,
                           rows=review.queue(current_user, after, age=age, today=clock.today()))


def _review_page(report_id: int, form: ReviewForm | None = None, status: int = 200):
    report = _readable_or_404(report_id)
    rows = reports.version_rows(report, submitted_only=True)
    latest = rows[0].version
    previous = rows[1].version if len(rows) > 1 else None
    return render_template(
        "cases/report_review.html", report=report, latest=latest, rows=rows,
        diff=diff_versions(previous, latest) if previous else None,
        summary=case_summary(report.case, g.rules), form=form or ReviewForm(),
        can_decide=review.can_decide(current_user, report)), status


@bp.get("/review/reports/<int:report_id>")
@roles_required(*READERS)
def review_report(report_id: int):
    return _review_page(report_id)


@bp.get("/review/reports/<int:report_id>/versions/<int:number>/diff")
@roles_required(*READERS)
def review_report_diff(report_id: int, number: int):
    report = _readable_or_404(report_id)
    try:
        previous, version = reports.version_pair(report, number, submitted_only=True)
    except reports.ReportError as exc:
        abort(exc.status)
    return render_template("cases/report_diff.html", report=report, previous=previous,
                           version=version, diff=diff_versions(previous, version),
                           back=url_for("cases.review_report", report_id=report.id))


def _decided(report_id: int, action, message: str):
    _readable_or_404(report_id)  # a report not theirs is not there, whatever the form says
    form = ReviewForm()
    if not form.validate_on_submit():
        raise refusal(form).answer_with(lambda r: _review_page(report_id, form, r.status))
    try:
        action(current_user, report_id, form.comment.data)
    except reports.ReportError as exc:
        if exc.status == 404:
            raise
        if exc.field == "comment":
            raise show_on(form, exc).answer_with(
                lambda r: _review_page(report_id, form, r.status)) from None
        raise exc.back_to(url_for("cases.review_report", report_id=report_id)) from None
    flash(message, "info")
    return redirect(url_for("cases.report_queue"), 303)


@bp.post("/review/reports/<int:report_id>/accept")
@roles_required(Role.program_director)
def accept_report(report_id: int):
    return _decided(report_id, review.accept, N_("症例レポートを受理しました。"))


@bp.post("/review/reports/<int:report_id>/return")
@roles_required(Role.program_director)
def return_report(report_id: int):
    return _decided(report_id, review.return_, N_("症例レポートを差し戻しました。"))
