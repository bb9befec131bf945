"""What credentials adds to the top page: the trainee's status cards (with the whole page's
fast path when they are the trainee's only cards) and the reviewers' queue count; and the
answer to "may this trainee enter cases?" (A-R06) for the case log."""
from __future__ import annotations

from flask import g, render_template
from markupsafe import Markup

from portal.blueprints.credentials import queries as trainee_top
from portal.blueprints.credentials import services
from portal.blueprints.credentials.services import top_facts
from portal.extensions import db
from portal.i18n import N_

NEEDS_APPROVAL = N_("証票が統括責任者に承認されると利用できます。")
_UNLOCKED = "credentials_case_entry_unlocked"  # per request: the top page already knows


def _remember(facts: top_facts.TopFacts) -> None:
    setattr(g, _UNLOCKED, facts.credential_status in services.UNLOCKING)


def trainee_page(user):
    """Kept whole, or its panels kept, while what they show is unchanged (queries.py)."""
    def render(facts, panels) -> str:
        _remember(facts)
        return render_template("credentials/trainee_top.html", panels=panels)

    return trainee_top.page(user, render)[1]


def trainee_panel(user) -> Markup:
    row = db.session.connection().execute(
        top_facts.top_facts_select(user.tenant_id, user.id)).one()
    facts = top_facts.TopFacts(*row)
    _remember(facts)
    return Markup(render_template("credentials/_top_panel.html", facts=facts))


def reviewer_panel(user) -> Markup:
    return Markup(render_template("credentials/_reviewer_panel.html",
                                  counts=services.queue_counts(user)))


def case_entry_block(user) -> str | None:
    """Why this trainee may not enter cases yet, or None."""
    unlocked = g.get(_UNLOCKED)
    if unlocked is None:
        unlocked = services.case_entry_unlocked(user)
        setattr(g, _UNLOCKED, unlocked)
    return None if unlocked else NEEDS_APPROVAL


def credential_requirement_met(user, requirement) -> bool:
    """The menu's lock on 証票の承認 (rules.toml `locks`): the gate's answer, kept per request,
    so naming the requirement costs no statement."""
    return case_entry_block(user) is None


def current_placement(user) -> tuple[int, int] | None:
    """(facility id, program director id) the trainee is enrolled at today, or None: the case
    log files a new case under them."""
    enrollment = services.current_enrollment(user)
    return (enrollment.facility_id, enrollment.program_director_id) if enrollment else None
