"""Flask-Login wiring: a cookie names user id and session version, valid on one tenant only."""
from __future__ import annotations

from flask import Flask, g, session
from flask_login import LoginManager

from portal.blueprints.auth.models import User
from portal.extensions import db
from portal.i18n import N_


def load_user(raw: str) -> User | None:
    if g.get("tenant") is None or session.get("tenant_id") != g.tenant.id:
        return None
    try:
        user_id, version = (int(part) for part in raw.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id)  # tenant-scoped: another tenant's id loads nothing
    if user is None or user.session_version != version or not user.is_active:
        return None
    return user


def init_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "auth.login"
    manager.login_message = N_("ログインしてください。")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)
