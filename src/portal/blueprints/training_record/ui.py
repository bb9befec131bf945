"""What the training record's pages share: today in Japan time, the record form's choices and
the draft kept between 入力 and 登録, and the context of a trainee's records page (list,
per-row findings, timeline, 連携待ち)."""
from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import gettext
from wtforms.fields.choices import SelectChoice

from portal.blueprints.training_record.forms import RecordForm
from portal.blueprints.training_record.models import (
    INTERRUPTION_REASONS,
    RECORD_TYPES,
    TRAINING_STATUSES,
)
from portal.blueprints.training_record.services import ceiling, timeline
from portal.blueprints.training_record.services import records as services
from portal.blueprints.training_record.services.coverage import DAY
from portal.blueprints.training_record.services.records import Draft
from portal.db import utcnow
from portal.i18n import N_
from portal.ui import to_jst

# B-R22, seed 002: what a linked trainee sees until the society's data has arrived.
LINKAGE_PENDING = N_("まだデータ連携が完了しておりませんので、表示はされておりません。"
                     "処理が完了次第、改めてご連絡をさせていただきます。")


# The 入力 page of each kind of row (研修施設の登録, 中断の登録).
NEW = {"facility_period": "training_record.new_facility_period",
       "interruption": "training_record.new_interruption"}


def today() -> date:
    return to_jst(utcnow()).date()


def record_form(kind: str, record=None, start: date | None = None) -> RecordForm:
    """The fields "as applicable" (DOMAIN.md 3.2.2): a facility period has no 中断理由, an
    interruption no facility; the field that does not apply is not part of the form at all."""
    form = RecordForm(obj=record) if record is not None else RecordForm()
    statuses = ("training", "suspension") if kind == "facility_period" else ("interruption",)
    form.training_status.choices = [SelectChoice(s, gettext(TRAINING_STATUSES[s])) for s in statuses]
    if kind == "facility_period":
        del form.interruption_reason
        form.facility_id.choices = [SelectChoice(0, gettext("選択してください"))] + [
            SelectChoice(f.id, f.name) for f in services.facilities()]
        if form.facility_id.data is None:
            form.facility_id.data = 0
    else:
        del form.facility_id
        del form.facility_name_text
        form.interruption_reason.choices = [SelectChoice("", gettext("選択してください"))] + [
            SelectChoice(code, gettext(label)) for code, label in INTERRUPTION_REASONS.items()]
    if record is None and form.training_status.data is None:
        form.training_status.data = statuses[0]
    if start is not None and form.start_date.data is None:
        form.start_date.data = start
    return form


def insert_start(anchor) -> date:
    """Insert: the new row starts inside the anchor (split) or the day after it ends."""
    return anchor.end_date + DAY if anchor.end_date else anchor.start_date + DAY


def draft_of(form: RecordForm, kind: str, record_id: int | None, anchor_id: int | None) -> Draft:
    facility_period = kind == "facility_period"
    return Draft(
        record_type=kind, training_status=form.training_status.data,
        start_date=form.start_date.data, end_date=form.end_date.data,
        interruption_reason=None if facility_period else (form.interruption_reason.data or None),
        other_details=(form.other_details.data or "").strip() or None,
        facility_id=(form.facility_id.data or None) if facility_period else None,
        facility_name_text=((form.facility_name_text.data or "").strip() or None)
        if facility_period else None, record_id=record_id, anchor_id=anchor_id)


def draft_to_session(draft: Draft) -> dict:
    values = {k: getattr(draft, k) for k in Draft.__dataclass_fields__}
    for key in ("start_date", "end_date"):
        values[key] = values[key].isoformat() if values[key] else None
    return values


def draft_from_session(raw) -> Draft | None:
    if not isinstance(raw, dict) or raw.get("record_type") not in RECORD_TYPES:
        return None
    try:
        values = dict(raw)
        for key in ("start_date", "end_date"):
            values[key] = date.fromisoformat(values[key]) if values.get(key) else None
        return Draft(**values)
    except (TypeError, ValueError):
        return None


def draft_labels(draft: Draft) -> dict:
    return {"type": RECORD_TYPES[draft.record_type],
            "status": TRAINING_STATUSES.get(draft.training_status, ""),
            "reason": INTERRUPTION_REASONS.get(draft.interruption_reason or "", "")}


def back_url(draft: Draft) -> str:
    if draft.record_id:
        return url_for("training_record.edit", record_id=draft.record_id)
    return url_for(NEW[draft.record_type], after=draft.anchor_id)


def record_page(enrollment, trainee_id: int, rules, day: date) -> dict:
    """The records, each with its findings, the timeline, and whether the trainee may enter."""
    if enrollment is None:
        return {"enrollment": None}
    exemption = ceiling.exemption_of(trainee_id)
    records = services.records_of(trainee_id)
    allowed = services.entry_allowed(enrollment, rules)
    linkage_pending = not allowed and not any(r.source == "data_linkage" for r in records)
    if linkage_pending:
        return {"enrollment": enrollment, "allowed": False, "linkage_pending": LINKAGE_PENDING,
                "exemption": exemption}
    found = services.coverage_for(enrollment, records, rules, day)
    return {"enrollment": enrollment, "allowed": allowed, "records": records, "coverage": found,
            "timeline": timeline.build(records, found), "linkage_pending": None,
            "exemption": exemption}
