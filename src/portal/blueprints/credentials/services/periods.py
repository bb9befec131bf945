"""所属研修施設変更・休止登録 (issue 16 item 2, A-S02 item 5, Q30): once enrolled, the trainee
asks for a facility change (new facility, its program director, the rotation, the date) or a
休止 (from, to, reason). A change is approved by the NEW facility's director, a 休止 by the
current one; the secretariat may act instead. Approving a change closes the current
Enrollment the day before and opens the next, so periods never overlap; a 休止 stays a row
of its own and pauses the training clock (period_facts). Nothing is deleted: the
enrollments and these requests are the trainee's history.
Services flush, never commit; every transition is guarded in SQL and audited."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from portal import audit
from portal.accounts.models import Role, User
from portal.blueprints.credentials.models import Enrollment, PeriodChange, ReviewStatus
from portal.blueprints.credentials.services import CredentialError, current_enrollment
from portal.db import inline, utcnow
from portal.directory.models import Facility
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.paging import Page, keyset, page_of
from portal.queues import age_clause, counts_by_age
from portal.tenants.rules_training import TrainingRules
from portal.urls import external_url
from portal.worklist.services import close_tasks, notify_user, open_task

NOT_ENROLLED = N_("研修開始（証票の承認）後に利用できます。")
PENDING, APPROVED = ReviewStatus.pending_review.value, ReviewStatus.approved.value
LIVE = (PENDING, APPROVED)
TASK = "review_period_change"
QUEUE = "credentials.period_queue"
PAGE = "credentials.periods_page"


def require_enrolled(trainee: User) -> Enrollment:
    """Refused on the server, not only greyed out in the menu: a change closes the current
    period and a 休止 pauses it, so there must be one (it starts when the 証票 is approved)."""
    enrollment = current_enrollment(trainee)
    if enrollment is None:
        raise CredentialError(NOT_ENROLLED, 403)
    return enrollment


def _first_day(trainee_id: int) -> date | None:
    return db.session.scalar(select(func.min(Enrollment.from_date))
                             .where(Enrollment.trainee_id == trainee_id))


def _suspension_covering(trainee_id: int, day: date, statuses) -> PeriodChange | None:
    return db.session.scalar(select(PeriodChange).where(
        PeriodChange.trainee_id == trainee_id, PeriodChange.kind == "suspension",
        PeriodChange.status.in_(statuses), PeriodChange.start_date <= day,
        PeriodChange.end_date >= day).limit(1))


def _check_change_date(trainee_id: int, current: Enrollment, start: date, statuses=LIVE) -> None:
    """The day a change takes effect is after the current period's first day (the period it
    closes keeps one day at least) and is not a day of 休止 (asked for, or approved)."""
    if start <= current.from_date:
        raise CredentialError(N_("変更日は現在の研修期間の開始日より後の日付にしてください。"), 422, "start")
    if _suspension_covering(trainee_id, start, statuses) is not None:
        raise CredentialError(N_("変更日が申請中または承認済みの休止期間と重なっています。"), 422, "start")


def _director_at(director_id: int, facility: Facility) -> User:
    director = db.session.scalar(select(User).where(
        User.id == director_id, User.role == Role.program_director.value,
        User.active.is_(True))) if director_id else None
    if director is None:
        raise CredentialError(N_("統括責任者を選択してください。"), 422, "director_id")
    if director.facility_id != facility.id:
        raise CredentialError(N_("選択した研修施設の統括責任者を選択してください。"), 422, "director_id")
    return director


def _refuse_second_pending(trainee: User, kind: str) -> None:
    if kind == "facility_change" and db.session.scalar(select(PeriodChange.id).where(
            PeriodChange.trainee_id == trainee.id, PeriodChange.kind == kind,
            PeriodChange.status == PENDING).limit(1)) is not None:
        raise CredentialError(N_("審査待ちの所属研修施設変更があります。審査の結果をお待ちください。"), 409)


def request_facility_change(trainee: User, training: TrainingRules, facility_id: int,
                            director_id: int, rotation: str, start: date | None,
                            now: datetime | None = None) -> PeriodChange:
    """申請: pending_review; the new facility's director gets a task and a mail."""
    current = require_enrolled(trainee)
    _refuse_second_pending(trainee, "facility_change")
    facility = db.session.get(Facility, facility_id) if facility_id else None
    if facility is None:
        raise CredentialError(N_("研修施設を選択してください。"), 422, "facility_id")
    director = _director_at(director_id, facility)
    if rotation not in {r.code for r in training.rotations}:
        raise CredentialError(N_("研修の種別を選択してください。"), 422, "rotation")
    if start is None:
        raise CredentialError(N_("変更日を入力してください。"), 422, "start")
    _check_change_date(trainee.id, current, start)
    if (facility.id, director.id, rotation) == (current.facility_id, current.program_director_id,
                                                current.rotation or training.rotations[0].code):
        raise CredentialError(N_("現在の研修施設・統括責任者・研修の種別と同じです。"), 422, "facility_id")
    change = PeriodChange(
        tenant_id=trainee.tenant_id, trainee_id=trainee.id, kind="facility_change",
        facility_id=facility.id, approver_id=director.id, enrollment_id=current.id,
        rotation=rotation, start_date=start, status=PENDING, submitted_at=now or utcnow())
    return _submitted(trainee, change, f"{facility.name} / {director.full_name} / {start.isoformat()}")


