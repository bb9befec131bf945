"""The trainee top page (専攻医 トップ): every trainee of a society opens it, in the same month.

One statement reads what the page's panels show of the trainee's own rows (TopFacts) and a
version of the tasks and notices it lists (their ids with their last change). The panels' HTML
is kept per user in this worker process under those values, the language and the society; a
request that reads the same values serves it, anything else renders afresh. The key is read
from the database on every request, so a change made by anyone, in any process, shows at
once: there is nothing to invalidate, and an entry only ever holds its own user's panels.
The whole page is kept the same way, under the panels' key plus what the layout shows around
them (name, role, the session's CSRF secret, the year in the footer, the path); a view with
a query string or a message to flash is always made afresh.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app, g, render_template, request, session
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import bindparam

from portal import clock
from portal.blueprints.credentials.models import Credential, TrainingStartApplication
from portal.blueprints.credentials.services import top_facts
from portal.db import utcnow
from portal.extensions import db
from portal.queues import counts_by_age
from portal.ui import JST
from portal.worklist import services as worklist

TEMPLATE = "credentials/_trainee_page.html"
MAX_USERS = 2000  # a few KB each: some MB per worker at most
MAX_PAGES = 1000  # whole pages, UTF-8: about 7 KB each


class _Kept:
    """Per app: user id -> (key, HTML), the least recently shown dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()  # the dev server and the tests serve requests in threads
        self.entries: OrderedDict[int, tuple[tuple, Any]] = OrderedDict()

    def get(self, user_id: int, key: tuple) -> Any:
        with self.lock:
            entry = self.entries.get(user_id)
            if entry is None or entry[0] != key:
                return None
            self.entries.move_to_end(user_id)
            return entry[1]

    def put(self, user_id: int, key: tuple, html: Any) -> None:
        with self.lock:
            self.entries[user_id] = (key, html)
            self.entries.move_to_end(user_id)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_PANELS, _PAGES = "portal.trainee_top", "portal.trainee_top.page"


def _kept(name: str, size: int) -> _Kept:
    return current_app.extensions.setdefault(name, _Kept(size))


@functools.cache
def _statement():
    """Core, built and compiled once; the values are bound per call."""
    tenant_id, user_id = bindparam("tenant_id"), bindparam("user_id")
    return top_facts.top_facts_select(tenant_id, user_id).add_columns(
        worklist.tasks_version(tenant_id, user_id),
        worklist.notices_version(tenant_id, user_id))


def _read_key(params: dict) -> tuple:
    """On the session's connection (its transaction, RLS setting and SQL count): a Core
    statement needs none of the ORM's per-statement work."""
    return tuple(db.session.connection().execute(_statement(), params).one())


def page(user, render: Callable[[top_facts.TopFacts, Markup], str]
         ) -> tuple[top_facts.TopFacts, str | bytes]:
    """The whole page: kept when neither the panels' key nor what the layout shows around
    them changed; else the panels (kept or fresh) put into the layout by `render`."""
    params = {"tenant_id": user.tenant_id, "user_id": user.id,
              **worklist.notice_params(user, utcnow())}
    row = _read_key(params)
    facts = top_facts.TopFacts(*row[:len(top_facts.TopFacts._fields)])
    # today: a task's 期限超過 mark changes with the date alone (issue 19)
    key = (g.tenant, str(get_locale()), row, clock.today())
    layout = _layout(user)
    if layout is not None:
        kept_page = _kept(_PAGES, MAX_PAGES).get(user.id, (key, layout))
        if kept_page is not None:
            return facts, kept_page
    html = _kept(_PANELS, MAX_USERS).get(user.id, key)
    consistent = True
    if html is None:
        html = Markup(render_template(TEMPLATE, facts=facts, tasks=worklist.open_tasks(user),
                                      notices=worklist.visible_notices(user, params["now"])))
        # The lists were read after `row`: keep the HTML only if nothing changed in between.
        consistent = _read_key(params) == row
        if consistent:
            _kept(_PANELS, MAX_USERS).put(user.id, key, html)
    whole = render(facts, html)
    if layout is not None and consistent:
        _kept(_PAGES, MAX_PAGES).put(user.id, (key, layout), whole.encode())
    return facts, whole


def _layout(user) -> tuple | None:
    """What base.html shows around the panels, or None when this view must be made afresh:
    a query string (reflected in the language form), a message to flash, or no CSRF secret
    yet (making the token would start one). The kept page carries a CSRF token for the
    session's secret, valid for as long as the secret (WTF_CSRF_TIME_LIMIT is None); a new
    session has a new secret, so it never sees another session's page."""
    secret = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if request.query_string or session.get("_flashes") or secret is None:
        return None
    return (user.full_name, user.role, secret, datetime.now(JST).year, request.path)


# --- the secretariat's dashboard (issue 19 item 3) ---------------------------------------------

def credential_queue_counts(today):
    return counts_by_age(Credential.status, Credential.submitted_at, today,
                         Credential.status == "pending_review")


def training_start_queue_counts(today):
    start = TrainingStartApplication
    return counts_by_age(start.status, start.created_at, today, start.status == "pending_review")
