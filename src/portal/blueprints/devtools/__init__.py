"""Development mailbox: the outbox of this tenant, readable in the browser (DEV_MAILBOX only)."""
from flask import Blueprint, abort, current_app

from portal.registry import Feature

bp = Blueprint("devtools", __name__, url_prefix="/_dev")


@bp.before_request
def _only_in_development():
    if not current_app.config.get("DEV_MAILBOX"):
        abort(404)


from portal.blueprints.devtools import views  # noqa: E402

FEATURE = Feature("devtools", bp)
__all__ = ["FEATURE", "bp", "views"]
