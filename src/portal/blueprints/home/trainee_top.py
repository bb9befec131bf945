"""The trainee top page (専攻医 トップ): every trainee of a society opens it, in the same month.

One statement reads what the page's panels show of the trainee's own rows (TopFacts) and a
version of the tasks and notices it lists (their ids with their last change). The panels' HTML
is kept per user in this worker process under those values, the language and the society; a
request that reads the same values serves it, anything else renders afresh. The key is read
from the database on every request, so a change made by anyone, in any process, shows at
once: there is nothing to invalidate, and an entry only ever holds its own user's panels.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from flask import current_app, g, render_template
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import bindparam

from portal.blueprints.credentials import services as credentials
from portal.blueprints.home import services as home
from portal.db import utcnow
from portal.extensions import db

if TYPE_CHECKING:  # credentials.services imports home.services: no cycle at run time
    from portal.blueprints.credentials.services import TopFacts

TEMPLATE = "home/_trainee_panels.html"
MAX_USERS = 2000  # a few KB each: some MB per worker at most


class _Kept:
    """Per app: user id -> (key, HTML), the least recently shown dropped first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # the dev server and the tests serve requests in threads
        self.entries: OrderedDict[int, tuple[tuple, Markup]] = OrderedDict()

    def get(self, user_id: int, key: tuple) -> Markup | None:
        with self.lock:
            entry = self.entries.get(user_id)
            if entry is None or entry[0] != key:
                return None
            self.entries.move_to_end(user_id)
            return entry[1]

    def put(self, user_id: int, key: tuple, html: Markup) -> None:
        with self.lock:
            self.entries[user_id] = (key, html)
            self.entries.move_to_end(user_id)
            while len(self.entries) > MAX_USERS:
                self.entries.popitem(last=False)


def _kept() -> _Kept:
    return current_app.extensions.setdefault("portal.trainee_top", _Kept())


@functools.cache
def _statement():
    """Core, built and compiled once; the values are bound per call."""
    tenant_id, user_id = bindparam("tenant_id"), bindparam("user_id")
    return credentials.top_facts_select(tenant_id, user_id).add_columns(
        home.tasks_version(tenant_id, user_id),
        home.notices_version(tenant_id, bindparam("role"), bindparam("now")))


def _read_key(params: dict) -> tuple:
    """On the session's connection (its transaction, RLS setting and SQL count): a Core
    statement needs none of the ORM's per-statement work."""
    return tuple(db.session.connection().execute(_statement(), params).one())


def panels(user) -> tuple[TopFacts, Markup]:
    """The trainee's facts and the page's main panels: kept HTML, or a fresh render."""
    params = {"tenant_id": user.tenant_id, "user_id": user.id, "role": user.role,
              "now": utcnow()}
    row = _read_key(params)
    facts = credentials.TopFacts(*row[:len(credentials.TopFacts._fields)])
    key = (g.tenant, str(get_locale()), row)
    html = _kept().get(user.id, key)
    if html is not None:
        return facts, html
    html = Markup(render_template(TEMPLATE, facts=facts, tasks=home.open_tasks(user),
                                  notices=home.visible_notices(user, params["now"])))
    # The lists were read after `row`: keep the HTML only if nothing changed in between.
    if _read_key(params) == row:
        _kept().put(user.id, key, html)
    return facts, html
