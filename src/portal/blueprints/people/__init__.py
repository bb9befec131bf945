"""アカウント管理 (issue 15 item 2): the secretariat finds a society's accounts, opens one
(role, facility, status, last login, history), changes its role or facility, deactivates or
reactivates it and sends its password-setting mail again. Every society."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu

bp = Blueprint("people", __name__, url_prefix="/admin/people")

from portal.blueprints.people import views  # noqa: E402

FEATURE = Feature("people", bp, menus=(
    Menu(N_("アカウント管理"), "people.admin_list", frozenset({"secretariat"}), order=80),))
__all__ = ["FEATURE", "bp", "views"]
