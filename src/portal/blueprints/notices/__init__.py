"""お知らせ (issue 15 item 5): the secretariat writes, schedules and retires the society's
notices per audience; portal.worklist shows them on that audience's top page. Every society."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu

bp = Blueprint("notices", __name__, url_prefix="/admin/notices")

from portal.blueprints.notices import views  # noqa: E402

FEATURE = Feature("notices", bp, menus=(
    Menu(N_("お知らせ管理"), "notices.admin_list", frozenset({"secretariat"}), order=82),))
__all__ = ["FEATURE", "bp", "views"]
