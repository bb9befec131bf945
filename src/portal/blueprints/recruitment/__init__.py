"""JMSB recruitment (専攻医募集, B-W02): apply, selection, withdrawal; directors and the
secretariat."""
from flask import Blueprint

from portal.views import require_module

bp = Blueprint("recruitment", __name__, url_prefix="/recruitment")
require_module(bp, "recruitment")


@bp.context_processor
def _labels() -> dict:
    from portal.blueprints.auth.models import BASIC_SPECIALTIES
    from portal.blueprints.recruitment.models import CURRICULUM_GROUNDS, TRACKS

    return {"specialties": BASIC_SPECIALTIES, "tracks": TRACKS, "grounds": CURRICULUM_GROUNDS}

from portal.blueprints.recruitment import admin_views, director_views, views  # noqa: E402,F401,I001
