"""症例レポート, the trainee's side (issue 16 item 4), modelled on J-OSLER's 病歴要約: a report on
one of the trainee's own cases (one per case), written as a draft and submitted to the case's
director, who returns it with a comment or accepts it (services/report_review.py).

The text lives in numbered versions. The newest version is the one being written while the
report is 下書き; submitting freezes it (submitted_at), and a returned report is revised into
the next number, so every submitted text and the comment on it stay readable. An accepted
report is frozen for good. Services flush, never commit; every transition is guarded in SQL
(UPDATE ... WHERE status = expected) and audited."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal import audit
from portal.accounts.models import User
from portal.blueprints.cases.models import (
    REPORT_STATUS_LABELS,
    Case,
    CaseReport,
    CaseReportVersion,
    ReportStatus,
)
from portal.blueprints.cases.services.identifiers import identifier_problem
from portal.db import inline, utcnow
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.mail import queue_mail
from portal.paging import Page, keyset, page_of
from portal.urls import external_url
from portal.worklist.services import close_tasks, open_task

CASE_CHOICES = 200  # the newest cases without a report; an older one comes with ?case=<id>
EDITABLE = (ReportStatus.draft.value, ReportStatus.returned.value)
NOT_FOUND = N_("症例レポートが見つかりません。")
FROZEN = N_("この症例レポートは提出済みまたは受理済みのため、編集できません。")
ALREADY_SUBMITTED = N_("この症例レポートは既に提出されています。画面を更新してください。")


class ReportError(Refusal):
    status = 422


class ReportExists(ReportError):
    """One report per case: the refusal names the existing one, so the page can link to it."""

    def __init__(self, report_id: int):
        super().__init__(N_("この症例には既に症例レポートがあります。"), 409, "case_id")
        self.report_id = report_id


@dataclass(frozen=True)
class VersionRow:
    """A version as the history lists it, with the state it is in."""

    version: CaseReportVersion
    status: str

    @property
    def status_label(self) -> str:
        return REPORT_STATUS_LABELS[self.status]


def version_status(report: CaseReport, version: CaseReportVersion) -> str:
    if version.submitted_at is None:
        return ReportStatus.draft.value
    if version.reviewed_at is None:
        return ReportStatus.submitted.value
    accepted = report.status == ReportStatus.accepted.value and version.number == report.current_version
    return ReportStatus.accepted.value if accepted else ReportStatus.returned.value


def version_rows(report: CaseReport, submitted_only: bool = False) -> list[VersionRow]:
    """Newest first. A reviewer sees only what was submitted, never the draft being written."""
    return [VersionRow(v, version_status(report, v)) for v in reversed(report.versions)
            if not (submitted_only and v.submitted_at is None)]


def current_text(report: CaseReport) -> CaseReportVersion:
    return next(v for v in report.versions if v.number == report.current_version)


def version_pair(report: CaseReport, number: int, submitted_only: bool = False):
    """(previous, version) for the 差分 of version `number`; 404 when there is no such pair."""
    by_number = {v.number: v for v in report.versions
                 if not (submitted_only and v.submitted_at is None)}
    if number not in by_number or number - 1 not in by_number:
        raise ReportError(NOT_FOUND, 404)
    return by_number[number - 1], by_number[number]


# --- reading -------------------------------------------------------------------------------

def case_choices(trainee: User, rules, preselect: int | None = None) -> list[tuple[int, str]]:
    """The trainee's cases that have no report yet, newest first, as (id, date + category)."""
    reported = exists().where(CaseReport.case_id == Case.id)
    rows = list(db.session.execute(
        select(Case.id, Case.icu_admission_date, Case.primary_category)
        .where(Case.trainee_id == trainee.id, ~reported)
        .order_by(Case.icu_admission_date.desc(), Case.id.desc()).limit(inline(CASE_CHOICES))))
    if preselect is not None and all(r.id != preselect for r in rows):
        rows += db.session.execute(
            select(Case.id, Case.icu_admission_date, Case.primary_category)
            .where(Case.id == preselect, Case.trainee_id == trainee.id, ~reported)).all()
    return [(r.id, f"{r.icu_admission_date:%Y/%m/%d} {rules.case_log.category_label(r.primary_category)}")
            for r in rows]


def report_for_case(trainee: User, case_id: int) -> int | None:
    """The id of the trainee's report on this case, if it has one."""
    return db.session.scalar(select(CaseReport.id).where(
        CaseReport.case_id == case_id, CaseReport.trainee_id == trainee.id))


def own_reports(trainee: User, after_id: int | None = None) -> Page:
    """症例レポート一覧: (report, title of its newest version), newest first, one keyset
    page (portal.paging)."""
    stmt = (select(CaseReport, CaseReportVersion.title)
            .join(CaseReportVersion, (CaseReportVersion.report_id == CaseReport.id)
                  & (CaseReportVersion.number == CaseReport.current_version))
            .where(CaseReport.trainee_id == trainee.id)
            .options(joinedload(CaseReport.case)))
    stmt = keyset(stmt, CaseReport.id, after_id, descending=True)
    return page_of([(report, title) for report, title in db.session.execute(stmt)],
                   key=lambda row: row[0].id)


def own_report(trainee: User, report_id: int) -> CaseReport:
    """The trainee's own report with its case and versions; another's is a 404."""
    report = db.session.scalar(
        select(CaseReport).where(CaseReport.id == report_id, CaseReport.trainee_id == trainee.id)
        .options(joinedload(CaseReport.case), joinedload(CaseReport.director),
                 selectinload(CaseReport.versions)))
    if report is None:
        raise ReportError(NOT_FOUND, 404)
    return report