def request_suspension(trainee: User, training: TrainingRules, start: date | None,
                       end: date | None, reason_code: str, detail: str | None,
                       now: datetime | None = None) -> PeriodChange:
    """申請: pending_review; the current director gets a task and a mail."""
    current = require_enrolled(trainee)
    if start is None:
        raise CredentialError(N_("休止開始日を入力してください。"), 422, "start")
    if end is None:
        raise CredentialError(N_("休止終了日を入力してください。"), 422, "end")
    if start > end:
        raise CredentialError(N_("休止終了日は休止開始日以降の日付にしてください。"), 422, "end")
    first = _first_day(trainee.id)
    if first is not None and start < first:
        raise CredentialError(N_("研修開始日より前の期間は休止として登録できません。"), 422, "start")
    if reason_code not in {r.code for r in training.suspension_reasons}:
        raise CredentialError(N_("休止の理由を選択してください。"), 422, "reason_code")
    detail = (detail or "").strip() or None
    if reason_code == "other" and not detail:
        raise CredentialError(N_("「その他」の場合は理由の詳細を入力してください。"), 422, "detail")
    _check_suspension_overlap(trainee.id, start, end)
    change = PeriodChange(
        tenant_id=trainee.tenant_id, trainee_id=trainee.id, kind="suspension",
        facility_id=current.facility_id, approver_id=current.program_director_id,
        enrollment_id=current.id, start_date=start, end_date=end, reason_code=reason_code,
        reason_detail=detail, status=PENDING, submitted_at=now or utcnow())
    return _submitted(trainee, change, f"{start.isoformat()} - {end.isoformat()} / {reason_code}")


def _check_suspension_overlap(trainee_id: int, start: date, end: date, exclude: int | None = None) -> None:
    """Two 休止 never overlap, nor does a 休止 cover the day a facility change takes effect."""
    overlapping = db.session.scalar(select(PeriodChange.kind).where(
        PeriodChange.trainee_id == trainee_id, PeriodChange.status.in_(LIVE),
        PeriodChange.id != (exclude or 0), PeriodChange.start_date <= end,
        func.coalesce(PeriodChange.end_date, PeriodChange.start_date) >= start).limit(1))
    if overlapping == "suspension":
        raise CredentialError(N_("申請中または承認済みの休止期間と重なっています。"), 422, "start")
    if overlapping == "facility_change":
        raise CredentialError(N_("休止期間に所属研修施設変更の変更日が含まれています。"), 422, "start")


def _submitted(trainee: User, change: PeriodChange, summary: str) -> PeriodChange:
    db.session.add(change)
    db.session.flush()
    audit.record(f"{change.kind}_submitted", change, actor=trainee, from_state="not_submitted",
                 to_state=PENDING, reason=summary)
    approver = db.session.get(User, change.approver_id)
    open_task(approver, TASK, QUEUE, related_id=change.id)
    queue_mail("period_change_submitted", approver.email, director=approver, trainee=trainee,
               change=change, link=external_url(QUEUE))
    return change


def _scope(actor: User):
    """Like 研修開始審査 (I-16): the named director, still at that facility, or the secretariat."""
    if actor.role == Role.secretariat.value:
        return PeriodChange.id.is_not(None)
    if actor.role == Role.program_director.value and actor.facility_id is not None:
        return (PeriodChange.approver_id == actor.id) & (PeriodChange.facility_id == actor.facility_id)
    return PeriodChange.id.is_(None)


def _loaded(stmt):
    return stmt.options(joinedload(PeriodChange.trainee), joinedload(PeriodChange.facility),
                        joinedload(PeriodChange.approver))


def queue(actor: User, after_id: int | None = None, age: str | None = None,
          today: date | None = None) -> Page:
    """Pending requests, oldest first; keyset pages on id (portal.paging). `age`: the
    dashboard's bucket (portal.queues), counted from submission."""
    stmt = select(PeriodChange).where(_scope(actor), PeriodChange.status == inline(PENDING))
    if age and today:
        stmt = stmt.where(age_clause(PeriodChange.submitted_at, age, today))
    return page_of(list(db.session.scalars(_loaded(keyset(stmt, PeriodChange.id, after_id)))))


