"""Mail goes through the outbox: a row written in the same transaction as the change,
put on the queue after commit, re-queued by a sweeper, sent by a worker that is safe
to run twice (rq is at-least-once). A Redis outage delays mail; it never loses it."""
from __future__ import annotations

import functools
import logging
import smtplib
import socket
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any
from urllib.parse import urlparse

from flask import current_app, g
from sqlalchemy import String, Text, and_, event, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal import jobs
from portal.db import Base, TenantScoped, utcnow
from portal.extensions import db
from portal.tenants.scoping import system_scope, tenant_scope

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
_PENDING_KEY = "outbox_new"


class OutboxMail(TenantScoped, Base):
    __tablename__ = "outbox_mails"
    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str] = mapped_column(String(60))
    to_addr: Mapped[str] = mapped_column(String(320))
    from_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # pending -> sending -> sent | failed
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None]
    swept_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    transport: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_mail(template: str, **context: Any) -> tuple[str, str]:
    """Subject from the society's rules if it names one, else the template's subject block."""
    from jinja2_fragments.flask import render_block

    name = f"mail/{template}.txt"
    default_subject = _one_line(render_block(name, "subject", **context))
    body = render_block(name, "body", **context).strip() + "\n"
    return _one_line(g.rules.mail_subject(template, default_subject)), body


def queue_mail(template: str, to: str, **context: Any) -> OutboxMail:
    subject, body = render_mail(template, **context)
    row = OutboxMail(
        template=template, to_addr=to.strip(), subject=subject, body=body,
        from_name=g.rules.branding.society_name,
    )
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(_PENDING_KEY, []).append((row.id, row.tenant_id))
    return row


def _enqueue_after_commit(session: Session) -> None:
    for outbox_id, tenant_id in session.info.pop(_PENDING_KEY, []):
        jobs.enqueue("portal.mail.send_outbox_job", outbox_id, tenant_id)


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _enqueue_after_commit):
        event.listen(session_class, "after_commit", _enqueue_after_commit)
        event.listen(session_class, "after_soft_rollback", lambda s, t: _forget_after_rollback(s))


def _claim(outbox_id: int) -> bool:
    stale = utcnow() - timedelta(seconds=current_app.config["OUTBOX_STALE_SENDING_SECONDS"])
    claimable = or_(
        OutboxMail.status == "pending",
        and_(OutboxMail.status == "sending", OutboxMail.locked_at < stale),
    )
    result = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == outbox_id, claimable)
        .values(status="sending", locked_at=utcnow(), attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def build_message(row: OutboxMail) -> EmailMessage:
    # EmailMessage refuses CR/LF inside header values, so nothing can add a header.
    msg = EmailMessage()
    msg["From"] = formataddr((row.from_name, current_app.config["MAIL_FROM"]))
    msg["To"] = row.to_addr
    msg["Subject"] = row.subject
    msg["Message-ID"] = f"<outbox-{row.id}-{row.tenant_id}@portal>"
    msg.set_content(row.body)
    return msg


@functools.cache
def _helo_name() -> str:
    """smtplib looks the machine's name up (reverse DNS) on every connection; once will do."""
    return socket.getfqdn()


def _deliver(row: OutboxMail) -> str:
    url = current_app.config.get("MAIL_URL")
    if not url:
        return "devbox"  # kept in the outbox, readable at /_dev/mail
    parsed = urlparse(url)
    with smtplib.SMTP(parsed.hostname or "127.0.0.1", parsed.port or 25, timeout=30,
                      local_hostname=_helo_name()) as smtp:
        if parsed.scheme == "smtp+starttls":
            smtp.starttls()
        if parsed.username:
            smtp.login(parsed.username, parsed.password or "")
        smtp.send_message(build_message(row))
    return "smtp"


def send_outbox(outbox_id: int, tenant_id: int) -> str:
    """Send one outbox row; a second run for the same row does nothing."""
    with tenant_scope(db.session, tenant_id):
        if not _claim(outbox_id):
            return "skipped"
        row = db.session.get(OutboxMail, outbox_id)
        try:
            row.transport = _deliver(row)
        except Exception as exc:  # noqa: BLE001 - any SMTP failure is retried by the sweeper
            row.status = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            db.session.commit()
            raise
        row.status, row.sent_at = "sent", utcnow()
        db.session.commit()
        return "sent"


def send_outbox_job(outbox_id: int, tenant_id: int) -> str:
    with jobs.job_context():
        return send_outbox(outbox_id, tenant_id)


def sweep_outbox(limit: int = 500) -> int:
    """Re-queue mail left behind (queue down, worker killed). Safe with two sweepers at once."""
    config = current_app.config
    now = utcnow()
    age = now - timedelta(seconds=config["OUTBOX_SWEEP_AGE_SECONDS"])
    stale = now - timedelta(seconds=config["OUTBOX_STALE_SENDING_SECONDS"])
    not_recent = or_(OutboxMail.swept_at.is_(None), OutboxMail.swept_at < age)
    due = or_(
        and_(OutboxMail.status == "pending", OutboxMail.created_at < age),
        and_(OutboxMail.status == "sending", OutboxMail.locked_at < stale),
    )
    claimed: list[tuple[int, int]] = []
    with system_scope(db.session):
        rows = db.session.execute(
            select(OutboxMail.id, OutboxMail.tenant_id).where(due, not_recent).limit(limit)
        ).all()
        for outbox_id, tenant_id in rows:
            result = db.session.execute(
                update(OutboxMail).where(OutboxMail.id == outbox_id, due, not_recent)
                .values(swept_at=now).execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                claimed.append((outbox_id, tenant_id))
        db.session.commit()
    for outbox_id, tenant_id in claimed:
        jobs.enqueue("portal.mail.send_outbox_job", outbox_id, tenant_id)
    return len(claimed)
