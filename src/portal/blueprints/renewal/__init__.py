"""Facility certification renewal (更新申請, DOMAIN.md 3.3, C-W01..C-W03): the facility's own
pages and the secretariat."""
from flask import Blueprint

from portal.blueprints.renewal.services import roster, wording
from portal.i18n import N_
from portal.registry import Feature, Menu, Panel, Queue, TaskKind
from portal.web import require_module

bp = Blueprint("renewal", __name__, url_prefix="/renewal")
require_module(bp, "renewal")

bp.context_processor(wording.screen_context)
bp.add_app_template_global(wording.current_words, "renewal_words")

from portal.blueprints.renewal import cli, panels, queries, views  # noqa: E402

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
    queues=(Queue(N_("更新申請"), "renewal.review_list", queries.WAITING, queries.queue_counts,
                  order=30),),
    tasks={"review_renewal": TaskKind(N_("更新申請の審査をしてください。"), arg="application_id"),
           "affiliation_request": TaskKind(N_("連携施設からの連携申請があります。"),
                                           arg="affiliation_id")},
    # the secretariat's roster import (blueprints/imports) reads and writes it through these
    answers={"import_roster_state": roster.roster_state, "import_roster_apply": roster.apply_roster,
             "import_facility_types": roster.facility_types,
             "import_set_facility_type": roster.set_facility_type,
             # profile's 登録情報 page shows how to ask for an e-mail change (C-R03)
             "email_change_help": panels.email_change_help},
)
__all__ = ["FEATURE", "bp", "views"]
