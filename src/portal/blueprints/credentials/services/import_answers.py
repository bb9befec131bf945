"""What the people import (blueprints/imports) asks credentials through the registry's answers:
each trainee's director and 研修開始 as a file states them, and setting them from a row."""
from __future__ import annotations

from flask import g
from sqlalchemy import select

from portal import audit
from portal.accounts.models import User
from portal.blueprints.credentials.models import (
    ReviewStatus,
    TrainingStartApplication,
)
from portal.blueprints.credentials.services import register_training_start, training_start
from portal.extensions import db

UNLOCKING = (ReviewStatus.approved.value, ReviewStatus.replacement_requested.value)
SLOT = "credential"



def training_starts_for_import(trainee_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each trainee's (director's 会員番号, 研修開始日) as an import file states them."""
    rows = db.session.execute(
        select(TrainingStartApplication.trainee_id, User.member_number,
               TrainingStartApplication.training_start_date)
        .join(User, User.id == TrainingStartApplication.program_director_id)
        .where(TrainingStartApplication.trainee_id.in_(trainee_ids))
        .order_by(TrainingStartApplication.id))
    return {tid: (number or "", start.isoformat()) for tid, number, start in rows}


def set_training_start_from_import(actor, trainee: User, facility_id: int, director: User,
                                   start) -> None:
    """Register the trainee's training start, or correct its director, facility and date."""
    application = training_start(trainee)
    if application is None:
        register_training_start(trainee, facility_id, director, start, g.rules)
        return
    before = f"{application.program_director_id}:{application.training_start_date.isoformat()}"
    application.program_director_id, application.facility_id = director.id, facility_id
    application.training_start_date = start
    audit.record("training_start_imported", application, actor=actor, from_state=before,
                 to_state=f"{director.id}:{start.isoformat()}")