def _own_case(trainee: User, case_id: int | None) -> Case:
    case = db.session.scalar(select(Case).where(
        Case.id == case_id, Case.trainee_id == trainee.id)) if case_id else None
    if case is None:
        raise ReportError(N_("症例を選択してください。"), 422, "case_id")
    return case


def _check_text(title: str, body: str) -> None:
    found = identifier_problem(f"{title}\n{body}")
    if found:
        raise ReportError(found, 422, "body")


# --- writing -------------------------------------------------------------------------------

def create(trainee: User, case_id: int | None, title: str, body: str, submit: bool,
           now: datetime | None = None) -> CaseReport:
    """新規登録: a draft on one of the trainee's cases (one per case), submitted at once when
    asked. The case's director is the report's."""
    case = _own_case(trainee, case_id)
    existing = report_for_case(trainee, case.id)
    if existing is not None:
        raise ReportExists(existing)
    _check_text(title, body)
    report = CaseReport(tenant_id=trainee.tenant_id, trainee_id=trainee.id,
                        director_id=case.director_id, case_id=case.id,
                        status=ReportStatus.draft.value, current_version=1)
    try:
        with db.session.begin_nested():  # two posts at once meet the unique index on case_id
            db.session.add(report)
            db.session.flush()
    except IntegrityError:
        raise ReportExists(report_for_case(trainee, case.id) or 0) from None
    db.session.add(CaseReportVersion(tenant_id=trainee.tenant_id, report_id=report.id, number=1,
                                     title=title, body=body))
    db.session.flush()
    audit.record("case_report_created", report, actor=trainee, to_state="draft",
                 reason=f"case {case.id}")
    if submit:
        _submit(trainee, report, now or utcnow())
    return report


def save(trainee: User, report_id: int, title: str, body: str, submit: bool,
         now: datetime | None = None) -> CaseReport:
    """編集: a draft is written over; a returned report becomes the next version (the
    returned text stays as it was submitted). Submitted and accepted reports are refused."""
    report = own_report(trainee, report_id)
    if report.status not in EDITABLE:
        raise ReportError(FROZEN, 409)
    _check_text(title, body)
    if report.status == ReportStatus.returned.value:
        _revise(trainee, report, title, body)
    else:
        changed = db.session.execute(
            update(CaseReportVersion)
            .where(CaseReportVersion.report_id == report.id,
                   CaseReportVersion.number == report.current_version,
                   CaseReportVersion.submitted_at.is_(None))
            .values(title=title, body=body).execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            raise ReportError(FROZEN, 409)
    db.session.expire(report)
    if submit:
        _submit(trainee, report, now or utcnow())
    return report


def _revise(trainee: User, report: CaseReport, title: str, body: str) -> None:
    number = report.current_version + 1
    moved = db.session.execute(
        update(CaseReport)
        .where(CaseReport.id == report.id, CaseReport.status == ReportStatus.returned.value,
               CaseReport.current_version == report.current_version)
        .values(status=ReportStatus.draft.value, current_version=number)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise ReportError(FROZEN, 409)
    db.session.add(CaseReportVersion(tenant_id=report.tenant_id, report_id=report.id,
                                     number=number, title=title, body=body))
    db.session.flush()
    audit.record("case_report_revised", report, actor=trainee, from_state="returned",
                 to_state="draft", reason=f"version {number}")


def submit(trainee: User, report_id: int, now: datetime | None = None) -> CaseReport:
    """提出 of the draft as it is saved."""
    report = own_report(trainee, report_id)
    if report.status != ReportStatus.draft.value:
        raise ReportError(ALREADY_SUBMITTED, 409)
    _submit(trainee, report, now or utcnow())
    return report


def _submit(trainee: User, report: CaseReport, now: datetime) -> None:
    """下書き -> 審査待ち: the newest version is frozen; the director gets a task and a mail."""
    moved = db.session.execute(
        update(CaseReport)
        .where(CaseReport.id == report.id, CaseReport.status == ReportStatus.draft.value)
        .values(status=ReportStatus.submitted.value, submitted_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise ReportError(ALREADY_SUBMITTED, 409)
    db.session.refresh(report)
    db.session.execute(
        update(CaseReportVersion)
        .where(CaseReportVersion.report_id == report.id,
               CaseReportVersion.number == report.current_version,
               CaseReportVersion.submitted_at.is_(None))
        .values(submitted_at=now).execution_options(synchronize_session=False))
    audit.record("case_report_submitted", report, actor=trainee, from_state="draft",
                 to_state="submitted", reason=f"version {report.current_version}")
    close_tasks("revise_case_report", related_id=report.id)  # a returned report is resubmitted
    director = db.session.get(User, report.director_id)
    open_task(director, "review_case_report", "cases.review_report", related_id=report.id)
    queue_mail("case_report_submitted", director.email, director=director, trainee=trainee,
               number=report.current_version, title=current_title(report),
               link=external_url("cases.review_report", report_id=report.id))


def current_title(report: CaseReport) -> str:
    return db.session.scalar(select(CaseReportVersion.title).where(
        CaseReportVersion.report_id == report.id,
        CaseReportVersion.number == report.current_version)) or ""


# --- facts for the completion requirements (issue 16 item 5) ---------------------------------

def accepted_report_counts(trainee_ids: Sequence[int]) -> dict[int, int]:
    """受理 reports per trainee, every asked trainee present (0 when none): one GROUP BY."""
    ids = list(trainee_ids)
    counts = {trainee_id: 0 for trainee_id in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(CaseReport.trainee_id, func.count())
        .where(CaseReport.trainee_id.in_(ids),
               CaseReport.status == inline(ReportStatus.accepted.value))
        .group_by(CaseReport.trainee_id))
    counts.update({trainee_id: count for trainee_id, count in rows})
    return counts


