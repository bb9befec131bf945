"""Deadlines (issue 19 items 2 and 3): the daily reminder digest (flask send-reminders), the
secretariat's 期限超過 list and its dashboard of every queue by state and age. Every society;
the queues are those its modules declare (registry.Queue), the tasks those they open."""
from flask import Blueprint

from portal.i18n import N_
from portal.queues import AGE_LABELS
from portal.registry import Feature, Menu

bp = Blueprint("deadlines", __name__, url_prefix="/admin")
bp.add_app_template_global(AGE_LABELS, "age_buckets")

from portal.blueprints.deadlines import cli, views  # noqa: E402

SECRETARIAT = frozenset({"secretariat"})
FEATURE = Feature(
    "deadlines", bp,
    menus=(Menu(N_("事務局ダッシュボード"), "deadlines.dashboard", SECRETARIAT, order=5),
           Menu(N_("期限超過一覧"), "deadlines.overdue", SECRETARIAT, order=6)),
    commands=(cli.send_reminders,),
)
__all__ = ["FEATURE", "bp", "views"]
