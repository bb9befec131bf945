"""Who sees which enrolments (a director their own trainees, the secretariat all), the lists
with keyset paging, and the secretariat's CSV of every record (issue 17 item 8)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.models import Role, User
from portal.blueprints.training_record.models import (
    INTERRUPTION_REASONS,
    RECORD_TYPES,
    TRACKS,
    TRAINING_STATUSES,
    TrackChange,
    TraineeEnrollment,
    TrainingRecord,
)
from portal.blueprints.training_record.services import RecordError
from portal.db import inline
from portal.directory.models import Facility
from portal.extensions import db
from portal.i18n import N_

PAGE = 50
NOT_FOUND = N_("在籍情報が見つかりません。")


def _scope(actor: User):
    if actor.role == Role.secretariat.value:
        return TraineeEnrollment.id.is_not(None)
    if actor.role == Role.program_director.value:
        return TraineeEnrollment.director_id == actor.id
    return TraineeEnrollment.id.is_(None)


def enrollments(actor: User, after: int | None = None) -> list[TraineeEnrollment]:
    """One page of the enrolments this person may see, by id (`?after=` the last one shown)."""
    where = [_scope(actor)] + ([TraineeEnrollment.id > after] if after else [])
    return list(db.session.scalars(
        select(TraineeEnrollment).where(*where)
        .options(joinedload(TraineeEnrollment.trainee).lazyload(User.facility))
        .order_by(TraineeEnrollment.id).limit(inline(PAGE + 1))))


def enrollment_for(actor: User, enrollment_id: int) -> TraineeEnrollment:
    """A 404 for an enrolment the person may not see, as for another society's row."""
    found = db.session.scalar(select(TraineeEnrollment).where(
        TraineeEnrollment.id == enrollment_id, _scope(actor))
        .options(joinedload(TraineeEnrollment.trainee).lazyload(User.facility)))
    if found is None:
        raise RecordError(NOT_FOUND, 404)
    return found


def track_history(enrollment_id: int) -> list[TrackChange]:
    return list(db.session.scalars(select(TrackChange).where(
        TrackChange.enrollment_id == enrollment_id).order_by(TrackChange.effective_date,
                                                             TrackChange.id)))


EXPORT_HEADERS = (N_("医籍登録番号"), N_("氏名"), N_("プログラム"), N_("基本領域"), N_("年度"),
                  N_("研修制度"), N_("種別"), N_("研修状況"), N_("開始日"), N_("終了日"),
                  N_("研修施設名"), N_("中断理由"), N_("その他詳細"), N_("登録元"))


def export_rows(gettext, specialties: dict) -> list[list]:
    """Every record of every enrolled trainee, one row each, in one query."""
    rows = db.session.execute(
        select(User.medical_registration_number, User.full_name, TraineeEnrollment.program_name,
               TraineeEnrollment.specialty, TraineeEnrollment.cohort_fiscal_year,
               TraineeEnrollment.track, TrainingRecord.record_type,
               TrainingRecord.training_status, TrainingRecord.start_date, TrainingRecord.end_date,
               Facility.name, TrainingRecord.facility_name_text,
               TrainingRecord.interruption_reason, TrainingRecord.other_details,
               TrainingRecord.source)
        .join(User, User.id == TraineeEnrollment.trainee_id)
        .join(TrainingRecord, TrainingRecord.trainee_id == TraineeEnrollment.trainee_id)
        .outerjoin(Facility, Facility.id == TrainingRecord.facility_id)
        .order_by(TraineeEnrollment.id, TrainingRecord.start_date, TrainingRecord.id)).all()
    return [[r[0], r[1], r[2], gettext(specialties.get(r[3], r[3])), r[4],
             gettext(TRACKS.get(r[5], r[5])), gettext(RECORD_TYPES[r[6]]),
             gettext(TRAINING_STATUSES[r[7]]), r[8].isoformat(),
             r[9].isoformat() if r[9] else "", r[10] or r[11] or "",
             gettext(INTERRUPTION_REASONS[r[12]]) if r[12] else "", r[13] or "",
             gettext(N_("手入力")) if r[14] == "manual" else gettext(N_("データ連携"))]
            for r in rows]
