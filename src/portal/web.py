"""Access decorators shared by views: roles and module gates."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, g
from flask_login import current_user, login_required

from portal.accounts.models import Role


def roles_required(*roles: Role) -> Callable:
    allowed = {r.value for r in roles}

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            if current_user.role not in allowed:
                # A route that names a row answers as if the row were not there (404), the
                # same as for another tenant's id: a role that cannot see it learns nothing.
                abort(404 if kwargs else 403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_module(bp: Blueprint, name: str) -> None:
    """A society without this module does not have these pages at all (404)."""

    @bp.before_request
    def _module_gate() -> None:
        if not g.rules.has_module(name):
            abort(404)
