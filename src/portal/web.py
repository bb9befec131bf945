"""Access decorators shared by views (roles and module gates), and the one way a view reads a
number or a search term from the query string or an id from the path."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, request
from flask_login import current_user, login_required
from werkzeug.routing import IntegerConverter

from portal import normalize
from portal.accounts.models import Role
from portal.errors import Refusal, refusal
from portal.extensions import limiter
from portal.i18n import N_

UPLOADS_TOO_FAST = N_("短時間にファイルのアップロードが繰り返されたため、一時的に受け付けを停止しています。"
                      "しばらく待ってから、もう一度お試しください。")


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


def uploads_to(slot: str) -> Callable:
    """Names the tenant's upload slot (rules.toml [uploads.<slot>]) a view receives, so that a
    request over the server's whole-body limit is told that slot's limit (portal.errors, 413).
    Goes right under the route decorator: the function registered carries the name."""

    def decorator(view: Callable) -> Callable:
        view.upload_slot = slot
        return view

    return decorator


def upload_slot_of(view: Callable | None) -> str | None:
    return getattr(view, "upload_slot", None)


def int_arg(name: str, minimum: int = 1, maximum: int = normalize.DB_INT_MAX) -> int | None:
    """A number from the query string (`?after=`, `?window=`), or None when it is absent, not a
    number or out of range: a list then shows its first page, as for any stale bookmark."""
    return normalize.bounded_int(request.args.get(name), minimum, maximum)


def text_arg(name: str, max_length: int = 100) -> str:
    """A search term from the query string, cut to `max_length`, without control characters."""
    return normalize.without_controls(request.args.get(name, ""))[:max_length]


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: an id past the database's integer range is a 404 (Werkzeug's
    own converter hands any length of digits to the query, which then fails with a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=normalize.DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _uploader_key() -> str:
    return f"upload:{g.tenant.id}:{current_user.get_id()}"


def _uploads_too_fast(_limit) -> Response:
    return refusal(Refusal(UPLOADS_TOO_FAST, 429))


# Every upload endpoint counts against one budget per user (UPLOAD_RATE_LIMIT), so one
# account cannot fill the disk however it spreads its posts. Put it under roles_required:
# the key is the logged-in user.
upload_rate_limit = limiter.shared_limit(
    lambda: current_app.config["UPLOAD_RATE_LIMIT"], scope="uploads", key_func=_uploader_key,
    methods=["POST"], on_breach=_uploads_too_fast)
