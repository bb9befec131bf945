"""症例レポート審査, the director's side: the queue of submitted reports, and 受理 / 差戻し.

Only the report's director (the case's director) decides. The secretariat reads the queue and
the reports of the whole society but does not decide: the review is the 指導医's judgement of
the trainee's clinical writing (J-OSLER's 病歴要約 likewise), and unlike the training-start
application, where the secretariat may stand in (I-16), a report does not block anything
while it waits; what the secretariat needs is to see which reviews are overdue.
Services flush, never commit; every transition is guarded in SQL and audited."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from portal import audit
from portal.accounts.models import Role, User
from portal.blueprints.cases.models import CaseReport, CaseReportVersion, ReportStatus
from portal.blueprints.cases.services.reports import (
    NOT_FOUND,
    ReportError,
    current_title,
)
from portal.db import inline, utcnow
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.paging import Page, keyset, page_of
from portal.queues import age_clause, counts_by_age
from portal.urls import external_url
from portal.worklist.services import close_tasks, notify_user, open_task

DECIDED = N_("この症例レポートは既に審査済みです。画面を更新してください。")
COMMENT_REQUIRED = N_("差戻しのコメントを入力してください。")
COMMENT_MAX = 4000


def _scope(actor: User):
    """The reports `actor` may read: the director's own; the secretariat's, all of them."""
    if actor.role == Role.secretariat.value:
        return CaseReport.id.is_not(None)
    if actor.role == Role.program_director.value:
        return CaseReport.director_id == actor.id
    return CaseReport.id.is_(None)


def can_decide(actor: User, report: CaseReport) -> bool:
    return (actor.role == Role.program_director.value and report.director_id == actor.id
            and report.status == ReportStatus.submitted.value)


def queue(actor: User, after_id: int | None = None, age: str | None = None,
          today: date | None = None) -> Page:
    """審査待ち reports, oldest first, one keyset page (portal.paging): (report, submitted
    title). `age`: the dashboard's bucket (portal.queues), counted from submission."""
    stmt = (select(CaseReport, CaseReportVersion.title)
            .join(CaseReportVersion, (CaseReportVersion.report_id == CaseReport.id)
                  & (CaseReportVersion.number == CaseReport.current_version))
            .where(_scope(actor), CaseReport.status == inline(ReportStatus.submitted.value))
            .options(joinedload(CaseReport.trainee), joinedload(CaseReport.case),
                     joinedload(CaseReport.director)))
    if age and today:
        stmt = stmt.where(age_clause(CaseReport.submitted_at, age, today))
    return page_of([(report, title) for report, title in
                    db.session.execute(keyset(stmt, CaseReport.id, after_id))],
                   key=lambda row: row[0].id)


def get_for_review(actor: User, report_id: int) -> CaseReport:
    """A report that was submitted at least once, with its case and versions; 404 otherwise
    (a draft never submitted is the trainee's alone)."""
    report = db.session.scalar(
        select(CaseReport).where(CaseReport.id == report_id, _scope(actor),
                                 CaseReport.submitted_at.is_not(None))
        .options(joinedload(CaseReport.trainee), joinedload(CaseReport.case),
                 joinedload(CaseReport.director), selectinload(CaseReport.versions)))
    if report is None:
        raise ReportError(NOT_FOUND, 404)
    return report


def _decide(actor: User, report_id: int, to_state: str, comment: str | None,
            now: datetime) -> CaseReport:
    """審査待ち -> to_state, by the report's director only; the comment is kept on the version
    that was reviewed."""
    report = get_for_review(actor, report_id)
    if actor.role != Role.program_director.value or report.director_id != actor.id:
        raise ReportError(NOT_FOUND, 404)
    values = {"status": to_state}
    if to_state == ReportStatus.accepted.value:
        values["accepted_at"] = now
    moved = db.session.execute(
        update(CaseReport)
        .where(CaseReport.id == report.id, CaseReport.director_id == actor.id,
               CaseReport.status == ReportStatus.submitted.value)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise ReportError(DECIDED, 409)
    db.session.execute(
        update(CaseReportVersion)
        .where(CaseReportVersion.report_id == report.id,
               CaseReportVersion.number == report.current_version,
               CaseReportVersion.reviewed_at.is_(None))
        .values(review_comment=comment or None, reviewed_by_id=actor.id, reviewed_at=now)
        .execution_options(synchronize_session=False))
    db.session.expire(report)
    audit.record(f"case_report_{to_state}", report, actor=actor, from_state="submitted",
                 to_state=to_state, reason=comment or None)
    close_tasks("review_case_report", related_id=report.id)
    return report


def _comment(comment: str | None, required: bool) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise ReportError(COMMENT_REQUIRED, 422, "comment")
    if len(comment) > COMMENT_MAX:
        raise ReportError(N_("コメントは4000文字以内で入力してください。"), 422, "comment")
    return comment


def accept(actor: User, report_id: int, comment: str | None = None,
           now: datetime | None = None) -> CaseReport:
    """受理: the report counts towards the requirements and is frozen."""
    comment = _comment(comment, required=False)
    report = _decide(actor, report_id, ReportStatus.accepted.value, comment, now or utcnow())
    _tell_trainee(report, "case_report_accepted", comment,
                  N_("症例レポートが受理されました。"))
    return report


def return_(actor: User, report_id: int, comment: str | None,
            now: datetime | None = None) -> CaseReport:
    """差戻し, with the comment the trainee revises by; they get a task to revise it."""
    comment = _comment(comment, required=True)
    report = _decide(actor, report_id, ReportStatus.returned.value, comment, now or utcnow())
    trainee = db.session.get(User, report.trainee_id)
    open_task(trainee, "revise_case_report", "cases.report", related_id=report.id)
    _tell_trainee(report, "case_report_returned", comment,
                  N_("症例レポートが差し戻されました。"))
    return report


def _tell_trainee(report: CaseReport, template: str, comment: str, notice: str) -> None:
    trainee = db.session.get(User, report.trainee_id)
    title = current_title(report)
    link = external_url("cases.report", report_id=report.id)
    queue_mail(template, trainee.email, trainee=trainee, title=title, comment=comment,
               number=report.current_version, link=link)
    body = f"「{title}」（第{report.current_version}版）"
    if comment:
        body += f"\nコメント: {comment}"
    notify_user(trainee, notice, body)


def queue_counts(today: date) -> dict[str, list[int]]:
    """事務局ダッシュボード: reports waiting for review, by age from submission."""
    return counts_by_age(CaseReport.status, CaseReport.submitted_at, today,
                         CaseReport.status == inline(ReportStatus.submitted.value))
