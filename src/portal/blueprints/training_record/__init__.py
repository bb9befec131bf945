"""Training record (issue 17): 採用 -> 在籍 by a daily command, the trainee's 専攻医の研修実績
(B-W04) with its timeline, the director's and the secretariat's views, delayed start (B-W05),
ceiling exemption (B-W07) and track changes (B-W06). Recruitment data comes through registry
answers only."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu
from portal.web import require_module

bp = Blueprint("training_record", __name__, url_prefix="/training-record")
require_module(bp, "training_record")



@bp.context_processor
def _labels() -> dict:
    from portal.accounts.models import BASIC_SPECIALTIES
    from portal.blueprints.training_record.models import QUALIFYING_REASONS, TRACKS
    from portal.blueprints.training_record.services.settings import (
        CURRICULUM_GROUNDS,
        NOT_QUALIFYING,
    )

    return {"specialties": BASIC_SPECIALTIES, "tracks": TRACKS, "grounds": CURRICULUM_GROUNDS,
            "delay_reasons": {**QUALIFYING_REASONS, NOT_QUALIFYING: N_("特定の理由に該当しない")}}


from portal.blueprints.training_record import cli, views  # noqa: E402
from portal.blueprints.training_record.services import ceiling as ceiling_answers  # noqa: E402

TRAINEE = frozenset({"trainee"})
DIRECTOR = frozenset({"program_director"})
SECRETARIAT = frozenset({"secretariat"})
FEATURE = Feature(
    "training_record", bp, module="training_record",
    menus=(
        Menu(N_("専攻医の研修実績"), "training_record.index", TRAINEE, order=70),
        Menu(N_("専攻医の研修実績"), "training_record.director_trainees", DIRECTOR, order=30),
        Menu(N_("在籍専攻医一覧"), "training_record.admin_enrollments", SECRETARIAT, order=24),
        Menu(N_("シーリング対象外の登録"), "training_record.admin_ceiling_search", SECRETARIAT,
             order=25),
    ),
    # recruitment leaves ceiling-exempt people out of a specialty's ceiling (B-R24)
    answers={"ceiling_exempt": ceiling_answers.exempt_people},
    commands=(cli.training_enrol,),
)
__all__ = ["FEATURE", "bp", "views"]
