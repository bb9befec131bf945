"""Credential (証票) upload by the trainee and review by the program director (A-W02, A-W03)."""
from flask import Blueprint

from portal.i18n import N_
from portal.registry import Feature, Menu, Panel, Queue, TaskKind
from portal.web import require_module

bp = Blueprint("credentials", __name__)
require_module(bp, "credentials")

from portal.blueprints.credentials import panels, queries, views  # noqa: E402
from portal.blueprints.credentials.models import REVIEW_LABELS  # noqa: E402
from portal.blueprints.credentials.services import (  # noqa: E402
    import_answers,
    period_facts,
    periods,
    requirement_facts,
)

TRAINEE = frozenset({"trainee"})
REVIEWERS = frozenset({"program_director", "secretariat"})

FEATURE = Feature(
    "credentials", bp, module="credentials",
    menus=(
        Menu(N_("研修開始申請"), "credentials.training_start", TRAINEE, order=10),
        Menu(N_("証票アップロード"), "credentials.upload", TRAINEE, order=11),
        Menu(N_("所属研修施設変更・休止登録"), "credentials.periods_page", TRAINEE, order=55,
             gate=panels.periods_block),
        Menu(N_("マニュアル"), None, TRAINEE, order=90, href=lambda rules: rules.links.manual_url),
        Menu(N_("研修開始審査"), "credentials.training_start_queue", REVIEWERS, order=9),
        Menu(N_("証票審査"), "credentials.queue", REVIEWERS, order=10),
        Menu(N_("施設変更・休止審査"), "credentials.period_queue", REVIEWERS, order=10),
        Menu(N_("専攻医管理"), "credentials.admin_trainees", frozenset({"secretariat"}), order=11),
    ),
    panels=(
        Panel(TRAINEE, order=10, render=panels.trainee_panel, page=panels.trainee_page),
        Panel(REVIEWERS, order=10, render=panels.reviewer_panel),
    ),
    tasks={"upload_credential": TaskKind(N_("証票をアップロードしてください。")),
           "review_training_start": TaskKind(N_("研修開始申請の審査をしてください。")),
           "review_credential": TaskKind(N_("証票の審査をしてください。"), arg="credential_id"),
           "review_period_change": TaskKind(N_("所属研修施設変更・休止の申請を審査してください。"))},
    queues=(Queue(N_("研修開始審査"), "credentials.training_start_queue",
                  {"pending_review": REVIEW_LABELS["pending_review"]},
                  queries.training_start_queue_counts, order=9),
            Queue(N_("証票審査"), "credentials.queue", {"pending_review": REVIEW_LABELS["pending_review"]},
                  queries.credential_queue_counts, order=10),
            Queue(N_("施設変更・休止審査"), "credentials.period_queue",
                  {"pending_review": REVIEW_LABELS["pending_review"]}, periods.queue_counts, order=11)),
    answers={"case_entry_block": panels.case_entry_block,
             "current_placement": panels.current_placement,
             # the completion requirements (portal.requirements) and the progress pages:
             # credential_approved, rotation_days, longest_run_days per trainee
             "requirement_facts": period_facts.requirement_facts,
             "requirement_met:credential_approved": panels.credential_requirement_met,
             "director_trainee_ids": requirement_facts.director_trainee_ids,
             "trainees_started_in": requirement_facts.trainees_started_in,
             # the people import (blueprints/imports) reads and sets 研修開始登録 through these
             "import_training_starts": import_answers.training_starts_for_import,
             "import_set_training_start": import_answers.set_training_start_from_import},
)
__all__ = ["FEATURE", "bp", "views"]
