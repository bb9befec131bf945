"""The reviewers' side (A-W03): the program director's and the secretariat's queue, approve and return."""
from __future__ import annotations

from functools import partial

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.accounts.models import Role
from portal.blueprints.credentials import bp, services
from portal.blueprints.credentials.forms import ReturnForm
from portal.blueprints.credentials.services import periods
from portal.blueprints.credentials.services import start_applications as starts
from portal.extensions import htmx
from portal.forms import EmptyForm, refusal
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.queues import age_arg
from portal.web import int_arg, roles_required

REVIEWERS = (Role.program_director, Role.secretariat)

QUEUE = "credentials/queue.html"


@bp.get("/review/credentials")
@roles_required(*REVIEWERS)
def queue():
    after, age = int_arg("after"), age_arg(request.args.get("age"))
    rows = services.review_queue(current_user, after_id=after, age=age, today=clock.today())
    return render_page_or_block(QUEUE, "rows", rows=rows, after=after, age=age, form=EmptyForm())


def _reviewable_or_abort(credential_id: int):
    try:
        return services.get_for_review(current_user, credential_id)
    except services.CredentialError as exc:
        abort(exc.status)


@bp.get("/review/credentials/<int:credential_id>")
@roles_required(*REVIEWERS)
def review(credential_id: int):
    credential = _reviewable_or_abort(credential_id)
    return render_template("credentials/review.html", credential=credential, form=EmptyForm(),
                           return_form=ReturnForm(),
                           required=services.document_choices(credential.trainee))


def _row(credential, status: int = 200, **context):
    """The queue row of `credential` (htmx), or the queue showing that row alone. The 承認
    buttons submit one form outside the table (queue.html), so htmx is told which row the
    answer replaces."""
    response = render_page_or_block(QUEUE, "row", status, credential=credential,
                                    rows=[credential], after=None, form=EmptyForm(), **context)
    if htmx:
        response.headers["HX-Retarget"] = f"#credential-{credential.id}"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.get("/review/credentials/<int:credential_id>/row")
@roles_required(*REVIEWERS)
def row(credential_id: int):
    """One queue row for htmx to refresh in place; without htmx, the queue with this row."""
    return _row(_reviewable_or_abort(credential_id))


@bp.get("/review/credentials/<int:credential_id>/return")
@roles_required(*REVIEWERS)
def return_form(credential_id: int):
    """差戻し from the queue: htmx opens the reason form in the row (the queue's rows carry
    no form of their own, to stay small); without JS, the credential's page and its form."""
    credential = _reviewable_or_abort(credential_id)
    if not htmx:
        return redirect(url_for("credentials.review", credential_id=credential.id,
                                _anchor="reason"), 303)
    return _row(credential, returning=True)


def _refused_row(credential_id: int, exc: services.CredentialError):
    """The queue row as it now is (after the rollback), with the message in it."""
    return _row(services.get_for_review(current_user, credential_id), exc.status,
                error=exc.message)


def _after_review(credential_id: int, action, message: str, *args):
    try:
        credential = action(current_user, credential_id, *args)
    except services.CredentialError as exc:
        if exc.status in (403, 404):
            raise  # htmx: the message region; otherwise the error page
        if htmx:
            exc.answer_with(partial(_refused_row, credential_id))
        else:
            exc.back_to(url_for("credentials.review", credential_id=credential_id))
        raise  # portal.errors rolls back, then answers as said
    if htmx:
        return _row(credential, notice=message)
    flash(message, "info")
    return redirect(url_for("credentials.queue"), 303)


