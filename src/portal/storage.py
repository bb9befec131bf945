"""Uploaded files: streamed to local scratch disk, validated from the bytes, then kept in the
object store (portal.objectstore: STORAGE_DIR or S3) as <tenant>/<uuid>; the original (often
Japanese) name kept only in the database for display."""
from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort
from flask_babel import gettext
from sqlalchemy import BigInteger, ForeignKey, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.datastructures import FileStorage

from portal.db import Base, TenantScoped
from portal.i18n import N_
from portal.objectstore import LocalStore, Store, store
from portal.tenants.rules import UploadSlot
from portal.upload_checks import UploadRejected, check_file

CHUNK = 64 * 1024
MAX_NAME_LENGTH = 255  # StoredFile.original_filename
_NEW_FILES = "new_files"
_DOOMED_FILES = "doomed_files"


class StoredFile(TenantScoped, Base):
    __tablename__ = "stored_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)  # uuid4, the name on disk
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    slot: Mapped[str] = mapped_column(String(40))
    original_filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # staged (chosen, not yet submitted) -> committed -> superseded -> purged (a tombstone:
    # the bytes are gone after the society's retention period, the row stays for the
    # records and the audit trail that point at it)
    state: Mapped[str] = mapped_column(String(20), default="staged")


def key_for(file: StoredFile) -> str:
    uuid.UUID(file.key)  # never build a key from anything but a UUID
    return f"{int(file.tenant_id)}/{file.key}"


def path_for(file: StoredFile) -> Path:
    """The file on disk, with the local store only (tests, bench data)."""
    local = store()
    assert isinstance(local, LocalStore), "path_for needs STORAGE_DIR, not STORAGE_URL"
    return local.path(key_for(file))


def _base_name(raw: str | None) -> str:
    """The name without any path the browser sent."""
    return (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()


def display_name(raw: str | None) -> str:
    """Keep the user's name for display only; drop any path the browser sent."""
    name = "".join(ch for ch in _base_name(raw) if ch.isprintable())
    return name[:MAX_NAME_LENGTH] or "file"


def _stream_to_temp(upload: FileStorage, slot: UploadSlot, tmp_dir: Path) -> tuple[Path, int, str]:
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if not slot.accepts_size(size):
                    raise UploadRejected(too_large_message(slot), status=413)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, size, digest.hexdigest()


def too_large_message(slot: UploadSlot) -> str:
    return gettext("ファイルサイズが上限を超えています。%(limit)sのファイルを選択してください。",
                   limit=slot.limit_text)


def store_upload(
    upload: FileStorage | None, slot_name: str, slot: UploadSlot, *, tenant_id: int, owner_id: int
) -> StoredFile:
    """Validate and store; raises UploadRejected leaving no file behind. Caller adds to session."""
    if upload is None or not upload.filename:
        raise UploadRejected(N_("ファイルを選択してください。"))
    if len(_base_name(upload.filename)) > MAX_NAME_LENGTH:
        raise UploadRejected(gettext(
            "ファイル名が長すぎます。%(n)d文字以内の名前に変えてから、もう一度アップロードしてください。",
            n=MAX_NAME_LENGTH))
    name = display_name(upload.filename)
    files = store()
    tmp, size, sha = _stream_to_temp(upload, slot, files.scratch(tenant_id))
    key = str(uuid.uuid4())
    try:
        if size == 0:
            raise UploadRejected(N_("空のファイルはアップロードできません。"))
        checked = check_file(tmp, name, slot)
        files.put_file(f"{int(tenant_id)}/{key}", tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _remember_new_file(files, f"{int(tenant_id)}/{key}")
    size, sha = (checked.size, checked.sha256) if checked.rewritten else (size, sha)
    return StoredFile(
        tenant_id=tenant_id, key=key, owner_id=owner_id, slot=slot_name, original_filename=name,
        mime_type=checked.mime, size_bytes=size, sha256=sha, state="staged",
    )


def _remember_new_file(files: Store, key: str) -> None:
    from portal.extensions import db

    db.session.info.setdefault(_NEW_FILES, []).append((files, key))


def _drop_new_files(session: Session) -> None:
    """A rolled-back upload leaves no bytes behind (no orphan files)."""
    _delete_all(session.info.pop(_NEW_FILES, []))


def _delete_all(entries: list[tuple[Store, str]]) -> None:
    for files, key in entries:
        files.delete(key)


def install(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_commit", _keep_new_files):
        event.listen(session_class, "after_commit", _keep_new_files)
        event.listen(session_class, "after_soft_rollback", _drop_new_files_on_rollback)


def _drop_new_files_on_rollback(session: Session, transaction) -> None:
    _drop_new_files(session)
    session.info.pop(_DOOMED_FILES, None)  # their rows are back, so their bytes stay


def _keep_new_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)
    _delete_all(session.info.pop(_DOOMED_FILES, []))


def delete_after_commit(file: StoredFile) -> None:
    """Delete the row now and its bytes once that is committed: a rollback keeps both."""
    from portal.extensions import db

    db.session.info.setdefault(_DOOMED_FILES, []).append((store(), key_for(file)))
    db.session.delete(file)


def purge_after_commit(file: StoredFile) -> None:
    """Keep the row as a tombstone (state `purged`); its bytes go once that is committed."""
    from portal.extensions import db

    db.session.info.setdefault(_DOOMED_FILES, []).append((store(), key_for(file)))
    file.state = "purged"


def discard(file: StoredFile) -> None:
    """Remove the bytes of a file whose row is being rolled back or purged."""
    store().delete(key_for(file))


def purge_superseded(now: datetime) -> int:
    """Tombstone superseded files older than their society's retention (rules.toml
    [storage] superseded_retention_days); an audit event records each. Caller commits,
    in system scope."""
    from portal import audit
    from portal.extensions import db
    from portal.tenants.models import Tenant
    from portal.tenants.resolve import rules_for

    purged = 0
    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.id)).all():
        days = rules_for(tenant.slug, tenant.name).storage.superseded_retention_days
        # updated_at is when the file became superseded: nothing changes it afterwards.
        for file in db.session.scalars(select(StoredFile).where(
                StoredFile.tenant_id == tenant.id, StoredFile.state == "superseded",
                StoredFile.updated_at < now - timedelta(days=days))).all():
            purge_after_commit(file)
            audit.record("stored_file_purged", file, from_state="superseded", to_state="purged")
            purged += 1
    return purged


def as_attachment(response: Response, name: str, ascii_name: str | None = None) -> Response:
    """Every download: attachment with the Japanese name as UTF-8 filename*, never sniffed,
    never cached, and sandboxed if a browser renders it anyway."""
    fallback = ascii_name or "".join(
        c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in name)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response


def download_response(file: StoredFile) -> Response:
    if file.state == "purged":  # past the society's retention period: the bytes are gone
        abort(404)
    response = store().send(key_for(file), file.mime_type)
    return as_attachment(response, file.original_filename)
