"""Case log (経験症例, 症例レポート). Only the gate exists so far: the content comes later."""
from flask import Blueprint

from portal.views import require_module

bp = Blueprint("cases", __name__, url_prefix="/cases")
require_module(bp, "case_log")

from portal.blueprints.cases import views  # noqa: E402,F401
