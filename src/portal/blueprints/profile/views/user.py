from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.accounts.services import TokenInvalid, peek_token
from portal.blueprints.profile import bp, services
from portal.blueprints.profile.forms import EmailChangeForm, ReminderForm, contact_form
from portal.forms import EmptyForm
from portal.i18n import N_
from portal.registry import registry

NOTHING_CHANGED = N_("変更された項目がありません。変更が必要な箇所を入力してから「確認」を押してください。")


def _self_service() -> bool:
    """Societies whose e-mail changes go through the secretariat (via_secretariat) get no form."""
    return g.rules.profile.email_change_mode != "via_secretariat"


def _ttl() -> int:
    return current_app.config["TOKEN_TTL_SECONDS"] // 60


def _review_update() -> bool:
    """登録情報管理 (B-S07, self_review_update): several fields, 確認 then 更新."""
    return g.rules.profile.email_change_mode == "self_review_update"


@bp.route("", methods=["GET", "POST"])
@login_required
def show():
    """A-S06; a valid 次へ shows the confirmation (A-S07) with the values carried along."""
    if _review_update():
        return _manage()
    if not _self_service():
        return render_template("profile/show.html", form=None, email_help=registry().answer(
            "email_change_help", g.rules, current_user))
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            services.check_new_email(current_user, form.new_email.data,
                                     form.new_email_confirmation.data)
            return render_template("profile/confirm.html", form=form)
        except services.EmailChangeError as exc:
            form.new_email.errors.append(exc.message)
    status = 400 if form.errors else 200
    return render_template("profile/show.html", form=form), status


@bp.post("/email")
@login_required
def request_change():
    if not _self_service():
        abort(404)
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.new_email.data,
                                          form.new_email_confirmation.data, _ttl())
            return render_template("profile/complete.html", new_email=form.new_email.data,
                                   ttl=_ttl())
        except services.EmailChangeError as exc:
            form.new_email.errors.append(exc.message)
    return render_template("profile/show.html", form=form), 400


@bp.route("/email/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """GET only shows a button (mail scanners prefetch links); POST makes the change."""
    form = EmptyForm()
    try:
        if not form.validate_on_submit():
            token_row = peek_token(token, "email_change")
            return render_template("profile/verify.html", form=form, new_email=token_row.new_email)
        user = services.confirm_email_change(token, g.rules.profile.notify_old_address)
    except TokenInvalid as exc:
        return render_template("auth/token_invalid.html", message=exc.message), 400
    except services.EmailChangeError as exc:
        return render_template("auth/token_invalid.html", message=exc.message), 409
    return render_template("profile/verified.html", email=user.email)


def _contact_form():
    return contact_form(g.rules.profile.self_editable_fields, obj=current_user)


def _manage_page(form, status: int = 200, error: str | None = None):
    return render_template("profile/manage.html", form=form, error=error), status


def _manage():
    """登録情報管理: 「確認」 shows what changes (nothing is written), 「戻る」 keeps the input."""
    form = _contact_form()
    if request.method == "POST" and request.form.get("step") == "back":
        return _manage_page(form)
    if not form.validate_on_submit():
        return _manage_page(form, 400 if request.method == "POST" else 200)
    try:
        change = services.contact_change(current_user, form.data)
    except services.EmailChangeError as exc:
        form.email.errors.append(exc.message)
        return _manage_page(form, 400)
    if change.empty:
        return _manage_page(form, 400, NOTHING_CHANGED)
    return render_template("profile/manage_confirm.html", form=form, change=change,
                           labels=services.CONTACT_FIELDS)


@bp.post("/update")
@login_required
def update():
    """「更新」: contact fields are saved; a new e-mail waits for its confirmation link."""
    if not _review_update():
        abort(404)
    form = _contact_form()
    if not form.validate_on_submit():
        return _manage_page(form, 400)
    try:
        change = services.update_contact(current_user, form.data, _ttl())
    except services.EmailChangeError as exc:
        form.email.errors.append(exc.message)
        return _manage_page(form, 400)
    if change.empty:
        return _manage_page(form, 400, NOTHING_CHANGED)
    return render_template("profile/manage_complete.html", change=change,
                           labels=services.CONTACT_FIELDS, ttl=_ttl())


@bp.post("/reminders")
@login_required
def reminders():
    """「リマインダーメールを受け取る」 (issue 19), on every society's profile page."""
    form = ReminderForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_reminder_mail(current_user, bool(form.reminder_mail.data))
    flash(N_("リマインダーメールを受け取ります。") if form.reminder_mail.data
          else N_("リマインダーメールを停止しました。審査結果などの必要なお知らせは引き続きお送りします。"),
          "info")
    return redirect(url_for("profile.show"), 303)
