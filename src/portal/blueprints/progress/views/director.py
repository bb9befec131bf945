"""専攻医の進捗: the program director's trainees, met requirements per trainee, 50 a page."""
from __future__ import annotations

from flask import current_app, g, url_for
from flask_login import current_user

from portal.accounts.models import Role
from portal.blueprints.progress import bp, queries, services
from portal.htmx import render_page_or_block
from portal.web import int_arg, roles_required

# The case log's sign-off queue (the cases feature builds it): linked when it exists.
SIGNOFF_QUEUE = "cases.signoff_queue"


def _signoff_url() -> str | None:
    return url_for(SIGNOFF_QUEUE) if SIGNOFF_QUEUE in current_app.view_functions else None


@bp.get("/trainees")
@roles_required(Role.program_director)
def director_trainees():
    after = int_arg("after")
    rows = queries.director_trainees(current_user, after)
    return render_page_or_block(
        "progress/director_trainees.html", "results", rows=services.progress_of(g.rules, rows),
        next_after=rows.next_after, after=after, total=len(g.rules.requirements),
        signoff_url=_signoff_url())

