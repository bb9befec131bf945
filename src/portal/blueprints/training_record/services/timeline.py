"""The timeline picture of a trainee's records (issue 17 item 3): the geometry of a server-drawn
SVG (no JavaScript), with gaps and overlaps marked, and the sentences of its text alternative.
The template (training_record/_timeline.html) only draws what this computes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext

from portal.blueprints.training_record.services.coverage import Coverage, Span
from portal.ui import fmt_date

WIDTH, LEFT, RIGHT = 720, 8, 8
LANE, TOP, AXIS = 34, 8, 30
# Fill and text colour per 研修状況 (text contrast ≥ 4.5:1 on its fill).
COLOURS = {"training": ("#1d4e89", "#ffffff"), "suspension": ("#5f6b7a", "#ffffff"),
           "interruption": ("#f2c14e", "#1a1a1a")}


@dataclass
class Bar:
    x: float
    y: float
    width: float
    fill: str
    text_colour: str
    label: str
    title: str


@dataclass
class Mark:
    x: float
    width: float
    kind: str  # gap | overlap
    title: str


@dataclass
class Timeline:
    height: float
    lanes_height: float
    bars: list[Bar] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    summary: str = ""
    lines: list[str] = field(default_factory=list)  # the text alternative, one per item
    width: int = WIDTH


def _lanes(records: list) -> list[int]:
    """Greedy lanes: a row overlapping one already placed goes one lane down, so both show."""
    ends: list[date | None] = []
    lanes = []
    for record in records:
        lane = next((i for i, end in enumerate(ends)
                     if end is not None and end < record.start_date), None)
        if lane is None:
            lane = len(ends)
            ends.append(None)
        ends[lane] = record.end_date or date.max
        lanes.append(lane)
    return lanes


def build(records: list, found: Coverage) -> Timeline | None:
    ordered = sorted(records, key=lambda r: (r.start_date, r.id or 0))
    if not ordered and not found.gaps:
        return None
    first = min([found.expected_start] + [r.start_date for r in ordered])
    last = max([found.today] + [r.end_date for r in ordered if r.end_date])
    days = max((last - first).days + 1, 1)

    def x(day: date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / days

    def span_width(start: date, end: date) -> float:
        return max(x(end) - x(start) + (WIDTH - LEFT - RIGHT) / days, 2)

    lanes = _lanes(ordered)
    lanes_height = TOP + LANE * max(lanes + [0]) + LANE
    result = Timeline(height=lanes_height + AXIS, lanes_height=lanes_height)
    for record, lane in zip(ordered, lanes, strict=True):
        end = record.end_date or found.today
        fill, text = COLOURS.get(record.training_status, COLOURS["training"])
        line = _line(record)
        result.bars.append(Bar(x(record.start_date), TOP + LANE * lane,
                               span_width(record.start_date, end), fill, text,
                               record.facility_label or record.status_label, line))
        result.lines.append(line)
    for kind, spans in (("gap", found.gaps), ("overlap", found.overlaps)):
        for span in spans:
            line = _mark_line(kind, span)
            result.marks.append(Mark(x(span.start), span_width(span.start, span.end), kind, line))
            result.lines.append(line)
    result.ticks = [(x(date(year, 4, 1)), gettext("%(year)s年度", year=year))
                    for year in range(first.year, last.year + 1)
                    if first <= date(year, 4, 1) <= last]
    result.summary = gettext(
        "研修実績 %(count)s件（%(start)s〜%(end)s）、空白期間 %(gaps)s件、重複 %(overlaps)s件",
        count=len(ordered), start=fmt_date(first), end=fmt_date(last),
        gaps=len(found.gaps), overlaps=len(found.overlaps))
    return result


def _line(record) -> str:
    end = fmt_date(record.end_date) if record.end_date else gettext("現在")
    what = record.facility_label if record.record_type == "facility_period" else record.reason_label
    return gettext("%(start)s〜%(end)s %(status)s %(what)s", start=fmt_date(record.start_date),
                   end=end, status=gettext(record.status_label), what=what or "").strip()


def _mark_line(kind: str, span: Span) -> str:
    if kind == "gap":
        return gettext("空白期間: %(start)s〜%(end)s", start=fmt_date(span.start), end=fmt_date(span.end))
    return gettext("重複: %(start)s〜%(end)s", start=fmt_date(span.start), end=fmt_date(span.end))
