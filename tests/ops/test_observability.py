"""Issue 18 item 5: JSON logs with the request id and the tenant (carried into jobs), Prometheus
metrics per endpoint and per society plus the queue depth, /metrics kept to loopback."""
from __future__ import annotations

import io
import json
import logging

import fakeredis
import pytest
from pythonjsonlogger.json import JsonFormatter
from rq import Queue, SimpleWorker

from portal import jobs, observability


@pytest.fixture
def json_lines():
    """The lines the production handler would write: JSON, with the context filter."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(observability.ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    root.removeHandler(handler)


def test_every_answer_carries_a_request_id_and_keeps_a_proxys_own(jsicm):
    made = jsicm.client.get("/login").headers["X-Request-ID"]
    assert len(made) == 32 and made != jsicm.client.get("/login").headers["X-Request-ID"]
    given = jsicm.client.get("/login", headers={"X-Request-ID": "a1b2c3d4e5f6"})
    assert given.headers["X-Request-ID"] == "a1b2c3d4e5f6"
    hostile = jsicm.client.get("/login", headers={"X-Request-ID": 'x", "admin": "1'})
    assert len(hostile.headers["X-Request-ID"]) == 32  # not an id: a fresh one instead


def test_a_request_logs_json_with_its_id_and_tenant(app, jsicm, json_lines, monkeypatch):
    monkeypatch.setitem(app.config, "LOG_REQUESTS", True)
    jsicm.client.get("/login", headers={"X-Request-ID": "req-0000001"})
    [line] = [entry for entry in json_lines() if entry["name"] == "portal.request"]
    assert line["request_id"] == "req-0000001" and line["tenant"] == "jsicm"
    assert line["endpoint"] == "auth.login" and line["status"] == 200


def test_a_job_logs_with_the_request_id_and_tenant_that_queued_it(app, world, json_lines,
                                                                  monkeypatch):
    from flask import g

    from portal.tenants.resolve import TenantRef

    redis = fakeredis.FakeStrictRedis()
    queue = Queue(jobs.QUEUE_NAME, connection=redis)
    monkeypatch.setattr(jobs, "_queue", lambda url: queue)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://queued.invalid/0")
    with app.test_request_context("/", headers={"X-Request-ID": "req-for-job-1"}):
        observability._start_request()
        g.tenant = TenantRef(world.jsicm.tenant_id, "jsicm", "x", "jsicm.localhost")
        jobs.enqueue("tests.factories.helpers.ops.log_a_line", "from the job")
    SimpleWorker([queue], connection=redis).work(burst=True)
    [line] = [entry for entry in json_lines() if entry["message"] == "from the job"]
    assert (line["request_id"], line["tenant"]) == ("req-for-job-1", "jsicm")


def test_metrics_count_requests_per_endpoint_and_society(app, jsicm):
    jsicm.client.get("/login")
    text = app.test_client().get("/metrics").get_data(as_text=True)
    counted = [row for row in text.splitlines()
               if row.startswith("portal_http_request_duration_seconds_count{")
               and 'endpoint="auth.login"' in row and 'society="jsicm"' in row]
    assert counted and float(counted[0].rsplit(" ", 1)[1]) >= 1
    assert "portal_queue_depth" in text
    assert "/login" not in text.replace('endpoint="auth.login"', "")  # no path labels


def test_queue_depth_is_read_from_redis(monkeypatch):
    redis = fakeredis.FakeStrictRedis()
    queue = Queue(jobs.QUEUE_NAME, connection=redis)
    monkeypatch.setattr(jobs, "_queue", lambda url: queue)
    for _ in range(3):
        queue.enqueue("tests.factories.helpers.ops.log_a_line", "waiting")
    [family] = observability.QueueDepth("redis://queued.invalid/0").collect()
    assert [(s.labels, s.value) for s in family.samples] == [({"queue": "portal"}, 3.0)]


def test_metrics_are_for_loopback_or_the_token_only(app, monkeypatch):
    client = app.test_client()
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-token")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"},
                      headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"},
                      headers={"Authorization": "Bearer wrong"}).status_code == 404
