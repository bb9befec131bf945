"""Case log (経験症例, 症例レポート). Only the gate exists so far: the content comes later."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu
from portal.web import require_module

bp = Blueprint("cases", __name__, url_prefix="/cases")
require_module(bp, "case_log")

from portal.blueprints.cases import views  # noqa: E402

TRAINEE = frozenset({"trainee"})
FEATURE = Feature("cases", bp, module="case_log", menus=(
    Menu(N_("経験症例新規登録"), "cases.new_case", TRAINEE, order=60, gate=views.trainee.entry_block),
    Menu(N_("症例レポート新規登録"), "cases.new_report", TRAINEE, order=61, gate=views.trainee.entry_block),
    Menu(N_("症例一覧"), "cases.index", TRAINEE, order=62, gate=views.trainee.entry_block),
))
__all__ = ["FEATURE", "bp", "views"]
