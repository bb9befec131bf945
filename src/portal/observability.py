"""Operations: JSON logs that carry the request id and the tenant (into the jobs a request
queues), and Prometheus metrics per endpoint and per society plus the job queue's depth.

Logs: one JSON object a line on stderr (python-json-logger) when LOG_FORMAT=json (the
default; `text` for reading by eye). The request id is the proxy's X-Request-ID when it looks
like one (nginx's $request_id), else a new one; every answer echoes it. A job gets the ids in
its rq meta (jobs.enqueue) and its log lines carry them too.

Metrics: prometheus-flask-exporter counts and times every request, labelled by endpoint and
society (never by path: ids would make a series per row). Under gunicorn set
PROMETHEUS_MULTIPROC_DIR (an empty folder per start) so the workers' counts add up;
`gunicorn -c scripts/gunicorn_conf.py` marks a dead worker's files. /metrics answers only a direct loopback
connection that no proxy forwarded, or a request with `Authorization: Bearer $METRICS_TOKEN`."""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import sys
import uuid
from typing import Any

from flask import Flask, Response, abort, current_app, g, has_request_context, request

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


# --- ids -----------------------------------------------------------------------------------

def _job_meta() -> dict:
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # noqa: BLE001 - no rq, or outside a job
        return {}
    return (job.meta or {}) if job is not None else {}


def current_ids() -> dict[str, str | None]:
    """The request id and the tenant (slug) of what is running now: a request, or a job."""
    if has_request_context():
        tenant = g.get("tenant")
        return {"request_id": g.get("request_id"), "tenant": getattr(tenant, "slug", None)}
    meta = _job_meta()
    return {"request_id": meta.get("request_id"), "tenant": meta.get("tenant")}


def job_meta() -> dict[str, str]:
    """What a job queued now carries on into its own logs."""
    return {key: value for key, value in current_ids().items() if value}


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in current_ids().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def configure_logging(app: Flask) -> None:
    """Once per process, and only when nothing else (pytest, a host program) set up logging."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        if app.config.get("LOG_FORMAT", "json") == "json":
            from pythonjsonlogger.json import JsonFormatter

            handler.setFormatter(JsonFormatter(
                _JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                             "name": "logger"}))
        else:
            handler.setFormatter(logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(tenant)s] %(message)s"))
        handler.addFilter(ContextFilter())
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    logging.getLogger("portal").setLevel(logging.INFO)


def _start_request(endpoint: str | None = None, values: dict | None = None) -> None:
    """A URL value preprocessor: Flask runs those before any before_request function."""
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _end_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers["X-Request-ID"] = request_id
    if current_app.config.get("LOG_REQUESTS"):
        logging.getLogger("portal.request").info(
            "request", extra={"method": request.method, "endpoint": request.endpoint,
                              "status": response.status_code})
    return response


# --- metrics -------------------------------------------------------------------------------

def _society() -> str:
    tenant = g.get("tenant") if has_request_context() else None
    return getattr(tenant, "slug", None) or "-"


class QueueDepth:
    """portal_queue_depth{queue=...}: jobs waiting on the rq queue, read from Redis when
    Prometheus scrapes (so every node reports the one shared figure)."""

    def __init__(self, redis_url: str | None):
        self.redis_url = redis_url

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily("portal_queue_depth", "Jobs waiting on the rq queue",
                                   labels=["queue"])
        if self.redis_url:
            from portal.jobs import QUEUE_NAME, _queue

            try:
                family.add_metric([QUEUE_NAME], float(_queue(self.redis_url).count))
            except Exception:  # noqa: BLE001 - Redis down: no sample, /_ready says why
                logging.getLogger(__name__).warning("metrics: Redis does not answer")
        yield family


def _may_read_metrics(app: Flask) -> bool:
    token = app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    if "X-Forwarded-For" in request.headers or "X-Real-IP" in request.headers:
        return False  # came through a proxy: the socket's loopback address says nothing
    from portal.tenants.resolve import host_of, tenant_for_host

    if tenant_for_host(host_of(request.host)) is not None:
        return False  # a society's host never shows every society's counts; scrape the node
    original = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
    try:
        return ipaddress.ip_address(original or request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _metrics_view(app: Flask, exporter: Any):
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.exposition import CONTENT_TYPE_LATEST

    def metrics() -> Response:
        if not _may_read_metrics(app):
            abort(404)
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = exporter.registry
        text = generate_latest(registry) + generate_latest(app.extensions["portal.queue_registry"])
        return Response(text, mimetype=CONTENT_TYPE_LATEST)

    return metrics


def init_metrics(app: Flask) -> None:
    from prometheus_client import CollectorRegistry
    from prometheus_flask_exporter import PrometheusMetrics

    # One registry per app: tests and bench/ make several apps in one process.
    exporter = PrometheusMetrics(
        app, path=None, registry=CollectorRegistry(auto_describe=True), group_by="endpoint",
        defaults_prefix="portal", default_labels={"society": _society},
        excluded_paths=["^/_health$", "^/_ready$", "^/metrics$", "^/static/"])
    queue_registry = CollectorRegistry()
    queue_registry.register(QueueDepth(app.config.get("REDIS_URL")))
    app.extensions["portal.metrics"] = exporter
    app.extensions["portal.queue_registry"] = queue_registry
    app.add_url_rule("/metrics", "metrics", _metrics_view(app, exporter))


def init_app(app: Flask) -> None:
    """Before every other request hook, so even the tenant's resolution logs with an id."""
    configure_logging(app)
    app.url_value_preprocessor(_start_request)
    app.after_request(_end_request)
    if app.config.get("METRICS_ENABLED", True):
        init_metrics(app)
