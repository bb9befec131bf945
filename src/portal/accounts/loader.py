"""Flask-Login wiring: a cookie names user id and session version, valid on one tenant only."""
from __future__ import annotations

import functools
from typing import Any

from flask import Flask, g, session
from flask_login import LoginManager
from sqlalchemy import bindparam, select
from sqlalchemy.orm import make_transient_to_detached

from portal.accounts.models import User
from portal.extensions import db
from portal.i18n import N_


def load_user(raw: str) -> User | None:
    if g.get("tenant") is None or session.get("tenant_id") != g.tenant.id:
        return None
    try:
        user_id, version = (int(part) for part in raw.split(":"))
    except ValueError:
        return None
    user = _load(user_id, g.tenant.id)  # another tenant's id loads nothing
    if user is None or user.session_version != version or not user.is_active:
        return None
    return user


@functools.cache
def _statement() -> Any:
    users = User.__table__
    return select(users).where(users.c.id == bindparam("id"),
                               users.c.tenant_id == bindparam("tenant_id"))


@functools.cache
def _attributes() -> tuple[tuple[str, Any], ...]:
    mapper = User.__mapper__
    return tuple((mapper.get_property_by_column(c).key, c) for c in User.__table__.c)


def _load(user_id: int, tenant_id: int) -> User | None:
    """The logged-in user of every request, read with one Core statement that names the
    tenant (and, on PostgreSQL, under row-level security) and handed to the session as a
    persistent User, as a query would have: changes to it are flushed, relationships load
    on access. The ORM's own load (compile, tenant criteria, joined facility) cost about a
    tenth of a small page."""
    key = User.__mapper__.identity_key_from_primary_key((user_id,))
    known = db.session.identity_map.get(key)
    if known is not None:
        return known if known.tenant_id == tenant_id else None
    row = db.session.connection().execute(
        _statement(), {"id": user_id, "tenant_id": tenant_id}).one_or_none()
    if row is None:
        return None
    user = User.__mapper__.class_manager.new_instance()
    user.__dict__.update((key, row._mapping[column]) for key, column in _attributes())
    make_transient_to_detached(user)  # an identity, no pending changes
    db.session.add(user)
    return user


def init_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "auth.login"
    manager.login_message = N_("ログインしてください。")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)
