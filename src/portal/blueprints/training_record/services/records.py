"""研修実績 (B-W04, B-R19 to B-R23): add, edit, insert and delete a trainee's facility periods
and interruptions. A save is checked against all the trainee's rows (services/coverage.py):
an overlap or a row's own error refuses it, with nothing changed; gaps stay as warnings.
Only trainees whose specialty × cohort enter records may change them (B-R21, I-33)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.accounts.models import User
from portal.blueprints.training_record.models import TraineeEnrollment, TrainingRecord
from portal.blueprints.training_record.services import RecordError
from portal.blueprints.training_record.services import coverage as checks
from portal.directory.models import Facility
from portal.extensions import db
from portal.i18n import N_

NOT_ENROLLED = N_("在籍登録後に研修実績を登録できます。")
LINKED = N_("この基本領域・年度の研修実績はデータ連携で登録されるため、ここでは入力できません。")
NOT_FOUND = N_("研修実績が見つかりません。")
READ_ONLY = N_("データ連携で登録された研修実績は変更できません。")


@dataclass(frozen=True)
class Draft:
    """What the 入力 screen posted, kept in the session until 登録 (B-S09 -> B-S10)."""

    record_type: str
    training_status: str
    start_date: date
    end_date: date | None
    interruption_reason: str | None = None
    other_details: str | None = None
    facility_id: int | None = None
    facility_name_text: str | None = None
    record_id: int | None = None  # editing this row
    anchor_id: int | None = None  # inserted inside this row (it is split around the new one)
    id: int | None = None  # the coverage check's row id (0: the new row)


def entry_allowed(enrollment: TraineeEnrollment | None, rules) -> bool:
    return enrollment is not None and rules.training_record.entry_required_for(
        enrollment.specialty, enrollment.cohort_fiscal_year)


def require_entry(enrollment: TraineeEnrollment | None, rules) -> TraineeEnrollment:
    if enrollment is None:
        raise RecordError(NOT_ENROLLED, 403)
    if not entry_allowed(enrollment, rules):
        raise RecordError(LINKED, 403)
    return enrollment


def records_of(trainee_id: int) -> list[TrainingRecord]:
    return list(db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.trainee_id == trainee_id)
        .options(joinedload(TrainingRecord.facility))
        .order_by(TrainingRecord.start_date, TrainingRecord.id)))


def own_record(trainee_id: int, record_id: int) -> TrainingRecord:
    record = db.session.scalar(select(TrainingRecord).where(
        TrainingRecord.id == record_id, TrainingRecord.trainee_id == trainee_id))
    if record is None:
        raise RecordError(NOT_FOUND, 404)
    return record


def facilities() -> list[Facility]:
    return list(db.session.scalars(select(Facility).order_by(Facility.name)))


def facility_name(facility_id: int | None) -> str:
    facility = db.session.get(Facility, facility_id) if facility_id else None
    return facility.name if facility else ""


def coverage_for(enrollment: TraineeEnrollment, records: list, rules, today: date):
    return checks.check(records, enrollment.training_start_date, enrollment.cohort_fiscal_year,
                        rules.training_record.actual_start_from_fy, today)


def _candidate(records: list[TrainingRecord], draft: Draft) -> tuple[list, list]:
    """The rows as they would be after the save, and the anchor's split (its new end, and a tail
    from the day after the inserted row when the anchor went on beyond it)."""
    new = replace(draft, id=draft.record_id or 0)
    rows = [r for r in records if r.id != draft.record_id]
    splits = []
    anchor = next((r for r in rows if r.id == draft.anchor_id), None)
    if anchor is not None and anchor.start_date < draft.start_date:
        shortened = replace(_as_draft(anchor), end_date=draft.start_date - checks.DAY)
        rows = [r for r in rows if r.id != anchor.id] + [shortened]
        splits.append(shortened)
        if draft.end_date is not None and (anchor.end_date is None or anchor.end_date > draft.end_date):
            tail = replace(_as_draft(anchor), id=-1, record_id=None,
                           start_date=draft.end_date + checks.DAY)
            rows.append(tail)
            splits.append(tail)
    return rows + [new], splits


def _as_draft(record: TrainingRecord) -> Draft:
    return Draft(record.record_type, record.training_status, record.start_date, record.end_date,
                 record.interruption_reason, record.other_details, record.facility_id,
                 record.facility_name_text, record_id=record.id, id=record.id)


def check_draft(trainee: User, enrollment: TraineeEnrollment, draft: Draft, rules,
                today: date) -> None:
    """Refuse a draft with a row error or an overlap; used at 登録確認 and again at 登録."""
    for field, message in checks.row_errors(draft):
        raise RecordError(message, 422, field)
    records = records_of(trainee.id)
    before = coverage_for(enrollment, records, rules, today).hard
    rows, _splits = _candidate(records, draft)
    after = coverage_for(enrollment, rows, rules, today).hard
    # Only what this save would cause refuses it: a problem already there is shown, not blocking.
    for row_id, messages in after.items():
        new = [m for m in messages if m not in before.get(row_id, [])]
        if new:
            raise RecordError(new[0], 422, "start_date")


def register(trainee: User, enrollment: TraineeEnrollment | None, draft: Draft, rules,
             today: date) -> TrainingRecord:
    """登録 (B-S10): the checks again, then the row (and the anchor's split) written and audited."""
    enrollment = require_entry(enrollment, rules)
    existing = own_record(trainee.id, draft.record_id) if draft.record_id else None
    if existing is not None and existing.source != "manual":
        raise RecordError(READ_ONLY, 403)
    check_draft(trainee, enrollment, draft, rules, today)
    _rows, splits = _candidate(records_of(trainee.id), draft)
    for part in splits:
        _write(trainee, part, "training_record_split")
    return _write(trainee, draft, "training_record_updated" if existing else "training_record_created")


_FIELDS = ("record_type", "training_status", "start_date", "end_date", "interruption_reason",
           "other_details", "facility_id", "facility_name_text")


def _write(trainee: User, draft: Draft, action: str) -> TrainingRecord:
    record = own_record(trainee.id, draft.record_id) if draft.record_id else TrainingRecord(
        tenant_id=trainee.tenant_id, trainee_id=trainee.id, source="manual")
    before = _describe(record) if record.id else None
    for name in _FIELDS:
        setattr(record, name, getattr(draft, name))
    db.session.add(record)
    db.session.flush()
    audit.record(action, record, actor=trainee, from_state=None, to_state=record.record_type,
                 reason=f"{before} -> {_describe(record)}" if before else _describe(record))
    return record


def _describe(record) -> str:
    end = record.end_date.isoformat() if record.end_date else ""
    return f"{record.record_type} {record.start_date.isoformat()}..{end}"


def delete(trainee: User, enrollment: TraineeEnrollment | None, record_id: int, rules) -> None:
    require_entry(enrollment, rules)
    record = own_record(trainee.id, record_id)
    if record.source != "manual":
        raise RecordError(READ_ONLY, 403)
    audit.record("training_record_deleted", record, actor=trainee, reason=_describe(record))
    db.session.delete(record)
    db.session.flush()
