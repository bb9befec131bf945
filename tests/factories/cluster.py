"""scripts/cluster.py's two nodes behind nginx, started once per module on the test database,
the session's Redis, a moto S3 server and an SMTP sink of their own."""
from __future__ import annotations

import importlib.util
import shutil
import sys

import pytest

from tests.factories.services import ROOT, SmtpSink


def _cluster_module():
    spec = importlib.util.spec_from_file_location("portal_cluster", ROOT / "scripts" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cluster(app, _session_redis_url):
    if shutil.which("nginx") is None and not shutil.os.path.exists("/usr/sbin/nginx"):
        pytest.fail("nginx is missing: scripts/setup installs it")
    from aiosmtpd.controller import Controller

    from tests.factories.helpers.services import free_port

    sink = SmtpSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    module = _cluster_module()
    made = module.Cluster(
        database_url=app.config["SQLALCHEMY_DATABASE_URI"], redis_url=_session_redis_url,
        secret_key=app.config["SECRET_KEY"], mail_url=f"smtp://127.0.0.1:{smtp.port}",
        web_workers=1, extra_env={"OUTBOX_STALE_SENDING_SECONDS": "3", "LOG_FORMAT": "json",
                                 # each test makes its societies anew, perhaps under new ids
                                 "TENANT_CACHE_SECONDS": "0"})
    made.sink = sink
    try:
        made.start()
        yield made
    finally:
        made.stop()
        smtp.stop()
        shutil.rmtree(made.work, ignore_errors=True)