@bp.post("/review/credentials/<int:credential_id>/approve")
@roles_required(*REVIEWERS)
def approve(credential_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    first_rotation = g.rules.training.rotations[0].code
    return _after_review(credential_id, partial(services.approve, rotation=first_rotation),
                         N_("承認しました。"))


@bp.post("/review/credentials/<int:credential_id>/return")
@roles_required(*REVIEWERS)
def return_(credential_id: int):
    form = ReturnForm()
    if form.validate_on_submit() or not form.reason.data:
        return _after_review(credential_id, services.return_credential, N_("差し戻しました。"),
                            form.reason.data or "")
    refused = refusal(form, 400)  # a bad CSRF token aborts here (400)
    return _after_review(credential_id, partial(_refuse, refused.message), "")


def _refuse(message: str, actor, credential_id: int):
    """A reason the form refused (control characters, too long): answered like the service's
    refusals, once the credential is known to be the reviewer's (else 404)."""
    services.get_for_review(actor, credential_id)
    raise services.CredentialError(message, 400)


# --- 研修開始申請 (A-W01): the named director's (or the secretariat's) decision ------------------

@bp.get("/review/training-starts")
@roles_required(*REVIEWERS)
def training_start_queue():
    after, age = int_arg("after"), age_arg(request.args.get("age"))
    return render_template("credentials/training_start_queue.html", age=age, after=after,
                           rows=starts.queue(current_user, after, age=age, today=clock.today()),
                           form=EmptyForm())


@bp.get("/review/training-starts/<int:application_id>/return")
@roles_required(*REVIEWERS)
def training_start_return_form(application_id: int):
    """差戻し: the application alone with its reason form (the queue's rows carry no form of
    their own, so a page of 50 stays small)."""
    try:
        application = starts.pending_for(current_user, application_id)
    except services.CredentialError as exc:
        abort(exc.status)
    return render_template("credentials/training_start_queue.html", rows=[application],
                           returning=True, form=EmptyForm(), return_form=ReturnForm())


def _start_decided(action, message: str, *args):
    try:
        action(current_user, *args)
    except services.CredentialError as exc:
        if exc.status in (403, 404):
            raise
        exc.back_to(url_for("credentials.training_start_queue"))
        raise
    flash(message, "info")
    return redirect(url_for("credentials.training_start_queue"), 303)


@bp.post("/review/training-starts/<int:application_id>/approve")
@roles_required(*REVIEWERS)
def training_start_approve(application_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _start_decided(starts.approve, N_("研修開始申請を承認しました。"), application_id)


@bp.post("/review/training-starts/<int:application_id>/return")
@roles_required(*REVIEWERS)
def training_start_return(application_id: int):
    form = ReturnForm()
    if not form.validate_on_submit():
        raise refusal(form).back_to(url_for("credentials.training_start_queue"))
    return _start_decided(starts.return_, N_("研修開始申請を差し戻しました。"), application_id,
                          form.reason.data)


# --- 所属研修施設変更・休止 (issue 16 item 2): htmx rows like the credential queue -------------------

PERIOD_QUEUE = "credentials/period_queue.html"


@bp.get("/review/training-periods")
@roles_required(*REVIEWERS)
def period_queue():
    after, age = int_arg("after"), age_arg(request.args.get("age"))
    rows = periods.queue(current_user, after_id=after, age=age, today=clock.today())
    return render_page_or_block(PERIOD_QUEUE, "rows", rows=rows, after=after, age=age,
                                training=g.rules.training, form=EmptyForm())


def _period_row(change, status: int = 200, **context):
    """As _row: the 承認 buttons submit one form outside the table, so htmx is told which
    row the answer replaces."""
    response = render_page_or_block(PERIOD_QUEUE, "row", status, change=change, rows=[change],
                                    after=None, training=g.rules.training, form=EmptyForm(),
                                    **context)
    if htmx:
        response.headers["HX-Retarget"] = f"#period-change-{change.id}"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.get("/review/training-periods/<int:change_id>/return")
@roles_required(*REVIEWERS)
def period_return_form(change_id: int):
    """差戻し: the row with its reason form (htmx swaps it in; without JS, the queue showing
    that request alone)."""
    try:
        change = periods.get_for_review(current_user, change_id)
    except services.CredentialError as exc:
        abort(exc.status)
    return _period_row(change, returning=True)


def _refused_period_row(change_id: int, exc: services.CredentialError):
    """The row as it now is (after the rollback), with the message in it."""
    return _period_row(periods.get_for_review(current_user, change_id), exc.status, error=exc.message)


def _period_decided(change_id: int, action, message: str, *args):
    try:
        change = action(current_user, change_id, *args)
    except services.CredentialError as exc:
        if exc.status in (403, 404):
            raise
        if htmx:
            exc.answer_with(partial(_refused_period_row, change_id))
        else:
            exc.back_to(url_for("credentials.period_queue"))
        raise
    if htmx:
        return _period_row(change, notice=message)
    flash(message, "info")
    return redirect(url_for("credentials.period_queue"), 303)


@bp.post("/review/training-periods/<int:change_id>/approve")
@roles_required(*REVIEWERS)
def period_approve(change_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _period_decided(change_id, periods.approve, N_("承認しました。"))


@bp.post("/review/training-periods/<int:change_id>/return")
@roles_required(*REVIEWERS)
def period_return(change_id: int):
    form = ReturnForm()
    if form.validate_on_submit() or not form.reason.data:
        return _period_decided(change_id, periods.return_, N_("差し戻しました。"), form.reason.data or "")
    refused = refusal(form, 400)  # a bad CSRF token aborts here (400)
    return _period_decided(change_id, partial(_refuse_period, refused.message), "")


def _refuse_period(message: str, actor, change_id: int):
    periods.get_for_review(actor, change_id)  # another reviewer's or society's: 404 first
    raise services.CredentialError(message, 400)
