"""Secretariat: registrants (search, licence-status filter), one registrant's data and
licence history, corrections of the fields users cannot change, licence 確認済 / 差し替え依頼.
Every action works as a plain form post; htmx swaps the licence panel in place."""
from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import audit
from portal.accounts import licences
from portal.accounts.models import ROLE_LABELS, Role
from portal.blueprints.registration import bp
from portal.blueprints.registration.forms import IdentityForm, ReplacementForm
from portal.blueprints.registration.services import archive
from portal.blueprints.registration.services import registrant as services
from portal.blueprints.registration.services import secretariat as admin
from portal.extensions import htmx
from portal.forms import EmptyForm, refusal
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.web import int_arg, roles_required, text_arg

SECRETARIAT = Role.secretariat
DETAIL = "registration/admin/registrant.html"


@bp.get("/admin/registrants")
@roles_required(SECRETARIAT)
def admin_registrants():
    query = text_arg("q")
    license_status = request.args.get("status", "")
    license_status = license_status if license_status in admin.LICENSE_FILTERS else ""
    after = int_arg("after")
    rows = admin.registrants(query, license_status, after)
    return render_page_or_block("registration/admin/registrants.html", "results", rows=rows,
                                query=query, license_status=license_status, after=after,
                                filters=admin.LICENSE_FILTERS)


def _registrant_or_abort(user_id: int):
    try:
        return admin.get_registrant(user_id)
    except services.RegistrationError as exc:
        abort(exc.status)


def _detail(user, status: int = 200, block: str | None = None, **extra):
    history = licences.license_history(user)
    context = dict(user=user, history=history, current=history[0] if history else None,
                   identity_form=extra.pop("identity_form", None) or IdentityForm(obj=user),
                   replacement_form=extra.pop("replacement_form", None) or ReplacementForm(),
                   form=EmptyForm(), audit_trail=audit.history("users", user.id),
                   audit_labels=admin.AUDIT_LABELS, role_labels=ROLE_LABELS,
                   archived=archive.archived(user.id), **extra)
    if block and htmx:
        return render_page_or_block(DETAIL, block, status, **context)
    return render_template(DETAIL, **context), status


@bp.get("/admin/registrants/<int:user_id>")
@roles_required(SECRETARIAT)
def admin_registrant(user_id: int):
    return _detail(_registrant_or_abort(user_id))


@bp.post("/admin/registrants/<int:user_id>/identity")
@roles_required(SECRETARIAT)
def admin_update_identity(user_id: int):
    user = _registrant_or_abort(user_id)
    form = IdentityForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _detail(user, 400, identity_form=form)
    values = {name: getattr(form, name).data for name in admin.IDENTITY_FIELDS}
    try:
        changed = admin.update_identity(current_user, user.id, values)
    except services.RegistrationError as exc:
        form.medical_registration_number.errors.append(exc.message)
        exc.answer_with(lambda refused: _detail(_registrant_or_abort(user_id), refused.status,
                                                identity_form=form))
        raise  # portal.errors rolls back, then shows the page as stored, with the message
    flash(N_("登録情報を更新しました。") if changed else N_("変更はありませんでした。"), "info")
    return redirect(url_for("registration.admin_registrant", user_id=user.id), 303)


def _detail_refused(user_id: int, exc: services.RegistrationError):
    return _detail(_registrant_or_abort(user_id), exc.status, "license_panel",
                   error=exc.message)


def _refuse(message: str, actor, license_id: int) -> None:
    raise services.RegistrationError(message)


def _license_action(user_id: int, license_id: int, action, message: str, *args):
    """The licence panel under htmx; otherwise the page (303 after a change, 4xx with the
    error when nothing changed)."""
    user = _registrant_or_abort(user_id)
    license_ = services.license_for_download(current_user, license_id)
    if license_ is None or license_.user_id != user.id:
        abort(404)
    try:
        action(current_user, license_id, *args)
    except services.RegistrationError as exc:
        if exc.status != 404:  # a 404 is answered as any 404 (portal.errors)
            exc.answer_with(partial(_detail_refused, user_id))
        raise  # portal.errors rolls back, then shows the panel as stored, with the message
    if htmx:
        return _detail(user, 200, "license_panel", notice=message)
    flash(message, "info")
    return redirect(url_for("registration.admin_registrant", user_id=user_id), 303)


@bp.post("/admin/registrants/<int:user_id>/licenses/<int:license_id>/verify")
@roles_required(SECRETARIAT)
def admin_verify_license(user_id: int, license_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _license_action(user_id, license_id, admin.verify_license, N_("確認済にしました。"))


@bp.post("/admin/registrants/<int:user_id>/licenses/<int:license_id>/replacement")
@roles_required(SECRETARIAT)
def admin_request_replacement(user_id: int, license_id: int):
    form = ReplacementForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        if form.comment.data:  # a reason the form refused (control characters, too long)
            return _license_action(user_id, license_id, partial(_refuse, refusal(form).message), "")
    return _license_action(user_id, license_id, admin.request_replacement,
                           N_("差し替えを依頼しました。登録者にメールでお知らせしました。"),
                           form.comment.data or "")


@bp.post("/admin/registrants/<int:user_id>/restore")
@roles_required(SECRETARIAT)
def admin_restore(user_id: int):
    """B-R05: undo the archiving of a registration that never applied."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    _registrant_or_abort(user_id)
    try:
        archive.restore(current_user, user_id)
    except services.RegistrationError as exc:
        exc.back_to(url_for("registration.admin_registrant", user_id=user_id))
        raise
    flash(N_("アーカイブを取り消しました。"), "info")
    return redirect(url_for("registration.admin_registrant", user_id=user_id), 303)
