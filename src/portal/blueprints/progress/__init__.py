"""研修終了要件チェック and the progress of trainees against the society's completion
requirements (issue 16 items 5 and 6): the trainee's own check, the program director's
trainees, and the secretariat's cohort table with its CSV. The rules are portal.requirements;
the facts come from the features that own them (registry question "requirement_facts")."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu
from portal.web import require_module

bp = Blueprint("progress", __name__, url_prefix="/progress")
require_module(bp, "case_log")

from portal.blueprints.progress import views  # noqa: E402

FEATURE = Feature("progress", bp, module="case_log", menus=(
    Menu(N_("研修終了要件チェック"), "progress.check", frozenset({"trainee"}), order=68),
    Menu(N_("専攻医の進捗"), "progress.director_trainees", frozenset({"program_director"}),
         order=12),
    Menu(N_("研修進捗一覧"), "progress.cohort", frozenset({"secretariat"}), order=12),
))
__all__ = ["FEATURE", "bp", "views"]
