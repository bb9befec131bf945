"""The top page and the side menu: the union of what the society's modules registered
(portal.registry) for the user's role. Imports no feature."""
from __future__ import annotations

from flask import (
    g,
    render_template,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from portal.blueprints.home import bp
from portal.blueprints.home.ui import menu_list
from portal.registry import registry
from portal.worklist.services import is_new, open_tasks, task_overdue, task_url, visible_notices


class _Menu:
    """The side menu, made when base.html first asks for it: a fragment rendered on its own
    (a kept panel) never pays for the menu's gates."""

    def __init__(self, user) -> None:
        self.user = user
        self._items: list | None = None

    @property
    def items(self) -> list:
        if self._items is None:
            self._items = registry().menu(self.user, g.rules)
        return self._items

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self):
        return iter(self.items)


@bp.app_context_processor
def _menu() -> dict:
    user = current_user._get_current_object()  # one proxy lookup, not five
    if not user or not user.is_authenticated or g.get("tenant") is None:
        return {"menu": []}
    return {"menu": _Menu(user), "top_heading": top_heading(user)}


bp.add_app_template_global(menu_list)
bp.add_app_template_global(task_url)
bp.add_app_template_global(task_overdue)
bp.add_app_template_test(task_overdue)
bp.add_app_template_global(is_new, "notice_is_new")


def top_heading(user) -> str:
    """「専攻医 トップ」, or the society's own wording for the role (「マイページTOP」)."""
    term = g.rules.term("top.heading", "", user.role)
    return gettext(term) if term else gettext("%(role)s トップ", role=gettext(user.role_label))


@bp.get("/")
@login_required
def index():
    user = current_user._get_current_object()
    panels = registry().panels(user, g.rules)
    if len(panels) == 1 and panels[0].page is not None:
        return panels[0].page(user)  # the module's own fast path for its page
    cards = [html for panel in panels if (html := panel.render(user)) is not None]
    return render_template("home/index.html", panels=cards, tasks=open_tasks(user),
                           notices=visible_notices(user))
