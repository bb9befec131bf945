"""Access decorators shared by views: roles and module gates."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, current_app, g
from flask_login import current_user, login_required

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
