"""A worker killed after the SMTP server took the mail (issue 13 item 12, SECURITY.md 15):
the mail is sent again within a minute (the claim's lease, then the sweeper), and both
copies carry the same Message-ID, made when the outbox row was written, so a receiver can
drop the duplicate. Nothing is lost: at least once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from portal.config import Config
from portal.jobs import QUEUE_NAME
from portal.mail import sweep_outbox
from tests.factories.helpers.clients import TenantClient
from tests.factories.helpers.rows import outbox
from tests.factories.helpers.services import rq_queue
from tests.factories.services import ROOT, worker_env

pytestmark = pytest.mark.integration

LEASE_SECONDS = 3  # short for the test; the default is checked below
SWEEP_EVERY_SECONDS = 10  # README: `flask outbox-sweep --every 10`
TRAINEE_EMAIL = "trainee@jsicm.example.jp"


def start_worker(app, redis_url: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", redis_url,
           "-w", "rq.worker.SimpleWorker", QUEUE_NAME]
    return subprocess.Popen(cmd, cwd=ROOT, env=worker_env(app, redis_url),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def sweep_until_requeued(app, deadline: float) -> None:
    while time.monotonic() < deadline:
        with app.app_context():
            if sweep_outbox() == 1:
                return
        time.sleep(0.5)
    raise AssertionError("the sweeper never re-queued the mail")


def test_default_lease_and_sweep_retry_within_a_minute():
    assert Config().OUTBOX_STALE_SENDING_SECONDS + SWEEP_EVERY_SECONDS < 60


def test_worker_killed_after_smtp_accepted_is_retried_within_a_minute_with_one_message_id(
        make_live_app, redis_url, run_worker, smtp_sink, world):
    live = make_live_app(redis_url, OUTBOX_STALE_SENDING_SECONDS=LEASE_SECONDS)
    client = TenantClient(live, "jsicm.localhost")
    assert client.post("/password/forgot", {"email": TRAINEE_EMAIL},
                       csrf_from="/password/forgot").status_code == 200
    assert rq_queue(redis_url).count >= 1

    worker = start_worker(live, redis_url)
    killed_at = []

    def kill_worker() -> None:  # the server has the message; the worker never hears the 250
        killed_at.append(time.monotonic())
        os.kill(worker.pid, signal.SIGKILL)

    smtp_sink.on_accept = kill_worker
    output, _ = worker.communicate(timeout=60)
    assert worker.returncode == -signal.SIGKILL, output
    smtp_sink.on_accept = None
    (row,) = outbox(live, template="password_reset")
    assert row.status == "sending" and len(smtp_sink.messages) == 1

    sweep_until_requeued(live, killed_at[0] + 60)
    output = run_worker(redis_url, live)
    retried_after = time.monotonic() - killed_at[0]
    assert len(smtp_sink.messages) == 2, output
    assert retried_after < 60
    first, second = smtp_sink.messages
    assert first["Message-ID"] == second["Message-ID"] == row.message_id
    assert row.message_id.endswith("@jsicm.localhost>")
    (after,) = outbox(live, template="password_reset")
    assert (after.status, after.attempts) == ("sent", 2)
    print(f"retried {retried_after:.1f} s after the worker died (lease {LEASE_SECONDS} s)")
