"""What registration adds to the top page: the registrant's 医師免許証 card (B-R04)."""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from portal.accounts import licences


def licence_panel(user) -> Markup:
    return Markup(render_template("registration/_top_panel.html",
                                  licence=licences.current_license(user)))
