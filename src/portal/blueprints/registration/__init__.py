"""JMSB self-registration (新規ユーザー登録, B-W01), the login-URL mail and the 医師免許証."""
from flask import Blueprint

from portal.views import require_module

bp = Blueprint("registration", __name__)
require_module(bp, "recruitment")

from portal.blueprints.registration import views  # noqa: E402,F401
