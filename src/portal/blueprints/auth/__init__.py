"""Log in, log out, password reset: every society."""
from flask import Blueprint

from portal.registry import Feature

bp = Blueprint("auth", __name__)

from portal.blueprints.auth import views  # noqa: E402

FEATURE = Feature("auth", bp)
__all__ = ["FEATURE", "bp", "views"]
