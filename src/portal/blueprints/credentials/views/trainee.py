"""The trainee's side of credentials (A-W02): upload -> 確認 -> 提出 -> 完了, the 研修開始 status,
and 所属研修施設変更・休止登録."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.models import Role
from portal.blueprints.credentials import bp, services
from portal.blueprints.credentials.forms import (
    FacilityChangeForm,
    SuspensionForm,
    TrainingStartApplyForm,
    UploadForm,
)
from portal.blueprints.credentials.models import DOCUMENT_TYPES, document_type_label
from portal.blueprints.credentials.services import periods
from portal.blueprints.credentials.services import start_applications as starts
from portal.forms import EmptyForm, refusal, show_on
from portal.htmx import hx_redirect, render_page_or_block
from portal.i18n import N_
from portal.upload_checks import UploadRejected
from portal.web import roles_required, upload_rate_limit, uploads_to

DRAFT = "credential_draft"


def _draft() -> dict:
    draft = session.get(DRAFT)
    return draft if isinstance(draft, dict) else {}


def _document_label(code: object) -> str:
    return document_type_label(code) if isinstance(code, str) and code in DOCUMENT_TYPES else ""


@bp.route("/credentials/upload", methods=["GET", "POST"])
@uploads_to(services.SLOT)
@roles_required(Role.trainee)
@upload_rate_limit
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


def _apply_form(form: TrainingStartApplyForm | None = None) -> TrainingStartApplyForm:
    form = form or TrainingStartApplyForm()
    form.facility_id.choices = [SelectChoice(0, gettext("選択してください"))] + [
        SelectChoice(f.id, f.name) for f in starts.facilities()]
    form.director_id.choices = [SelectChoice(0, gettext("選択してください"))] + [
        SelectChoice(d.id, f"{d.full_name}（{d.facility.name}）") for d in starts.directors()]
    return form


def _start_page(form: TrainingStartApplyForm | None = None, status: int = 200):
    application = services.training_start(current_user)
    can_apply = application is None or application.status in starts.OPEN
    return render_template("credentials/training_start.html", application=application,
                           form=_apply_form(form) if can_apply else None), status


@bp.route("/training-start", methods=["GET", "POST"])
@roles_required(Role.trainee)
def training_start():
    """研修開始申請 (A-W01): the status, and the form while it is 未申請 or 差戻し."""
    if request.method == "GET":
        return _start_page()
    form = _apply_form(TrainingStartApplyForm())
    if not form.validate_on_submit():
        raise refusal(form).answer_with(lambda r: _start_page(form, r.status))
    try:
        starts.apply(current_user, form.facility_id.data, form.director_id.data, form.start.data)
    except services.CredentialError as exc:
        raise show_on(form, exc).answer_with(lambda r: _start_page(form, r.status)) from None
    flash(N_("研修開始申請を送信しました。統括責任者の承認をお待ちください。"), "info")
    return redirect(url_for("credentials.training_start"), 303)


# --- 所属研修施設変更・休止登録 (issue 16 item 2) -----------------------------------------------

def _change_form(form: FacilityChangeForm | None = None) -> FacilityChangeForm:
    form = _apply_form(form or FacilityChangeForm())  # the same facility and director choices
    form.rotation.choices = [SelectChoice(r.code, r.label) for r in g.rules.training.rotations]
    return form


def _suspension_form(form: SuspensionForm | None = None) -> SuspensionForm:
    form = form or SuspensionForm()
    form.reason_code.choices = [SelectChoice("", gettext("選択してください"))] + [
        SelectChoice(r.code, r.label) for r in g.rules.training.suspension_reasons]
    return form


def _periods_page(status: int = 200, **forms):
    try:
        current = periods.require_enrolled(current_user)
    except services.CredentialError as exc:
        return render_template("credentials/periods.html", locked=exc.message), exc.status
    enrollments, changes = periods.history(current_user.id)
    return render_template(
        "credentials/periods.html", current=current, enrollments=enrollments, changes=changes,
        change_form=forms.get("change_form") or _change_form(),
        suspension_form=forms.get("suspension_form") or _suspension_form()), status


@bp.get("/training-periods")
@roles_required(Role.trainee)
def periods_page():
    """所属研修施設変更・休止登録: the periods and requests so far, and the two request forms."""
    return _periods_page()


def _requested(form, request_with, key: str, message: str):
    if not form.validate_on_submit():
        raise refusal(form).answer_with(lambda r: _periods_page(r.status, **{key: form}))
    try:
        request_with(form)
    except services.CredentialError as exc:
        if exc.status == 403:
            raise
        raise show_on(form, exc).answer_with(lambda r: _periods_page(r.status, **{key: form})) from None
    flash(message, "info")
    return redirect(url_for("credentials.periods_page"), 303)


@bp.post("/training-periods/facility-change")
@roles_required(Role.trainee)
def request_facility_change():
    periods.require_enrolled(current_user)  # before the form says anything
    return _requested(_change_form(FacilityChangeForm()), lambda f: periods.request_facility_change(
        current_user, g.rules.training, f.facility_id.data, f.director_id.data, f.rotation.data,
        f.start.data), "change_form", N_("所属研修施設変更を申請しました。新しい施設の統括責任者の承認をお待ちください。"))


@bp.post("/training-periods/suspension")
@roles_required(Role.trainee)
def request_suspension():
    periods.require_enrolled(current_user)
    return _requested(_suspension_form(SuspensionForm()), lambda f: periods.request_suspension(
        current_user, g.rules.training, f.start.data, f.end.data, f.reason_code.data,
        f.detail.data), "suspension_form", N_("休止を申請しました。統括責任者の承認をお待ちください。"))
