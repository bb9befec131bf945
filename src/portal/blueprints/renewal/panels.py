"""What renewal adds to the top page: the facility account's certification card (C-S03)."""
from __future__ import annotations

from flask import g, render_template
from markupsafe import Markup

from portal.blueprints.renewal.services import applications as services
from portal.blueprints.renewal.services import wording
from portal.db import utcnow


def facility_panel(user) -> Markup | None:
    if user.facility_id is None:  # a 施設責任者 of another module's society, with no facility
        return None
    screen = services.screen_for(user, utcnow())
    return Markup(render_template("renewal/_top_panel.html", screen=screen))


def email_change_help(user) -> Markup | None:
    """C-R03 on the account's 登録情報 page (profile asks through the registry): how a facility
    asks the secretariat to confirm or change its login e-mail."""
    if user.role != "facility_manager" or user.facility_id is None:
        return None
    return Markup(render_template("renewal/_email_help.html", words=wording.screen_words(g.rules)))
