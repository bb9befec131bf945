"""The two steps. Upload: the file is kept under the tenant's storage folder and planned
into stored rows (the preview). Confirm: the stored plan is applied (applying.py). A file
over 1,000 rows is planned, and later applied, by an rq job that reports its progress; the
page polls it. Without Redis the job runs in-process after the commit."""
from __future__ import annotations

import logging
import os
import uuid
from collections import Counter
from itertools import islice
from pathlib import Path

from flask import current_app, g
from flask_babel import gettext
from sqlalchemy import event, insert, select
from werkzeug.datastructures import FileStorage

from portal import audit, jobs
from portal.accounts.models import User
from portal.blueprints.imports.models import ImportBatch, ImportRow
from portal.blueprints.imports.services import applying, reading, roster
from portal.blueprints.imports.services.planning import Planner, chunks
from portal.blueprints.imports.services.rows import describe, map_columns, read_row
from portal.errors import Refusal
from portal.excel_csv import excel_csv
from portal.extensions import db
from portal.i18n import N_
from portal.objectstore import fetch_to_scratch, store
from portal.paging import Page, keyset, page_of
from portal.storage import display_name

log = logging.getLogger(__name__)
INLINE_ROWS = 1000  # more rows than this: an rq job with a progress bar
MAX_BYTES = 10 * 1024 * 1024


def upload_path(tenant_id: int, batch_id: int, filename: str) -> Path:
    """The file while this process reads it (local scratch disk)."""
    return store().scratch(tenant_id) / f"import-{batch_id}.{reading.extension(filename)}"


def upload_key(tenant_id: int, batch_id: int, filename: str) -> str:
    """A large file waits for its job here: the worker may run on another node."""
    return f"{int(tenant_id)}/imports/{batch_id}.{reading.extension(filename)}"


def get_batch(batch_id: int) -> ImportBatch | None:
    """None for another tenant's batch (the scoped query does not see it): a 404."""
    return db.session.get(ImportBatch, batch_id)


# --- step 1: upload and preview ------------------------------------------------------------

