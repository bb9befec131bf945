"""JMSB recruitment (専攻医募集, B-W02): apply, selection, withdrawal; directors and the
secretariat."""
from flask import Blueprint

from portal.views import require_module

bp = Blueprint("recruitment", __name__, url_prefix="/recruitment")
require_module(bp, "recruitment")
