from __future__ import annotations

from functools import partial

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.credentials import bp, services
from portal.blueprints.credentials.forms import ReturnForm, UploadForm
from portal.blueprints.credentials.models import DOCUMENT_TYPES, document_type_label
from portal.extensions import db, htmx
from portal.forms import EmptyForm
from portal.htmx import hx_redirect, render_page_or_block
from portal.i18n import N_
from portal.storage import StoredFile, download_response
from portal.upload_checks import UploadRejected
from portal.web import roles_required

DRAFT = "credential_draft"
REVIEWERS = (Role.program_director, Role.secretariat)


def _draft() -> dict:
    draft = session.get(DRAFT)
    return draft if isinstance(draft, dict) else {}


def _document_label(code: object) -> str:
    return document_type_label(code) if isinstance(code, str) and code in DOCUMENT_TYPES else ""


@bp.route("/credentials/upload", methods=["GET", "POST"])
@roles_required(Role.trainee)
def upload():
    summary = services.trainee_summary(current_user)
    staged = services.staged_file(current_user, _draft().get("file_id"))
    form = UploadForm()
    form.document_type.choices = services.document_choices(current_user)
    if request.method == "GET" and staged:
        form.document_type.data = _draft().get("document_type")
    elif request.method == "GET" and len(form.document_type.choices) == 1:
        form.document_type.data = form.document_type.choices[0][0]
    status = 200
    if form.validate_on_submit():
        try:
            if form.file.data and form.file.data.filename:
                staged = services.stage_file(current_user, form.file.data, g.rules)
            elif staged is None:
                raise services.CredentialError(N_("ファイルを選択してください。"))
            session[DRAFT] = {"file_id": staged.id, "document_type": form.document_type.data}
            return hx_redirect("credentials.confirm")
        except (services.CredentialError, UploadRejected) as exc:
            form.file.errors.append(exc.message)
            status = exc.status
    elif request.method == "POST":
        status = 400
    return render_page_or_block("credentials/upload.html", "upload_form", status, form=form,
                                summary=summary, staged=staged, slot=g.rules.upload(services.SLOT))


@bp.get("/credentials/confirm")
@roles_required(Role.trainee)
def confirm():
    draft = _draft()
    staged = services.staged_file(current_user, draft.get("file_id"))
    if staged is None:
        flash(N_("ファイルを選択してください。"), "error")
        return redirect(url_for("credentials.upload"))
    return render_template("credentials/confirm.html", staged=staged, form=EmptyForm(),
                           summary=services.trainee_summary(current_user),
                           document_label=_document_label(draft.get("document_type")))


@bp.post("/credentials/submit")
@roles_required(Role.trainee)
def submit():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    draft = _draft()
    try:
        services.submit(current_user, draft.get("file_id"), draft.get("document_type", ""))
    except services.CredentialError as exc:
        exc.back_to(url_for("credentials.upload"))  # the message on the upload page
        raise
    session.pop(DRAFT, None)
    return redirect(url_for("credentials.complete"), 303)


@bp.get("/credentials/complete")
@roles_required(Role.trainee)
def complete():
    return render_template("credentials/complete.html")


@bp.get("/training-start")
@roles_required(Role.trainee)
def training_start():
    return render_template("credentials/training_start.html",
                           application=services.training_start(current_user))


@bp.get("/files/<int:file_id>")
@roles_required(Role.trainee, Role.program_director, Role.secretariat)
def download(file_id: int):
    file = db.session.get(StoredFile, file_id)
    if file is None or not services.can_download(current_user, file):
        abort(404)
    return download_response(file)


@bp.get("/review/credentials")
@roles_required(*REVIEWERS)
def queue():
    after = request.args.get("after", type=int)
    rows = services.review_queue(current_user, after_id=after)
    return render_page_or_block("credentials/queue.html", "rows", rows=rows, after=after,
                                form=EmptyForm(), return_form=ReturnForm())


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


@bp.get("/review/credentials/<int:credential_id>/row")
@roles_required(*REVIEWERS)
def row(credential_id: int):
    """One queue row for htmx to refresh in place; without htmx, the queue with this row."""
    credential = _reviewable_or_abort(credential_id)
    return render_page_or_block("credentials/queue.html", "row", credential=credential,
                                rows=[credential], after=None, form=EmptyForm(),
                                return_form=ReturnForm())


def _refused_row(credential_id: int, exc: services.CredentialError):
    """The queue row as it now is (after the rollback), with the message in it."""
    return render_page_or_block("credentials/queue.html", "row", exc.status,
                                credential=services.get_for_review(current_user, credential_id),
                                error=exc.message, form=EmptyForm(), return_form=ReturnForm())


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
        return render_page_or_block("credentials/queue.html", "row", credential=credential,
                                    notice=message, form=EmptyForm(), return_form=ReturnForm())
    flash(message, "info")
    return redirect(url_for("credentials.queue"), 303)


@bp.post("/review/credentials/<int:credential_id>/approve")
@roles_required(*REVIEWERS)
def approve(credential_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _after_review(credential_id, services.approve, N_("承認しました。"))


@bp.post("/review/credentials/<int:credential_id>/return")
@roles_required(*REVIEWERS)
def return_(credential_id: int):
    form = ReturnForm()
    reason = form.reason.data if form.validate_on_submit() else ""
    if form.csrf_token.errors:
        abort(400)
    return _after_review(credential_id, services.return_credential, N_("差し戻しました。"),
                        reason)
