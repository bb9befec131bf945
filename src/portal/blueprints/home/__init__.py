"""The shell every society has: the top page, the side menu, language and branding."""
from flask import Blueprint

from portal.accounts.models import Role
from portal.i18n import N_
from portal.registry import Feature, Menu

bp = Blueprint("home", __name__)

from portal.blueprints.home import views  # noqa: E402

EVERY_ROLE = frozenset(r.value for r in Role)
FEATURE = Feature("home", bp, menus=(
    Menu(N_("トップページ"), "home.index", EVERY_ROLE, order=0, label_key="menu.home"),))
__all__ = ["FEATURE", "bp", "views"]
