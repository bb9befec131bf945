"""Background jobs. With REDIS_URL they go on an rq queue; without it (the embedded
default) they run in-process right after the commit, in a fresh app context."""
from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, has_app_context

from portal import observability

log = logging.getLogger(__name__)
QUEUE_NAME = "portal"
_worker_app: Flask | None = None


def _queue(redis_url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url, socket_timeout=5,
                                                      socket_connect_timeout=2))


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def enqueue(func_path: str, *args: Any) -> None:
    """Never raises: a job that cannot be queued now is picked up by the sweeper."""
    app = current_app._get_current_object()
    redis_url = app.config.get("REDIS_URL")
    if not redis_url:
        _run_inline(app, func_path, *args)
        return
    try:
        # The request id and tenant go along, so the job's log lines carry them too.
        _queue(redis_url).enqueue(func_path, *args, job_timeout=120, result_ttl=3600,
                                  meta=observability.job_meta())
    except Exception:  # noqa: BLE001 - Redis down: the outbox sweeper re-queues later
        log.warning("could not enqueue %s%r; the sweeper will retry", func_path, args, exc_info=True)


def _run_inline(app: Flask, func_path: str, *args: Any) -> None:
    try:
        with app.app_context():
            _resolve(func_path)(*args)
    except Exception:  # noqa: BLE001 - same contract as the queue: the sweeper retries
        log.exception("in-process job %s%r failed", func_path, args)


@contextmanager
def job_context() -> Iterator[None]:
    """A job runs in its own app context (its own DB session), in the worker or inline."""
    app = current_app._get_current_object() if has_app_context() else worker_app()
    with app.app_context():
        yield


def worker_app() -> Flask:
    global _worker_app
    if _worker_app is None:
        from portal import create_app

        _worker_app = create_app()
    return _worker_app
