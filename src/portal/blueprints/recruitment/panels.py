"""What recruitment adds to the top page: the applicant's 応募状況 with the recruitment
calendar, and the counts a program director or the secretariat acts on."""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from portal.blueprints.recruitment.services import applicant as services


def applicant_panel(user) -> Markup:
    screen = services.applicant_screen(user)
    return Markup(render_template("recruitment/_top_panel.html", screen=screen))


def counts_panel(user) -> Markup:
    return Markup(render_template("recruitment/_top_panel.html", screen=None,
                                  counts=services.top_counts(user)))
