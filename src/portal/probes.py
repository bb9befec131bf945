"""The readiness probe: can this instance serve pages now? `/_health` (portal/__init__.py)
only says the process answers, and touches nothing; `/_ready` asks the database, and Redis
when one is configured, so a load balancer or an orchestrator can hold traffic back while
they are down. Neither knows any tenant."""
from __future__ import annotations

import logging

from flask import Response, current_app

from portal.extensions import db

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


def _database_answers() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready"; logged
        log.warning("readiness: the database does not answer", exc_info=True)
        return False


def _redis_answers() -> bool:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return True  # jobs run in-process: nothing to wait for
    from redis import Redis

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001 - as above
        log.warning("readiness: Redis does not answer", exc_info=True)
        return False


def ready() -> Response:
    down = [name for name, answers in (("database", _database_answers),
                                       ("redis", _redis_answers)) if not answers()]
    if not down:
        return Response("ready\n", mimetype="text/plain")
    response = Response("".join(f"{name}: unavailable\n" for name in down), 503,
                        mimetype="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
