"""Secretariat: the society's accounts (search and filters in the URL, 50 a page by keyset),
one account's page, and its actions. Plain form posts answered with a 303 to the account;
a refusal shows the account's page with the message."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts.models import ROLE_LABELS, Role
from portal.blueprints.people import bp
from portal.blueprints.people import services as people
from portal.blueprints.people.forms import AssignmentForm, StatusForm
from portal.directory.filters import facility_choices
from portal.forms import EmptyForm
from portal.htmx import render_page_or_block
from portal.i18n import N_
from portal.web import int_arg, roles_required, text_arg

SECRETARIAT = Role.secretariat
DETAIL = "people/admin/account.html"


@bp.get("")
@roles_required(SECRETARIAT)
def admin_list():
    filters = dict(q=text_arg("q"), role=request.args.get("role", ""),
                   status=request.args.get("status", ""), facility=int_arg("facility"),
                   facility_q=text_arg("facility_q"))
    rows = people.search(filters["q"], filters["role"], filters["status"], filters["facility"],
                         int_arg("after"), filters["facility_q"])
    return render_page_or_block("people/admin/list.html", "results", rows=rows, filters=filters,
                                roles=people.role_choices(), statuses=people.STATUS_FILTERS,
                                facilities=facility_choices(), after=int_arg("after"))


def _user_or_404(user_id: int):
    user = people.get_user(user_id)
    if user is None:
        abort(404)
    return user


def _assignment_form(user=None) -> AssignmentForm:
    form = AssignmentForm(data={"role": user.role, "facility_id": user.facility_id or 0}
                          if user is not None and request.method == "GET" else None)
    form.role.choices = people.role_choices()
    form.facility_id.choices = [(0, N_("なし"))] + [(f.id, f.name) for f in people.facilities()]
    return form


def _detail(user, status: int = 200, error: str | None = None, **forms):
    return render_template(
        DETAIL, user=user, history=people.history(user), labels=people.AUDIT_LABELS,
        role_labels=ROLE_LABELS, error=error,
        assignment_form=forms.get("assignment_form") or _assignment_form(user),
        status_form=forms.get("status_form") or StatusForm(), form=EmptyForm()), status


def _answer_refusal(user_id: int, exc: people.AccountRefused, **forms):
    """Shown after the rollback: the account as stored, with the message."""
    return exc.answer_with(lambda refused: _detail(_user_or_404(user_id), refused.status,
                                                   refused.message, **forms))


@bp.get("/<int:user_id>")
@roles_required(SECRETARIAT)
def admin_account(user_id: int):
    return _detail(_user_or_404(user_id))


def _done(user_id: int, message: str):
    flash(message, "info")
    return redirect(url_for("people.admin_account", user_id=user_id), 303)


@bp.post("/<int:user_id>/assignment")
@roles_required(SECRETARIAT)
def admin_reassign(user_id: int):
    user = _user_or_404(user_id)
    form = _assignment_form()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _detail(user, 400, None, assignment_form=form)
    try:
        changed = people.change_assignment(current_user, user, form.role.data,
                                           form.facility_id.data)
    except people.AccountRefused as exc:
        raise _answer_refusal(user_id, exc, assignment_form=form) from None
    return _done(user_id, N_("役割・所属施設を変更しました。") if changed
                 else N_("変更はありませんでした。"))


def _status_action(user_id: int, action, message: str):
    user = _user_or_404(user_id)
    form = StatusForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _detail(user, 400, None, status_form=form)
    try:
        action(current_user, user, form.reason.data or "")
    except people.AccountRefused as exc:
        raise _answer_refusal(user_id, exc, status_form=form) from None
    return _done(user_id, message)


@bp.post("/<int:user_id>/deactivate")
@roles_required(SECRETARIAT)
def admin_deactivate(user_id: int):
    return _status_action(user_id, people.deactivate,
                          N_("アカウントを無効にしました。ログイン中の画面もすべて無効になりました。"))


@bp.post("/<int:user_id>/reactivate")
@roles_required(SECRETARIAT)
def admin_reactivate(user_id: int):
    return _status_action(user_id, people.reactivate, N_("アカウントを有効にしました。"))


@bp.post("/<int:user_id>/password-mail")
@roles_required(SECRETARIAT)
def admin_password_mail(user_id: int):
    user = _user_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        people.send_password_mail(current_user, user, g.rules)
    except people.AccountRefused as exc:
        raise _answer_refusal(user_id, exc) from None
    return _done(user_id, N_("パスワード設定メールを送信しました。"))


