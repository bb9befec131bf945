"""Real services: a free loopback port, and the rq queue on a Redis."""
from __future__ import annotations

import socket

from portal.jobs import QUEUE_NAME


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rq_queue(url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(url))
