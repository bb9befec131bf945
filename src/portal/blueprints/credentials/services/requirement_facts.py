"""What credentials tells the progress pages besides its facts (services/period_facts.py): the
trainees a program director has now, and the trainees who started training in a year (both as
id subqueries the asking feature filters its own list with, so a page stays one statement)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased

from portal.blueprints.credentials.models import Enrollment, TrainingStartApplication


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