def _save(upload: FileStorage, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{uuid.uuid4().hex}.part")
    size = 0
    try:
        with tmp.open("wb") as out:
            while block := upload.stream.read(1 << 16):
                size += len(block)
                if size > MAX_BYTES:
                    raise reading.Unreadable(N_("ファイルが大きすぎます（10MBまで）。それより大きな初回登録は flask import-people で取り込んでください。"),
                                             413, field="file")
                out.write(block)
        if size == 0:
            raise reading.Unreadable(N_("空のファイルは取り込めません。"), field="file")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def new_batch(tenant_id: int, actor: User | None, filename: str, kind: str = "people") -> ImportBatch:
    if kind == "roster" and not g.rules.imports.roster:
        raise Refusal(N_("この学会では会員名簿を取り込みません。"), 400)
    batch = ImportBatch(tenant_id=tenant_id, created_by_id=actor.id if actor else None,
                        filename=filename[:255], kind=kind, status="queued", counts={},
                        unknown_columns=[])
    db.session.add(batch)
    db.session.flush()
    return batch


def start_preview(actor: User, upload: FileStorage | None, kind: str = "people") -> ImportBatch:
    """Keep the file and plan it now, or after the commit in a job when it is large."""
    if upload is None or not upload.filename:
        raise reading.Unreadable(N_("ファイルを選択してください。"), field="file")
    name = display_name(upload.filename)
    reading.extension(name)
    batch = new_batch(actor.tenant_id, actor, name, kind)
    path = upload_path(actor.tenant_id, batch.id, name)
    _save(upload, path)
    try:
        large = sum(1 for _ in islice(reading.rows(path, name), INLINE_ROWS + 2)) > INLINE_ROWS + 1
        if large:
            store().put_file(upload_key(actor.tenant_id, batch.id, name), path)
            _after_commit("portal.blueprints.imports.services.batches.plan_job", actor.tenant_id,
                          batch.id)
        else:
            plan_file(batch, path)
            path.unlink()
    except Refusal:
        path.unlink(missing_ok=True)
        raise
    audit.record("import_uploaded", batch, actor=actor, to_state=batch.status, reason=name)
    return batch


def plan_file(batch: ImportBatch, path: Path, progress=None) -> None:
    """Read and plan every row into import_rows (chunks of 1,000, one INSERT each)."""
    rows = reading.rows(path, batch.filename)
    header = next(rows, None)
    if header is None:
        raise reading.Unreadable(N_("ファイルに見出し行がありません。"), field="file")
    if batch.kind == "roster":
        columns, read, planner = roster.map_columns(header[1]), roster.read_row, roster.RosterPlanner(g.rules)
    else:
        columns, read, planner = map_columns(header[1], g.rules.imports), read_row, Planner(g.rules)
    batch.unknown_columns = columns.unknown
    counts, done = Counter(), 0
    for chunk in chunks(read(line, cells, columns) for line, cells in rows):
        planned = planner.plan(chunk)
        db.session.execute(insert(ImportRow), [dict(
            tenant_id=batch.tenant_id, batch_id=batch.id, line=p.line, action=p.action, key=p.key,
            values=p.values, changes=p.changes, reasons=[list(r) for r in p.reasons],
            notes=[list(n) for n in p.notes]) for p in planned])
        counts.update(p.action for p in planned)
        done += len(chunk)
        if progress:
            progress(done, 0)
    batch.counts, batch.total_rows, batch.status = dict(counts), done, "previewed"
    db.session.flush()


# --- step 2: confirm -------------------------------------------------------------------------

def confirm(actor: User, batch: ImportBatch) -> None:
    """Small: applied in this request's transaction. Large: one job, one transaction."""
    if batch.status != "previewed":
        raise Refusal(N_("この取込は確定済みか、まだプレビューができていません。"), 409)
    if batch.total_rows > INLINE_ROWS:
        batch.status = "applying"
        audit.record("import_confirmed", batch, actor=actor, from_state="previewed",
                     to_state="applying")
        _after_commit("portal.blueprints.imports.services.batches.apply_job", actor.tenant_id,
                      batch.id, actor.id)
        return
    applying.apply_batch(actor, batch)


# --- jobs ------------------------------------------------------------------------------------

def _after_commit(func_path: str, *args) -> None:
    """Queue the job once the batch row is committed (the worker must see it)."""
    event.listen(db.session(), "after_commit", lambda _s: jobs.enqueue(func_path, *args), once=True)


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def _progress_key(batch_id: int) -> str:
    return f"portal:import-progress:{batch_id}"


def _reporter(batch_id: int, total: int):
    """Progress of a job, kept in Redis (the job's transaction is not visible until it ends)."""
    redis = _redis()

    def report(done: int, _total: int) -> None:
        if redis is not None:
            redis.set(_progress_key(batch_id), f"{done}:{total}", ex=3600)
    return report


def _in_tenant(tenant_id: int, work) -> None:
    """A job's own app and request context for the tenant (rules, mail links), one commit;
    on failure the batch is marked failed in a transaction of its own."""
    from portal.tenants.models import Tenant
    from portal.tenants.resolve import TenantRef, bind_tenant, primary_host
    from portal.tenants.scoping import system_scope

    with jobs.job_context():
        app = current_app._get_current_object()
        with system_scope(db.session):
            tenant = db.session.get(Tenant, tenant_id)
            ref = TenantRef(tenant.id, tenant.slug, tenant.name,
                            primary_host(tenant, app.config["BASE_DOMAIN"]))
        db.session.rollback()
        with app.test_request_context("/", base_url=f"http://{ref.primary_host}"):
            bind_tenant(ref)
            try:
                work()
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                log.warning("import job failed: %s", exc)
                raise
            finally:
                db.session.remove()


def _fail(batch_id: int, message: str) -> None:
    batch = get_batch(batch_id)
    batch.status, batch.message = "failed", message[:500]
    db.session.commit()


def plan_job(tenant_id: int, batch_id: int) -> None:
    def work():
        batch = get_batch(batch_id)
        if batch is None or batch.status != "queued":
            return  # run twice (rq is at-least-once): the first run did it
        key = upload_key(tenant_id, batch_id, batch.filename)
        path = fetch_to_scratch(store(), tenant_id, key, suffix=Path(key).suffix)
        try:
            plan_file(batch, path, _reporter(batch_id, 0))
            store().delete(key)
        except Refusal as exc:
            db.session.rollback()
            store().delete(key)
            _fail(batch_id, exc.message)
        finally:
            path.unlink(missing_ok=True)
    _in_tenant(tenant_id, work)


def apply_job(tenant_id: int, batch_id: int, actor_id: int) -> None:
    def work():
        batch = get_batch(batch_id)
        if batch is None or batch.status != "applying":
            return
        try:
            applying.apply_batch(db.session.get(User, actor_id), batch,
                                 _reporter(batch_id, batch.counts.get("create", 0)
                                           + batch.counts.get("update", 0)))
        except Refusal as exc:
            db.session.rollback()
            _fail(batch_id, exc.message)
    _in_tenant(tenant_id, work)


def progress(batch: ImportBatch) -> tuple[int, int]:
    """(done, total) of the batch's running job; (0, total rows) when nothing is reported."""
    redis = _redis()
    raw = redis.get(_progress_key(batch.id)) if redis is not None else None
    if not raw:
        return 0, batch.total_rows
    done, total = (int(x) for x in raw.decode().split(":"))
    return done, total


# --- what the preview shows ------------------------------------------------------------------

def preview_rows(batch_id: int, action: str | None, after: int) -> Page:
    """One keyset page of the preview by line number (portal.paging)."""
    query = select(ImportRow).where(ImportRow.batch_id == batch_id)
    if action:
        query = query.where(ImportRow.action == action)
    rows = list(db.session.scalars(keyset(query, ImportRow.line, after)))
    return page_of(rows, key=lambda row: row.line)


def error_csv(batch: ImportBatch) -> bytes:
    """Every error row (line, key, reasons), for Excel: BOM, no cell run as a formula."""
    def lines():
        for row in applying.stored_rows(batch.id, ("error",)):
            yield [row.line, row.key, " ".join(describe(r) for r in row.reasons)]
    return excel_csv([gettext("行"), gettext("キー"), gettext("エラー")], lines())
