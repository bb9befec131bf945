"""The secretariat's import of people and facilities (issue 15 item 1): upload, preview,
confirm; `flask import-people` for the first load."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu
from portal.web import roles_required  # noqa: F401 - views use it

bp = Blueprint("imports", __name__, url_prefix="/admin/imports")

from portal.blueprints.imports import cli, views  # noqa: E402


def _gate(user, rules):
    return None if rules.imports.enabled else N_("この学会では一括取込を使いません。")


FEATURE = Feature(
    "imports", bp,
    menus=(Menu(N_("一括取込"), "imports.upload", frozenset({"secretariat"}), order=81, gate=_gate),),
    commands=(cli.import_people,),
)
__all__ = ["FEATURE", "bp", "views"]
