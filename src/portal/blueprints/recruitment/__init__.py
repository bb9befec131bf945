"""Recruitment (専攻医募集, B-W02): apply, selection, withdrawal; directors and the
secretariat."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu, Panel, Queue, TaskKind
from portal.web import require_module

bp = Blueprint("recruitment", __name__, url_prefix="/recruitment")
require_module(bp, "recruitment")


@bp.context_processor
def _labels() -> dict:
    from portal.accounts.models import BASIC_SPECIALTIES
    from portal.blueprints.recruitment.models import CURRICULUM_GROUNDS, TRACKS

    return {"specialties": BASIC_SPECIALTIES, "tracks": TRACKS, "grounds": CURRICULUM_GROUNDS}

from portal.blueprints.recruitment import cli, panels, views  # noqa: E402
from portal.blueprints.recruitment.queries import secretariat as admin_queries  # noqa: E402
from portal.blueprints.recruitment.services import enrolment_answers  # noqa: E402

TRAINEE = frozenset({"trainee"})
DIRECTOR = frozenset({"program_director"})
SECRETARIAT = frozenset({"secretariat"})
FEATURE = Feature(
    "recruitment", bp, module="recruitment",
    menus=(
        Menu(N_("応募"), "recruitment.programs", TRAINEE, order=20),
        Menu(N_("採否結果"), "recruitment.index", TRAINEE, order=21),
        Menu(N_("応募者一覧・採否登録"), "recruitment.director_applicants", DIRECTOR, order=20),
        Menu(N_("応募一覧"), "recruitment.admin_applications", SECRETARIAT, order=20),
        Menu(N_("プログラム管理"), "recruitment.admin_programs", SECRETARIAT, order=22),
        Menu(N_("募集期間の管理"), "recruitment.admin_rounds", SECRETARIAT, order=23),
    ),
    panels=(Panel(TRAINEE, order=20, render=panels.applicant_panel),
            Panel(DIRECTOR | SECRETARIAT, order=20, render=panels.counts_panel)),
    commands=(cli.recruitment_close_rounds,),
    queues=(Queue(N_("応募一覧"), "recruitment.admin_applications", admin_queries.WAITING,
                  admin_queries.queue_counts, order=20),),
    tasks={"decide_application": TaskKind(N_("応募者の採否を登録してください。"), arg="round"),
           "decide_withdrawal": TaskKind(N_("辞退申請を承認または却下してください。"))},
    # the training record (在籍, issue 17) enrols accepted applicants through these
    answers={"accepted_for_enrollment": enrolment_answers.accepted_for_enrollment,
             "claim_enrollment": enrolment_answers.claim_enrollment,
             # registration archives those who never applied (B-R05)
             "ever_applied": enrolment_answers.ever_applied},
)
__all__ = ["FEATURE", "bp", "views"]
