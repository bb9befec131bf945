"""Mail goes through the outbox: a row written in the same transaction as the change,
put on the queue after commit, re-queued by a sweeper, sent by a worker that is safe
to run twice (rq is at-least-once). A Redis outage delays mail; it never loses it."""
from __future__ import annotations

import atexit
import functools
import logging
import smtplib
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

from flask import current_app, g
from sqlalchemy import (
    Connection,
    Row,
    String,
    Text,
    and_,
    delete,
    event,
    false,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal import jobs
from portal.db import Base, TenantScoped, utcnow
from portal.extensions import db
from portal.tenants.scoping import system_scope, tenant_scope

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# Per SMTP operation (connect, each command). Below the claim's lease
# (OUTBOX_STALE_SENDING_SECONDS), so a stuck server fails the attempt before the
# sweeper takes the mail again.
SMTP_TIMEOUT_SECONDS = 20
_PENDING_KEY = "outbox_new"
# template -> (to_addr) -> (subject, body), or None to drop the mail; run by the worker, in
# the mail's tenant (g.tenant, g.rules, a request context for links). See queue_resolved_mail.
Resolver = Callable[[str], tuple[str, str] | None]
RESOLVERS: dict[str, Resolver] = {}


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
    # Made once when the mail is queued and sent on every attempt: a retry after a worker
    # died mid-send is recognisably the same mail. NULL on rows from before the column.
    message_id: Mapped[str | None] = mapped_column(String(255))
    # Subject and body are made by the worker (RESOLVERS[template]), which may also drop
    # the mail: a request that must not show whether its address is known writes the same
    # row either way (password reset).
    resolve_at_send: Mapped[bool] = mapped_column(default=False, server_default=false())
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
        from_name=g.rules.branding.society_name, message_id=new_message_id(),
    )
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(_PENDING_KEY, []).append((row.id, row.tenant_id))
    return row


def queue_resolved_mail(template: str, to: str) -> OutboxMail:
    """Queue a mail whose content the worker makes (RESOLVERS[template]), or drops. The
    request writes this one row and queues one job whatever the address, so neither its
    statements nor its answer time depend on who the address belongs to."""
    row = OutboxMail(template=template, to_addr=to.strip(), subject="", body="",
                     from_name=g.rules.branding.society_name, message_id=new_message_id(),
                     resolve_at_send=True)
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(_PENDING_KEY, []).append((row.id, row.tenant_id))
    return row


def new_message_id() -> str:
    """Unique across rows, databases and deployments (random part), on the society's own
    host: made before the row has an id, so the insert needs no second statement."""
    tenant = g.get("tenant")
    domain = tenant.primary_host if tenant else current_app.config["MAIL_FROM"].rpartition("@")[2]
    return make_msgid(idstring="outbox", domain=domain)


def queue_many(template: str, messages: list[tuple[str, dict[str, Any]]]) -> int:
    """queue_mail for many recipients at once (a bulk import): the same outbox rows, written
    with one INSERT per call instead of one flush per mail, and the template's shared
    context (branding, rules) built once instead of per mail."""
    if not messages:
        return 0
    name = f"mail/{template}.txt"
    compiled = current_app.jinja_env.get_template(name)
    shared: dict[str, Any] = {}
    current_app.update_template_context(shared)

    def block(block_name: str, context: dict[str, Any]) -> str:
        return "".join(compiled.blocks[block_name](compiled.new_context({**shared, **context})))

    rows = []
    for to, context in messages:
        subject = g.rules.mail_subject(template, _one_line(block("subject", context)))
        rows.append(dict(tenant_id=g.tenant.id, template=template, to_addr=to.strip(),
                         subject=_one_line(subject), body=block("body", context).strip() + "\n",
                         from_name=g.rules.branding.society_name))
    ids = db.session.scalars(insert(OutboxMail).returning(OutboxMail.id, sort_by_parameter_order=True),
                             rows).all()
    db.session.info.setdefault(_PENDING_KEY, []).extend((i, g.tenant.id) for i in ids)
    return len(ids)


def _enqueue_after_commit(session: Session) -> None:
    for outbox_id, tenant_id in session.info.pop(_PENDING_KEY, []):
        jobs.enqueue("portal.mail.send_outbox_job", outbox_id, tenant_id)


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _enqueue_after_commit):
        event.listen(session_class, "after_commit", _enqueue_after_commit)
        event.listen(session_class, "after_soft_rollback", lambda s, t: _forget_after_rollback(s))


def _claim(outbox_id: int, tenant_id: int) -> Row | None:
    """Take the row (pending, or left "sending" for too long) with a conditional UPDATE that
    also returns what the message needs, and commit at once: a second worker given the same
    id finds nothing to take. None when the row is not there to take."""
    t = OutboxMail.__table__.c
    stale = utcnow() - timedelta(seconds=current_app.config["OUTBOX_STALE_SENDING_SECONDS"])
    claimable = or_(t.status == "pending", and_(t.status == "sending", t.locked_at < stale))
    row = _outbox_transaction().execute(
        _outbox_update(outbox_id, tenant_id).where(claimable)
        .values(status="sending", locked_at=utcnow(), attempts=t.attempts + 1)
        .returning(t.id, t.tenant_id, t.to_addr, t.from_name, t.subject, t.body, t.attempts,
                   t.message_id, t.template, t.resolve_at_send)
    ).one_or_none()
    db.session.commit()
    return row


def _finish(outbox_id: int, tenant_id: int, **values: Any) -> None:
    _outbox_transaction().execute(_outbox_update(outbox_id, tenant_id).values(**values))
    db.session.commit()


