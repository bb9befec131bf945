"""What renewal adds to the top page: the facility account's certification card (C-S03)."""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from portal.blueprints.renewal.services import applications as services
from portal.db import utcnow


def facility_panel(user) -> Markup | None:
    if user.facility_id is None:  # a 施設責任者 of another module's society, with no facility
        return None
    screen = services.screen_for(user, utcnow())
    return Markup(render_template("renewal/_top_panel.html", screen=screen))
