"""Case log (経験症例, 症例レポート): the trainee's cases and reports, the director's sign-off and
report review (受理/差戻し, every version kept), and the facts the requirements engine counts."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu, Panel, Queue, TaskKind
from portal.web import require_module

bp = Blueprint("cases", __name__, url_prefix="/cases")
require_module(bp, "case_log")

from portal.blueprints.cases import panels, views  # noqa: E402
from portal.blueprints.cases.services import case_facts, report_review  # noqa: E402

TRAINEE = frozenset({"trainee"})
DIRECTOR = frozenset({"program_director"})
# 症例レポート審査: the director decides, the secretariat reads (services/report_review.py)
REPORT_READERS = frozenset({"program_director", "secretariat"})
FEATURE = Feature("cases", bp, module="case_log", menus=(
    Menu(N_("経験症例新規登録"), "cases.new_case", TRAINEE, order=60, gate=views.trainee.entry_block),
    Menu(N_("症例レポート新規登録"), "cases.new_report", TRAINEE, order=61, gate=views.trainee.entry_block),
    Menu(N_("症例一覧"), "cases.index", TRAINEE, order=62, gate=views.trainee.entry_block),
    Menu(N_("症例レポート審査"), "cases.report_queue", REPORT_READERS, order=13),
    Menu(N_("症例承認"), "cases.signoff_queue", DIRECTOR, order=12),
), panels=(
    Panel(DIRECTOR, order=20, render=panels.director_panel),
), queues=(
    Queue(N_("症例レポート審査"), "cases.report_queue", {"submitted": N_("審査待ち")},
          report_review.queue_counts, order=13),
), tasks={
    "signoff_cases": TaskKind(N_("経験症例の承認をしてください。")),
    "review_case_report": TaskKind(N_("症例レポートの審査をしてください。"), arg="report_id"),
    "revise_case_report": TaskKind(N_("差し戻された症例レポートを修正してください。"), arg="report_id"),
}, answers={"requirement_facts": case_facts.requirement_facts})
__all__ = ["FEATURE", "bp", "views"]
