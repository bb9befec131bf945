"""JSPM facility certification renewal (更新申請): the facility's My Page and the secretariat."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu, Panel
from portal.web import require_module

bp = Blueprint("renewal", __name__, url_prefix="/renewal")
require_module(bp, "renewal")

from portal.blueprints.renewal import admin_views, export_views, views, window_views  # noqa: E402,F401,I001
from portal.blueprints.renewal import cli, panels  # noqa: E402

FACILITY = frozenset({"facility_manager"})
SECRETARIAT = frozenset({"secretariat"})
FEATURE = Feature(
    "renewal", bp, module="renewal",
    menus=(
        Menu(N_("認定マイページ"), "renewal.facility", FACILITY, order=30),
        Menu(N_("更新申請一覧"), "renewal.review_list", SECRETARIAT, order=30),
        Menu(N_("施設アカウント管理"), "renewal.facilities", SECRETARIAT, order=31),
        Menu(N_("申請期間の管理"), "renewal.manage_windows", SECRETARIAT, order=32),
        Menu(N_("文書番号の確認"), "renewal.verify", SECRETARIAT, order=33),
    ),
    panels=(Panel(FACILITY, order=30, render=panels.facility_panel),),
    commands=(cli.renewal_daily,),
)
