"""What credentials tells the completion requirements (portal.requirements) and the progress
pages: its facts for many trainees in one statement each ("requirement_facts"), the trainees a
program director has now, and the trainees who started training in a year (both as id
subqueries the asking feature filters its own list with, so a page stays one statement)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased

from portal.blueprints.credentials.models import Credential, Enrollment, TrainingStartApplication
from portal.blueprints.credentials.services import UNLOCKING
from portal.extensions import db


def facts(rules, trainee_ids: Sequence[int], today: date) -> dict[int, dict[str, Any]]:
    """credential_approved: the trainee has a credential the program director approved
    (承認済, or 再提出依頼 while the final document behind a provisional one is awaited: A-R10
    keeps the training going). The same test as the case-entry gate (A-R06, I-14), so the
    check page and the menu lock never disagree."""
    ids = list(dict.fromkeys(trainee_ids))
    if not ids:
        return {}
    approved = set(db.session.scalars(
        select(Credential.trainee_id).distinct()
        .where(Credential.trainee_id.in_(ids), Credential.status.in_(UNLOCKING))))
    return {tid: {"credential_approved": tid in approved} for tid in ids}


def director_trainee_ids(director) -> Select:
    """The trainees whose current 在籍 names `director` as their program director."""
    return select(Enrollment.trainee_id).where(
        Enrollment.program_director_id == director.id, Enrollment.to_date.is_(None))


def trainees_started_in(year: int) -> Select:
    """The trainees whose latest 研修開始 (approved or not) starts in `year`: no later
    application of theirs exists (an anti-join on the trainee index, not a GROUP BY over
    every trainee's applications on each page)."""
    later = aliased(TrainingStartApplication)
    return select(TrainingStartApplication.trainee_id).where(
        TrainingStartApplication.training_start_date >= date(year, 1, 1),
        TrainingStartApplication.training_start_date < date(year + 1, 1, 1),
        ~exists().where(later.trainee_id == TrainingStartApplication.trainee_id,
                        later.id > TrainingStartApplication.id))
