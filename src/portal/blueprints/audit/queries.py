"""The audit trail as the secretariat filters it: who (actor), on what (subject: table and
id), which event, between which Japan-time dates. Newest first, 50 a page by keyset on id;
the export takes the same filters."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from portal import normalize
from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.db import inline
from portal.extensions import db
from portal.i18n import N_
from portal.paging import Page, keyset, page_of
from portal.ui import JST

EXPORT_MAX = 50_000  # rows in one CSV; a longer trail is exported a date range at a time
BAD_DATE = N_("日付を正しく入力してください（例: 2026-12-01）。")
DATES_REVERSED = N_("期間の終わりは始まり以降の日付にしてください。")


class FilterError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    subject: str = ""
    subject_id: int | None = None
    event: str = ""
    since: date | None = None
    until: date | None = None

    def args(self) -> dict:
        """The query string that gives these filters back (links, the export)."""
        values = {"actor": self.actor, "subject": self.subject, "subject_id": self.subject_id,
                  "event": self.event, "since": self.since and self.since.isoformat(),
                  "until": self.until and self.until.isoformat()}
        return {k: v for k, v in values.items() if v}


def _date(raw: str, field: str) -> date | None:
    raw = normalize.nfkc(raw).strip().replace("/", "-")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(BAD_DATE, field) from None


def parse(args: dict[str, str], subject_id: int | None) -> Filters:
    """Filters from the query string; FilterError names a date that is not one."""
    since, until = _date(args.get("since", ""), "since"), _date(args.get("until", ""), "until")
    if since and until and until < since:
        raise FilterError(DATES_REVERSED, "until")
    return Filters(actor=normalize.nfkc(args.get("actor", "")).strip(),
                   subject=normalize.nfkc(args.get("subject", "")).strip(),
                   subject_id=subject_id, event=normalize.nfkc(args.get("event", "")).strip(),
                   since=since, until=until)


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, JST).astimezone(timezone.utc)


Actor = aliased(User)


def _statement(f: Filters):
    stmt = (select(AuditEvent, Actor.login_id, Actor.full_name)
            .outerjoin(Actor, Actor.id == AuditEvent.actor_id)
            .order_by(AuditEvent.id.desc()))
    if f.actor:
        stmt = stmt.where(or_(Actor.login_id == normalize.code(f.actor),
                              func.lower(Actor.email) == f.actor.lower(),
                              Actor.full_name.icontains(normalize.name(f.actor), autoescape=True)))
    if f.subject:
        stmt = stmt.where(AuditEvent.entity_type == f.subject)
    if f.subject_id:
        stmt = stmt.where(AuditEvent.entity_id == f.subject_id)
    if f.event:
        stmt = stmt.where(AuditEvent.action == f.event)
    if f.since:
        stmt = stmt.where(AuditEvent.created_at >= _utc_start(f.since))
    if f.until:
        stmt = stmt.where(AuditEvent.created_at < _utc_start(f.until + timedelta(days=1)))
    return stmt


def events(f: Filters, before_id: int | None = None) -> Page:
    """(event, actor login id, actor name) rows of one keyset page, newest first
    (portal.paging; `before` is the last, oldest, id shown)."""
    stmt = keyset(_statement(f).order_by(None), AuditEvent.id, before_id, descending=True)
    return page_of(list(db.session.execute(stmt)), key=lambda row: row[0].id)


def export_rows(f: Filters) -> list:
    return list(db.session.execute(_statement(f).limit(inline(EXPORT_MAX))))

