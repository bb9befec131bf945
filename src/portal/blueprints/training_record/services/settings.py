"""What the secretariat and the director set on an enrolment: a delayed start (B-R25 to B-R27,
I-25, I-26) and a change of track (B-R28 to B-R30); the ceiling exemption is the person's
(services/ceiling.py). Each change is audited; the director's approval is guarded in SQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update

from portal import audit
from portal.accounts.models import User
from portal.blueprints.training_record.models import (
    QUALIFYING_REASONS,
    TrackChange,
    TraineeEnrollment,
)
from portal.blueprints.training_record.services import RecordError
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.urls import external_url

# A delay for a reason that is not a 特定の理由 (e.g. initial training simply finished late).
NOT_QUALIFYING = "not_qualifying"
CURRICULUM_GROUNDS = {  # B-W06 1) to 6)
    "mandatory_service_or_regional": N_("義務年限を有する医科大学卒業生、地域医療従事者（地域枠医師等）"),
    "life_event_leave": N_("出産、育児、介護、療養等のライフイベントにより、休職・離職を選択する者"),
    "study_leave": N_("海外・国内留学する者"),
    "after_other_basic_specialty": N_("他科基本領域の専門研修を修了してから専門研修を開始・再開する者"),
    "clinician_scientist_course": N_("臨床研究医コースの者"),
    "other_approved": N_("その他、学会と機構が認めた合理的な理由のある場合"),
}


@dataclass(frozen=True)
class DelayInput:
    planned_start_date: date
    actual_start_date: date | None
    reason: str | None
    detail: str | None
    society_notified: bool


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1) if day.day == 1 else day


def needs_reapplication(cohort: int, start: date, reason: str | None, rules) -> bool:
    """B-R26 / I-26: a start 6 months or more after 1 April (Q24: on or after 1 October) means
    applying again next year, unless a qualifying reason applies to a FY2024+ cohort."""
    limit = add_months(date(cohort, 4, 1), rules.training_record.delay_limit_months)
    if start < limit:
        return False
    qualifies = reason in QUALIFYING_REASONS
    return not (qualifies and cohort >= rules.training_record.qualifying_reason_from_fy)


def record_delay(actor: User, enrollment: TraineeEnrollment, data: DelayInput, rules,
                 now: datetime | None = None) -> TraineeEnrollment:
    april = date(enrollment.cohort_fiscal_year, 4, 1)
    if data.planned_start_date < april:  # I-25, B-R09
        raise RecordError(N_("研修開始予定日は年度の4月1日以降の日付を入力してください。"), 422,
                          "planned_start_date")
    if data.actual_start_date is not None and data.actual_start_date < april:
        raise RecordError(N_("実際の研修開始日は年度の4月1日以降の日付を入力してください。"), 422,
                          "actual_start_date")
    start = data.actual_start_date or data.planned_start_date
    if start > april and not data.reason:
        raise RecordError(N_("4月1日より後に開始する場合は、遅れの理由を選択してください。"), 422,
                          "delay_reason")
    if data.reason == "other" and not data.detail:
        raise RecordError(N_("「その他」の場合は理由の詳細を入力してください。"), 422,
                          "delay_reason_detail")
    now = now or utcnow()
    before = f"{enrollment.planned_start_date.isoformat()} / {enrollment.actual_start_date}"
    if data.planned_start_date != enrollment.planned_start_date:
        enrollment.delay_approved_at = None  # a new date needs the director's approval again
        enrollment.delay_approved_by_id = None
    enrollment.planned_start_date = data.planned_start_date
    enrollment.actual_start_date = data.actual_start_date
    enrollment.delay_reason = data.reason or None
    enrollment.delay_reason_detail = data.detail or None
    if data.society_notified and enrollment.society_notified_at is None:
        enrollment.society_notified_at = now
    enrollment.needs_reapplication = needs_reapplication(
        enrollment.cohort_fiscal_year, start, data.reason, rules)
    db.session.flush()
    audit.record("enrollment_delay_recorded", enrollment, actor=actor, from_state=before[:40],
                 to_state="reapply" if enrollment.needs_reapplication else "delayed",
                 reason=f"{start.isoformat()} {data.reason or ''} {data.detail or ''}".strip())
    return enrollment


def approve_delay(actor: User, enrollment: TraineeEnrollment, now: datetime | None = None) -> None:
    """B-R25: the program director approves a start after 1 April (once; guarded in SQL)."""
    if actor.id != enrollment.director_id:
        raise RecordError(N_("この専攻医の統括責任者のみ承認できます。"), 403)
    april = date(enrollment.cohort_fiscal_year, 4, 1)
    moved = db.session.execute(
        update(TraineeEnrollment).where(
            TraineeEnrollment.id == enrollment.id, TraineeEnrollment.delay_approved_at.is_(None),
            TraineeEnrollment.planned_start_date > april)
        .values(delay_approved_at=now or utcnow(), delay_approved_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise RecordError(N_("承認する開始の遅れがないか、既に承認済みです。"), 409)
    db.session.refresh(enrollment)
    audit.record("enrollment_delay_approved", enrollment, actor=actor, to_state="approved",
                 reason=enrollment.planned_start_date.isoformat())
    queue_mail("training_delay_approved", enrollment.trainee.email, trainee=enrollment.trainee,
               enrollment=enrollment, link=external_url("training_record.index"))


def change_track(actor: User, enrollment: TraineeEnrollment, to_track: str, ground: str | None,
                 effective: date, reason: str, society_agreed: bool, rules) -> TrackChange:
    """B-R30: the procedure is the specialty society's; the portal records its outcome."""
    if to_track == enrollment.track:
        raise RecordError(N_("現在と同じ研修制度です。"), 422, "to_track")
    if not society_agreed:
        raise RecordError(N_("研修制度の移行は、領域学会の確認を得てから登録してください。"), 422,
                          "society_agreed")
    if to_track == "curriculum" and ground not in CURRICULUM_GROUNDS:  # B-R28
        raise RecordError(N_("カリキュラム制の対象となる理由を選択してください。"), 422, "ground")
    if to_track == "curriculum" and not rules.training_record.curriculum_ground_allowed(
            enrollment.specialty, ground):  # B-R30: the specialty's own conditions
        raise RecordError(N_("この基本領域では、選択した理由によるカリキュラム制への移行は認められていません。"
                             "領域学会にご確認ください。"), 422, "ground")
    if effective < enrollment.training_start_date:
        raise RecordError(N_("移行日は研修開始日以降の日付を入力してください。"), 422, "effective_date")
    change = TrackChange(tenant_id=enrollment.tenant_id, enrollment_id=enrollment.id,
                         from_track=enrollment.track, to_track=to_track, effective_date=effective,
                         ground=ground if to_track == "curriculum" else None, reason=reason,
                         recorded_by_id=actor.id)
    db.session.add(change)
    enrollment.track, enrollment.track_effective_date = to_track, effective
    db.session.flush()
    audit.record("enrollment_track_changed", enrollment, actor=actor, from_state=change.from_track,
                 to_state=to_track, reason=reason)
    return change
