"""What the case log adds to the director's top page: the number of cases waiting for sign-off
(one capped count on the (tenant, director, status, id) index)."""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from portal.blueprints.cases.services.case_signoff import waiting_count


def director_panel(user) -> Markup:
    return Markup(render_template("cases/_case_signoff_panel.html", waiting=waiting_count(user)))
