"""Where the bytes of uploads, cached PDFs, ZIP exports and large imports live: a local
folder (STORAGE_DIR, the embedded default) or an S3-compatible bucket (STORAGE_URL=
s3://bucket/prefix), chosen once when the app starts. Every key begins with the tenant's id
(`<tenant>/<uuid>`, `<tenant>/pdf-cache/<sha256>.pdf`, `<tenant>/exports/<uuid>.zip`).

Files are always checked on local disk first (the PDF and image checks need to seek), in
`scratch()`, a folder of STORAGE_DIR; only then are they put in the store. So with S3 each
node needs a little local disk for files in flight, and no node keeps any file."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, send_file

CHUNK = 64 * 1024
MiB = 1024 * 1024
# S3's smallest part. Parts are read from the checked file on disk as they are sent
# (upload_file, one thread), never held whole in memory: a 9.9 MB upload is two parts.
PART_SIZE = 5 * MiB


class Store(Protocol):
    def scratch(self, tenant_id: int | str) -> Path: ...
    def put_file(self, key: str, path: Path) -> None: ...  # takes the file away
    def put_bytes(self, key: str, data: bytes) -> None: ...
    def get_bytes(self, key: str) -> bytes | None: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def send(self, key: str, mimetype: str) -> Response: ...


class LocalStore:
    """STORAGE_DIR/<key>; writes are atomic (a reader sees the whole file or none)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key

    def scratch(self, tenant_id: int | str) -> Path:
        # Under the tenant's folder, so os.replace into the store never crosses a filesystem.
        folder = self.root / str(tenant_id) / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def put_file(self, key: str, path: Path) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)

    def put_bytes(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def send(self, key: str, mimetype: str) -> Response:
        return send_file(self.path(key), mimetype=mimetype, max_age=0, conditional=False)


class S3Store:
    """One bucket, keys under a prefix. The endpoint is S3_ENDPOINT_URL (config, from the
    environment, or AWS_ENDPOINT_URL); credentials and region come from the standard AWS
    environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION) as boto3 reads
    them."""

    def __init__(self, bucket: str, prefix: str, scratch_root: Path, endpoint: str | None = None):
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.scratch_root, self.endpoint = Path(scratch_root), endpoint
        self._client, self._pid = None, None

    @property
    def client(self):
        # One client per process: gunicorn and rq fork after the app is made.
        if self._client is None or self._pid != os.getpid():
            import boto3
            from botocore.config import Config

            self._client = boto3.session.Session().client(
                "s3", endpoint_url=self.endpoint or None,
                region_name=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
                config=Config(retries={"max_attempts": 3, "mode": "standard"},
                              connect_timeout=5, read_timeout=30,
                              s3={"addressing_style": "path"}))
            self._pid = os.getpid()
        return self._client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def scratch(self, tenant_id: int | str) -> Path:
        folder = self.scratch_root / str(tenant_id) / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def put_file(self, key: str, path: Path) -> None:
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE,
                                max_concurrency=1, use_threads=False)
        try:
            self.client.upload_file(str(path), self.bucket, self._key(key), Config=config)
        finally:
            Path(path).unlink(missing_ok=True)

    def put_bytes(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def _get(self, key: str):
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def get_bytes(self, key: str) -> bytes | None:
        found = self._get(key)
        return None if found is None else found["Body"].read()

    def open(self, key: str) -> BinaryIO:
        found = self._get(key)
        if found is None:
            raise FileNotFoundError(key)
        return found["Body"]

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def send(self, key: str, mimetype: str) -> Response:
        """Streamed through the app in 64 KiB chunks: the access checks stay the app's, and
        a worker holds one chunk of a download at a time."""
        found = self._get(key)
        if found is None:
            abort(404)
        body = found["Body"]
        response = Response(_chunks(body), mimetype=mimetype, direct_passthrough=True)
        response.content_length = found["ContentLength"]
        response.call_on_close(body.close)
        return response


def _chunks(body) -> Iterator[bytes]:
    yield from body.iter_chunks(CHUNK)


def from_config(config) -> Store:
    url = config.get("STORAGE_URL") or ""
    if not url:
        return LocalStore(Path(config["STORAGE_DIR"]))
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise RuntimeError(f"STORAGE_URL must be s3://bucket/prefix, not {url!r}")
    return S3Store(parts.netloc, parts.path, Path(config["STORAGE_DIR"]),
                   endpoint=config.get("S3_ENDPOINT_URL"))


def init_app(app: Flask) -> None:
    app.extensions["portal.store"] = from_config(app.config)


def store() -> Store:
    return current_app.extensions["portal.store"]


def copy_to(store_: Store, key: str, target: BinaryIO) -> None:
    with store_.open(key) as source:
        shutil.copyfileobj(source, target, CHUNK)


def fetch_to_scratch(store_: Store, tenant_id: int, key: str, suffix: str = "") -> Path:
    """A local copy of a stored file for code that needs a path (the caller removes it)."""
    fd, name = tempfile.mkstemp(dir=store_.scratch(tenant_id), prefix="fetch-", suffix=suffix)
    with os.fdopen(fd, "wb") as out:
        copy_to(store_, key, out)
    return Path(name)