def get_for_review(actor: User, change_id: int) -> PeriodChange:
    change = db.session.scalar(_loaded(select(PeriodChange).where(
        PeriodChange.id == change_id, _scope(actor))))
    if change is None:
        raise CredentialError(N_("申請が見つかりません。"), 404)
    if change.trainee_id == actor.id:
        raise CredentialError(N_("ご自身の申請は審査できません。"), 403)
    return change


def _move(actor: User, change: PeriodChange, to_state: str, comment: str | None) -> None:
    """Guarded in SQL: of two reviewers (or a double click) exactly one moves the row."""
    moved = db.session.execute(
        update(PeriodChange).where(PeriodChange.id == change.id, PeriodChange.status == PENDING)
        .values(status=to_state, reviewed_by_id=actor.id, reviewed_at=utcnow(), review_comment=comment)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise CredentialError(N_("この申請は既に他の方が処理済みです。画面を更新してください。"), 409)
    db.session.refresh(change)
    close_tasks(TASK, related_id=change.id)


def _audit_reason(actor: User, change: PeriodChange, reason: str | None = None) -> str | None:
    if actor.role != Role.secretariat.value:
        return reason
    note = f"事務局による代行（統括責任者: {change.approver.full_name}）"
    return f"{note} {reason}" if reason else note


def _open_next_period(change: PeriodChange) -> None:
    """Close the current period the day before the change and open the next one."""
    current = db.session.scalar(select(Enrollment).where(
        Enrollment.trainee_id == change.trainee_id, Enrollment.to_date.is_(None))
        .order_by(Enrollment.id.desc()).limit(1))
    if current is None:
        raise CredentialError(NOT_ENROLLED, 409)
    _check_change_date(change.trainee_id, current, change.start_date, (APPROVED,))  # still true?
    closed = db.session.execute(
        update(Enrollment).where(Enrollment.id == current.id, Enrollment.to_date.is_(None))
        .values(to_date=change.start_date - timedelta(days=1))
        .execution_options(synchronize_session=False)).rowcount
    if closed != 1:
        raise CredentialError(N_("この申請は既に他の方が処理済みです。画面を更新してください。"), 409)
    db.session.add(Enrollment(
        tenant_id=change.tenant_id, trainee_id=change.trainee_id, facility_id=change.facility_id,
        program_director_id=change.approver_id, from_date=change.start_date,
        rotation=change.rotation, source="facility_change"))
    db.session.flush()


def approve(actor: User, change_id: int) -> PeriodChange:
    change = get_for_review(actor, change_id)
    if change.kind == "suspension":
        _check_suspension_overlap(change.trainee_id, change.start_date, change.end_date, change.id)
    _move(actor, change, APPROVED, None)
    if change.kind == "facility_change":
        _open_next_period(change)
    audit.record(f"{change.kind}_approved", change, actor=actor, from_state=PENDING,
                 to_state=APPROVED, reason=_audit_reason(actor, change))
    trainee = change.trainee
    queue_mail("period_change_approved", trainee.email, trainee=trainee, change=change,
               link=external_url(PAGE))
    notify_user(trainee, f"{change.kind_label}の申請が承認されました。",
                f"{actor.full_name}（{actor.role_label}）が承認しました。")
    return change


def return_(actor: User, change_id: int, reason: str) -> PeriodChange:
    reason = (reason or "").strip()
    if not reason:
        raise CredentialError(N_("差戻しの理由を入力してください。"), 422, "reason")
    change = get_for_review(actor, change_id)
    _move(actor, change, ReviewStatus.returned.value, reason)
    audit.record(f"{change.kind}_returned", change, actor=actor, from_state=PENDING,
                 to_state="returned", reason=_audit_reason(actor, change, reason))
    trainee = change.trainee
    queue_mail("period_change_returned", trainee.email, trainee=trainee, change=change,
               reason=reason, link=external_url(PAGE))
    notify_user(trainee, f"{change.kind_label}の申請が差し戻されました。", f"理由: {reason}")
    return change


def history(trainee_id: int) -> tuple[list[Enrollment], list[PeriodChange]]:
    """Every period (oldest first) and every request (newest first): two statements."""
    periods = list(db.session.scalars(
        select(Enrollment).where(Enrollment.trainee_id == trainee_id)
        .options(joinedload(Enrollment.facility), joinedload(Enrollment.program_director))
        .order_by(Enrollment.from_date, Enrollment.id)))
    changes = list(db.session.scalars(_loaded(
        select(PeriodChange).where(PeriodChange.trainee_id == trainee_id)
        .order_by(PeriodChange.id.desc()))))
    return periods, changes


def queue_counts(today: date) -> dict[str, list[int]]:
    """事務局ダッシュボード: requests waiting, by age from submission (one statement)."""
    return counts_by_age(PeriodChange.status, PeriodChange.submitted_at, today,
                         PeriodChange.status == inline(PENDING))
