"""JSPM facility certification renewal (更新申請): the facility's My Page and the secretariat."""
from flask import Blueprint

from portal.views import require_module

bp = Blueprint("renewal", __name__, url_prefix="/renewal")
require_module(bp, "renewal")

from portal.blueprints.renewal import admin_views, export_views, views, window_views  # noqa: E402,F401,I001