def _outbox_update(outbox_id: int, tenant_id: int):
    """A Core UPDATE of one row, run on the session's connection: two per mail, and the ORM's
    per-statement work (its tenant criteria above all) would cost more than the statement, so
    the tenant is named here (PostgreSQL's row-level security applies as well)."""
    t = OutboxMail.__table__.c
    return update(OutboxMail.__table__).where(t.id == outbox_id, t.tenant_id == tenant_id)


def _outbox_transaction() -> Connection:
    """The session's connection, in a transaction whose commit, on PostgreSQL, returns before
    its WAL reaches the disk. A crash of the database server can then lose the last fraction
    of a second of claims and "sent" marks: those rows are taken again by the sweeper and
    mailed a second time, which the outbox allows anyway (at least once, see above). Nothing
    else is affected (SET LOCAL: this transaction only)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    return connection


def build_message(row: OutboxMail | Row | SimpleNamespace) -> EmailMessage:
    # EmailMessage refuses CR/LF inside header values, so nothing can add a header.
    msg = EmailMessage()
    msg["From"] = formataddr((row.from_name, current_app.config["MAIL_FROM"]))
    msg["To"] = row.to_addr
    msg["Subject"] = row.subject
    msg["Message-ID"] = row.message_id or f"<outbox-{row.id}-{row.tenant_id}@portal>"
    msg.set_content(row.body)
    return msg


@functools.cache
def _helo_name() -> str:
    """smtplib looks the machine's name up (reverse DNS) on every connection; once will do."""
    return socket.getfqdn()


class _KeptConnection:
    """One SMTP connection per worker process, kept between mails: opening one costs more
    round trips (greeting, EHLO, STARTTLS, AUTH, QUIT) than the mail itself. Only the main
    thread keeps one (an rq worker runs its jobs there); a job run inside a web request's
    thread (no REDIS_URL) connects for its mail as before."""

    url: str | None = None
    smtp: smtplib.SMTP | None = None

    @classmethod
    def send(cls, url: str, message: EmailMessage) -> None:
        if threading.current_thread() is not threading.main_thread():
            with _connect(url) as smtp:
                smtp.send_message(message)
            return
        if cls.smtp is not None and cls.url == url:
            try:
                cls.smtp.send_message(message)
                return
            except Exception as exc:
                cls.close()  # whatever state that session is in, it is not used again
                if not _closed_by_server(exc):
                    raise
                # Closed since the last mail (idle timeout, restart): once more on a new
                # connection. Had the server accepted it after all, that is the duplicate
                # the outbox allows (at least once).
        cls.close()
        cls.smtp, cls.url = _connect(url), url
        try:
            cls.smtp.send_message(message)
        except Exception:
            cls.close()
            raise

    @classmethod
    def close(cls) -> None:
        smtp, cls.smtp, cls.url = cls.smtp, None, None
        if smtp is not None:
            try:
                smtp.quit()
            except OSError:  # smtplib's errors are OSErrors too
                smtp.close()


def _closed_by_server(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # "closing transmission channel"
    return isinstance(exc, ConnectionError)  # reset, broken pipe


atexit.register(_KeptConnection.close)


def _connect(url: str) -> smtplib.SMTP:
    parsed = urlparse(url)
    smtp = smtplib.SMTP(parsed.hostname or "127.0.0.1", parsed.port or 25,
                        timeout=SMTP_TIMEOUT_SECONDS,
                        local_hostname=_helo_name())
    try:
        if parsed.scheme == "smtp+starttls":
            smtp.starttls()
        if parsed.username:
            smtp.login(parsed.username, parsed.password or "")
    except Exception:
        smtp.close()
        raise
    return smtp


def _deliver(row: OutboxMail | Row | SimpleNamespace) -> str:
    url = current_app.config.get("MAIL_URL")
    if not url:
        return "devbox"  # kept in the outbox, readable at /_dev/mail
    _KeptConnection.send(url, build_message(row))
    return "smtp"


def send_outbox(outbox_id: int, tenant_id: int) -> str:
    """Send one outbox row; a second run for the same row does nothing. Two short
    transactions: the claim (committed before anything is sent) and the outcome."""
    with tenant_scope(db.session, tenant_id):
        row = _claim(outbox_id, tenant_id)
        if row is None:
            return "skipped"
        if row.resolve_at_send:
            row = _resolve(row)
            if row is None:
                return "dropped"
        try:
            transport = _deliver(row)
        except Exception as exc:  # noqa: BLE001 - any SMTP failure is retried by the sweeper
            _finish(outbox_id, tenant_id,
                    status="failed" if row.attempts >= MAX_ATTEMPTS else "pending",
                    last_error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
        _finish(outbox_id, tenant_id, status="sent", sent_at=utcnow(), transport=transport)
        return "sent"


def _resolve(row: Row) -> SimpleNamespace | None:
    """Make the content of a queue_resolved_mail row in its tenant, and store it (with
    whatever the resolver added, a token say) before sending; or delete the row."""
    from portal.tenants.resolve import bind_tenant, ref_for_id

    ref = ref_for_id(row.tenant_id)
    with current_app.test_request_context("/", base_url=f"http://{ref.primary_host}"):
        bind_tenant(ref)  # the rules, templates and links of the mail's society
        content = RESOLVERS[row.template](row.to_addr)
    t = OutboxMail.__table__.c
    if content is None:
        _outbox_transaction().execute(delete(OutboxMail.__table__).where(
            t.id == row.id, t.tenant_id == row.tenant_id))
        db.session.commit()
        return None
    subject, body = content
    _finish(row.id, row.tenant_id, subject=subject, body=body, resolve_at_send=False)
    return SimpleNamespace(**{**row._asdict(), "subject": subject, "body": body})


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
