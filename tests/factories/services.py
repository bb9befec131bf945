"""Real services for integration and browser tests: a Redis (the machine's REDIS_URL or a
private redis-server), a real `rq worker` process, an SMTP sink, and a second app (the
same test database as the session `app`) that queues jobs on Redis and mails over SMTP, with
a live server in a thread. Their tests are marked `committed` (tests/conftest.py): the
worker, the server thread and the second app read the rows over connections of their own."""
from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.jobs import QUEUE_NAME
from tests.factories.helpers.services import free_port, rq_queue

ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 60


def _ping(url: str) -> bool:
    from redis import Redis

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
    except Exception:  # noqa: BLE001 - not up (yet)
        return False


class RedisServer:
    """A private redis-server on a fixed loopback port that a test may stop and start."""

    def __init__(self, binary: str, port: int):
        self.binary, self.port, self.proc = binary, port, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _ping(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


def _redis_binary() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if os.path.exists(p)), None)


def _private_redis() -> RedisServer:
    binary = _redis_binary()
    if binary is None:
        pytest.skip("REDIS_URL is not set and no redis-server binary was found")
    server = RedisServer(binary, free_port())
    server.start()
    return server


@pytest.fixture(scope="session")
def _session_redis_url():
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = _private_redis()
    yield server.url
    server.stop()


@pytest.fixture
def redis_url(_session_redis_url) -> str:
    """CI's shared Redis if REDIS_URL says so, else a private one; the queue starts empty."""
    rq_queue(_session_redis_url).empty()
    return _session_redis_url


@pytest.fixture
def private_redis():
    """Always our own redis-server (never the shared one), for stop/start fault tests."""
    server = _private_redis()
    yield server
    server.stop()


class SmtpSink:
    """Collects every message the SMTP server accepted, parsed with decoded headers."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.envelopes: list[list[str]] = []
        self._lock = threading.Lock()
        self.on_accept = None  # called once a message is stored, before the 250 is sent

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        data = envelope.original_content or envelope.content
        with self._lock:
            self.raw.append(bytes(data))
            self.envelopes.append(list(envelope.rcpt_tos))
            self.messages.append(email.message_from_bytes(bytes(data), policy=default_policy))
        if self.on_accept is not None:
            self.on_accept()
        return "250 OK"

    def body(self, index: int = -1) -> str:
        return self.messages[index].get_body(("plain",)).get_content()

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.url = f"smtp://127.0.0.1:{controller.port}"
    yield sink
    controller.stop()


@pytest.fixture
def make_live_app(app, app_config, smtp_sink):
    """A second app on the session app's database, with Redis and SMTP turned on."""
    made = []

    def make(redis_url: str, **overrides):
        config = dict(app_config)
        config.update({
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "STORAGE_DIR": app.config["STORAGE_DIR"], "SECRET_KEY": app.config["SECRET_KEY"],
            "REDIS_URL": redis_url, "MAIL_URL": smtp_sink.url, "DEV_MAILBOX": False,
            "RATELIMIT_STORAGE_URI": "memory://",
        })
        config.update(overrides)
        made.append(create_app(config))
        return made[-1]

    yield make
    for live in made:  # its own connection pool: closed so no PostgreSQL connection lingers
        with live.app_context():
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def live_app(make_live_app, redis_url):
    return make_live_app(redis_url)


@pytest.fixture
def live_server(live_app):
    port = free_port()
    live_app.config["EXTERNAL_PORT"] = str(port)  # links in mail point at this server
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base = lambda slug: f"http://{slug}.localhost:{port}"
    yield server
    server.shutdown()
    thread.join(timeout=10)


def worker_env(app, redis_url: str) -> dict[str, str]:
    """The environment `rq worker` needs to build its app (portal.jobs.worker_app)."""
    config = app.config
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],  # on PostgreSQL: the portal_app role
        "REDIS_URL": redis_url, "MAIL_URL": config.get("MAIL_URL") or "",
        "STORAGE_DIR": str(config["STORAGE_DIR"]), "SECRET_KEY": config["SECRET_KEY"],
        "BASE_DOMAIN": config["BASE_DOMAIN"], "EXTERNAL_PORT": str(config["EXTERNAL_PORT"]),
        "OUTBOX_STALE_SENDING_SECONDS": str(config["OUTBOX_STALE_SENDING_SECONDS"]),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")])),
    })
    env.pop("MIGRATE_DATABASE_URL", None)
    return env


@pytest.fixture
def run_worker(request):
    """Run a real burst `rq worker` until the queue is drained; returns its output.
    The worker builds its app from the environment of `app` (default: live_app)."""

    def run(redis_url: str, app=None) -> str:
        app = app or request.getfixturevalue("live_app")
        cmd = [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", redis_url,
               "-w", "rq.worker.SimpleWorker", QUEUE_NAME]
        done = subprocess.run(cmd, check=False, cwd=ROOT, env=worker_env(app, redis_url),
                              capture_output=True, text=True, timeout=WORKER_TIMEOUT)
        output = f"rq worker exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert done.returncode == 0, output
        return output

    return run
