from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import services
from portal.accounts.fields import password_form
from portal.blueprints.auth import bp
from portal.blueprints.auth.forms import ForgotPasswordForm, LoginForm
from portal.extensions import limiter
from portal.i18n import LOCALES, N_
from portal.urls import safe_next

LOGIN_FAILED = N_("ログインIDまたはパスワードが正しくありません。")


def _clear_session() -> None:
    """A new session at login, logout and password reset; only the chosen language stays."""
    lang = session.get("lang")
    session.clear()
    if lang in LOCALES:
        session["lang"] = lang


def _login_key() -> str:
    identifier = (request.form.get("identifier") or "").strip().lower()
    return f"login:{g.tenant.id}:{identifier}"


def _address_key() -> str:
    """The client's address (the socket's, or the trusted proxies' X-Forwarded-For entry,
    see TRUSTED_PROXY_HOPS), across every society: one address trying many accounts."""
    return f"login-address:{get_remote_address()}"


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: f"{current_app.config['LOGIN_FAILURES_PER_MINUTE']}/minute",
               key_func=_login_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"],
               key_func=_address_key, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.identifier.data, form.password.data)
        if user is not None:
            _clear_session()
            session["tenant_id"] = g.tenant.id
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        form.password.errors.append(LOGIN_FAILED)
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    services.void_sessions(current_user)
    logout_user()
    _clear_session()
    flash(N_("ログアウトしました。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form), (400 if form.errors else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.peek_token(token, "password_reset")
    except services.TokenInvalid as exc:
        return render_template("auth/token_invalid.html", message=exc.message), 400
    form = password_form(g.rules.auth.password_min_length)
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.TokenInvalid as exc:
            return render_template("auth/token_invalid.html", message=exc.message), 400
        logout_user()
        _clear_session()
        flash(N_("パスワードを再設定しました。新しいパスワードでログインしてください。"), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), (400 if form.errors else 200)
