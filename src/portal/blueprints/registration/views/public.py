"""新規ユーザー登録 -> 確認 -> 登録 -> 完了, the mailed login URL and its resend. Thin: the rules are in
services/registrant.py."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from portal.blueprints.registration import bp
from portal.blueprints.registration.forms import RegisterForm, ResendForm, setup_form
from portal.blueprints.registration.services import registrant as services
from portal.extensions import limiter
from portal.i18n import LOCALES, N_

REGISTERED_EMAIL = "registration_email"  # shown on the 完了 page after the redirect



@bp.before_request
def _registration_enabled() -> None:
    if request.endpoint in ("registration.register", "registration.complete",
                            "registration.resend") and not g.rules.registration.enabled:
        abort(404)


def _register_page(form: RegisterForm, status: int = 200, error: str | None = None):
    return render_template("registration/register.html", form=form, error=error), status


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20/minute;200/hour", methods=["POST"])
def register():
    """One URL for the three steps; the posted `step` says which (no state until 登録)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    step = request.form.get("step", "confirm")
    if request.method == "POST" and step == "back":  # 戻る: the input screen, values kept
        return _register_page(form)
    if not form.validate_on_submit():
        return _register_page(form, 400 if request.method == "POST" else 200)
    data = services.RegistrationData.from_form(form)
    try:
        if step != "register":
            services.check_not_registered(data)
            return render_template("registration/confirm.html", form=form, data=data)
        user = services.register(data, g.rules)
    except services.RegistrationError as exc:
        return _register_page(form, exc.status, exc.message)
    session[REGISTERED_EMAIL] = user.email
    return redirect(url_for("registration.complete"), 303)


@bp.get("/register/complete")
def complete():
    return render_template("registration/complete.html", email=session.get(REGISTERED_EMAIL))


def _log_in(user) -> None:
    """As auth.login does: a fresh session bound to this tenant; only the language stays."""
    lang = session.get("lang")
    session.clear()
    if lang in LOCALES:
        session["lang"] = lang
    session["tenant_id"] = g.tenant.id
    login_user(user)


@bp.route("/register/setup/<token>", methods=["GET", "POST"])
def setup(token: str):
    """The login URL: GET only shows the form (mail scanners prefetch links); POST sets the
    password, uses the link up, and logs the person in."""
    try:
        services.setup_link(token)
        form = setup_form(g.rules.auth.password_min_length)
        if not form.validate_on_submit():
            status = 400 if form.errors else 200
            return render_template("registration/setup.html", form=form), status
        user = services.complete_setup(token, form.password.data)
    except services.RegistrationError as exc:
        return render_template("auth/token_invalid.html", message=exc.message), 400
    _log_in(user)
    flash(N_("パスワードを設定しました。"), "info")
    return redirect(url_for("home.index"), 303)


@bp.route("/register/resend", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def resend():
    if current_user.is_authenticated:  # for people who cannot log in yet
        return redirect(url_for("home.index"))
    form = ResendForm()
    if form.validate_on_submit():
        services.resend_login_url(form.medical_registration_number.data, form.email.data, g.rules)
        return render_template("registration/resend_sent.html")
    return render_template("registration/resend.html", form=form), (400 if form.errors else 200)
