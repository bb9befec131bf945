"""What credentials adds to the top page: the trainee's status cards (with the whole page's
fast path when they are the trainee's only cards) and the reviewers' queue count; and the
answer to "may this trainee enter cases?" (A-R06) for the case log."""
from __future__ import annotations

from flask import g, render_template
from markupsafe import Markup

from portal.blueprints.credentials import queries as trainee_top
from portal.blueprints.credentials import services
from portal.blueprints.credentials.services import periods, top_facts
from portal.extensions import db
from portal.i18n import N_

NEEDS_APPROVAL = N_("証票が統括責任者に承認されると利用できます。")
# per request: the top page already knows both, other pages read them in one statement
_UNLOCKED = "credentials_case_entry_unlocked"
_ENROLLED = "credentials_enrolled"


def _remember(facts: top_facts.TopFacts) -> None:
    setattr(g, _UNLOCKED, facts.credential_status in services.UNLOCKING)
    setattr(g, _ENROLLED, facts.enrollment_facility is not None)


def _flag(user, name: str) -> bool:
    if g.get(name) is None:
        unlocked, enrolled = services.menu_flags(user)
        setattr(g, _UNLOCKED, unlocked)
        setattr(g, _ENROLLED, enrolled)
    return g.get(name)


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
    return None if _flag(user, _UNLOCKED) else NEEDS_APPROVAL


def periods_block(user, rules) -> str | None:
    """Why 所属研修施設変更・休止登録 is closed (A-S02 item 5: after enrollment), or None; the
    server refuses the same (periods.require_enrolled)."""
    return None if _flag(user, _ENROLLED) else periods.NOT_ENROLLED


def credential_requirement_met(user, requirement) -> bool:
    """The menu's lock on 証票の承認 (rules.toml `locks`): the gate's answer, kept per request,
    so naming the requirement costs no statement."""
    return case_entry_block(user) is None


def current_placement(user) -> tuple[int, int] | None:
    """(facility id, program director id) the trainee is enrolled at today, or None: the case
    log files a new case under them."""
    enrollment = services.current_enrollment(user)
    return (enrollment.facility_id, enrollment.program_director_id) if enrollment else None
