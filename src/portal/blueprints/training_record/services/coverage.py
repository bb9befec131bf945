"""The checks of a trainee's records (I-30 to I-34), each explained on its row. Pure: rows in,
findings out, so the list, the timeline, the save and the tests read the same answer.

Overlaps and a row's own errors (I-32) refuse a save; gaps and missing coverage are shown as
warnings on their rows, since inserting and editing pass through incomplete states (Q15)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext

from portal.ui import fmt_date

DAY = timedelta(days=1)


@dataclass
class Span:
    start: date
    end: date  # inclusive


@dataclass
class Coverage:
    expected_start: date
    today: date
    rows: dict[int, list[str]] = field(default_factory=dict)  # record id -> its problems
    hard: dict[int, list[str]] = field(default_factory=dict)  # the ones that refuse a save
    general: list[str] = field(default_factory=list)
    gaps: list[Span] = field(default_factory=list)
    overlaps: list[Span] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.rows or self.general)

    def add(self, record_id: int, message: str, hard: bool = False) -> None:
        self.rows.setdefault(record_id, []).append(message)
        if hard:
            self.hard.setdefault(record_id, []).append(message)


def expected_start(training_start: date, cohort: int, actual_start_from_fy: int) -> date:
    """I-34 / B-R27: from the FY2022 cohort the records begin on the actual start date; before
    it, on 1 April (the days up to the actual start being a 休止 record)."""
    return training_start if cohort >= actual_start_from_fy else date(cohort, 4, 1)


def row_errors(record) -> list[tuple[str, str]]:
    """I-32, as (field, message): what a row needs whatever its neighbours."""
    found = []
    if record.end_date is not None and record.end_date < record.start_date:
        found.append(("end_date", gettext("終了日は開始日以降の日付を入力してください。")))
    if record.record_type == "interruption" and not record.interruption_reason:
        found.append(("interruption_reason", gettext("中断理由を選択してください。")))
    if record.record_type == "facility_period" and not (
            record.facility_id or (record.facility_name_text or "").strip()):
        found.append(("facility_id", gettext("研修施設名を選択するか入力してください。")))
    return found


def check(records: list, training_start: date, cohort: int, actual_start_from_fy: int,
          today: date) -> Coverage:
    start = expected_start(training_start, cohort, actual_start_from_fy)
    result = Coverage(expected_start=start, today=today)
    ordered = sorted(records, key=lambda r: (r.start_date, r.id or 0))
    for record in ordered:
        for _field, message in row_errors(record):
            result.add(record.id, message, hard=True)
    if not ordered:
        if start <= today:
            result.general.append(gettext(
                "研修開始日（%(date)s）から現在までの研修実績を登録してください。", date=fmt_date(start)))
        return result
    _first(result, ordered[0], training_start, start)
    for previous, current in zip(ordered, ordered[1:], strict=False):
        _between(result, previous, current)
    _last(result, ordered[-1], today)
    return result


def _first(result: Coverage, first, training_start: date, start: date) -> None:
    if first.start_date > start:
        result.gaps.append(Span(start, first.start_date - DAY))
        result.add(first.id, gettext("研修開始日（%(date)s）からこの行の開始日までの間に空白期間があります。",
                                     date=fmt_date(start)))
    elif first.start_date < start:
        result.add(first.id, gettext("研修開始日（%(date)s）より前の日付から始まっています。",
                                     date=fmt_date(start)), hard=True)
    if start < training_start and not (
            first.training_status == "suspension" and first.end_date == training_start - DAY):
        result.add(first.id, gettext(
            "2022年度より前に研修を開始した方は、4月1日から実際に研修を開始した日の前日"
            "（%(date)s）までを「休止」として登録してください。", date=fmt_date(training_start - DAY)))


def _between(result: Coverage, previous, current) -> None:
    if previous.end_date is None or current.start_date <= previous.end_date:
        ends = [d for d in (previous.end_date, current.end_date) if d is not None]
        span = Span(current.start_date, min(ends) if ends else result.today)
        result.overlaps.append(span)
        message = gettext("前の行と期間が重なっています（%(start)s〜%(end)s）。",
                          start=fmt_date(span.start), end=fmt_date(span.end))
        if previous.record_type == current.record_type == "facility_period":
            message += gettext("週に1日など別の施設でも研修した場合は、行を分けずに主な施設の行の"
                               "「その他詳細」に記入してください。")
        result.add(current.id, message, hard=True)
    elif current.start_date > previous.end_date + DAY:
        span = Span(previous.end_date + DAY, current.start_date - DAY)
        result.gaps.append(span)
        result.add(current.id, gettext("前の行との間に空白期間があります（%(start)s〜%(end)s）。",
                                       start=fmt_date(span.start), end=fmt_date(span.end)))


def _last(result: Coverage, last, today: date) -> None:
    """I-31 / B-R20: the records reach today (an open end counts as today)."""
    if last.end_date is not None and last.end_date < today:
        span = Span(last.end_date + DAY, today)
        result.gaps.append(span)
        result.add(last.id, gettext("この行の終了日の翌日から現在まで（%(start)s〜%(end)s）の研修実績が"
                                    "ありません。", start=fmt_date(span.start), end=fmt_date(span.end)))
