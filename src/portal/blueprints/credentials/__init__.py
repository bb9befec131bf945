"""JSICM credential (証票) upload by the trainee and review by the program director."""
from flask import Blueprint

from portal.views import require_module

bp = Blueprint("credentials", __name__)
require_module(bp, "credentials")

from portal.blueprints.credentials import views  # noqa: E402,F401
