"""The secretariat's お知らせ: written, scheduled and retired, every change audited.
Services flush, never commit (DESIGN.md rule 2)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update

from portal import audit
from portal.db import utcnow
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import N_
from portal.paging import Page, keyset, page_of
from portal.ui import JST
from portal.worklist.models import Notice
from portal.worklist.services import APPLICANT

EVERYONE = "all"  # the form's value for a notice to everybody (stored as NULL)
AUDIENCES = {
    EVERYONE: N_("全員"),
    "trainee": N_("専攻医"),
    "program_director": N_("統括責任者"),
    "facility_manager": N_("施設責任者"),
    APPLICANT: N_("応募者（研修施設未登録の専攻医アカウント）"),
}
# Applicants exist only where doctors register to apply (the recruitment module).
APPLICANT_MODULE = "recruitment"
STATES = {"scheduled": N_("掲載予定"), "published": N_("掲載中"), "expired": N_("掲載終了"),
          "retired": N_("取り下げ")}
ENDS_BEFORE_START = N_("掲載終了日時は掲載開始日時より後にしてください。")
ALREADY_RETIRED = N_("このお知らせは既に取り下げられています。")


class NoticeRefused(Refusal):
    pass


@dataclass(frozen=True)
class NoticeValues:
    """What the form gives: Japan-time datetimes as typed (naive), the audience's form value."""

    title: str
    body: str
    audience: str
    publish_from: datetime
    publish_to: datetime | None


def audiences(rules) -> dict[str, str]:
    return {k: v for k, v in AUDIENCES.items()
            if k != APPLICANT or rules.has_module(APPLICANT_MODULE)}


def state(notice: Notice, now: datetime | None = None) -> str:
    now = now or utcnow()
    if notice.retired_at is not None:
        return "retired"
    if notice.published_at > now:
        return "scheduled"
    if notice.expires_at is not None and notice.expires_at <= now:
        return "expired"
    return "published"


def from_jst(value: datetime | None) -> datetime | None:
    """A time typed in Japan time, as the UTC the columns store."""
    return None if value is None else value.replace(tzinfo=JST).astimezone(timezone.utc)


def notices(after_id: int | None = None) -> Page:
    """The society's own notices (not the personal ones features write), newest first, one
    keyset page (portal.paging: `after` is the last, lowest, id shown)."""
    stmt = select(Notice).where(Notice.user_id.is_(None))
    return page_of(list(db.session.scalars(keyset(stmt, Notice.id, after_id, descending=True))))


def get_notice(notice_id: int) -> Notice | None:
    """A notice of this society the secretariat may edit; a personal one is not (None)."""
    notice = db.session.get(Notice, notice_id)
    return notice if notice is not None and notice.user_id is None else None


def _apply(notice: Notice, values: NoticeValues) -> None:
    start, end = from_jst(values.publish_from), from_jst(values.publish_to)
    if end is not None and end <= start:
        raise NoticeRefused(ENDS_BEFORE_START, field="publish_to")
    notice.title, notice.body = values.title.strip(), values.body.strip()
    notice.audience = None if values.audience == EVERYONE else values.audience
    notice.published_at, notice.expires_at = start, end


def create_notice(actor, values: NoticeValues) -> Notice:
    notice = Notice(tenant_id=actor.tenant_id, created_by_id=actor.id)
    _apply(notice, values)
    db.session.add(notice)
    db.session.flush()
    audit.record("notice_created", notice, actor=actor, to_state=state(notice))
    return notice


def update_notice(actor, notice: Notice, values: NoticeValues) -> bool:
    """False when nothing changed (no audit event, the top pages keep their cache)."""
    if notice.retired_at is not None:
        raise NoticeRefused(ALREADY_RETIRED)
    before = state(notice)
    _apply(notice, values)
    if not db.session.is_modified(notice):
        return False
    db.session.flush()
    audit.record("notice_updated", notice, actor=actor, from_state=before, to_state=state(notice))
    return True


def retire_notice(actor, notice: Notice, reason: str = "") -> None:
    """Off every top page at once; guarded in SQL so a double click retires once."""
    before = state(notice)
    result = db.session.execute(
        update(Notice).where(Notice.id == notice.id, Notice.retired_at.is_(None))
        .values(retired_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise NoticeRefused(ALREADY_RETIRED)
    db.session.refresh(notice)
    audit.record("notice_retired", notice, actor=actor, from_state=before, to_state="retired",
                 reason=reason or None)
