"""An S3-compatible server on a loopback port (moto's, started once per session) and the
object store the session app uses, swapped per test: `store_kind` runs a test once on the
local folder and once on S3."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from portal.objectstore import LocalStore, S3Store
from tests.factories.helpers.services import free_port

BUCKET = "portal-test"
AWS_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}


class MotoServer:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def s3_server():
    """moto_server on a free loopback port, with dummy AWS credentials in the environment
    (boto3 and the processes tests start read them there); the bucket exists."""
    saved = {name: os.environ.get(name) for name in AWS_ENV}
    os.environ.update(AWS_ENV)
    server = MotoServer()
    server.start()
    S3Store(BUCKET, "", "/nonexistent", endpoint=server.url).client.create_bucket(Bucket=BUCKET)
    yield server
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def s3_store(app, s3_server, monkeypatch, tmp_path):
    """The session app keeps its files in the S3 server for this test, under a fresh prefix."""
    store = S3Store(BUCKET, f"t-{uuid.uuid4().hex[:12]}", tmp_path / "scratch",
                    endpoint=s3_server.url)
    monkeypatch.setitem(app.extensions, "portal.store", store)
    return store


@pytest.fixture(params=["local", "s3"])
def store_kind(request, app):
    """Run the test on each backend; returns the store the app uses."""
    if request.param == "s3":
        return request.getfixturevalue("s3_store")
    store = app.extensions["portal.store"]
    assert isinstance(store, LocalStore)
    return store

