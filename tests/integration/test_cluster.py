"""Issue 18 item 3: two app nodes behind nginx (scripts/cluster.py) over one database, one
Redis and one S3 server. A trainee uploads through node A and the director downloads and
approves through node B; login throttling counts across both nodes; node A dies in the
middle of a bounded stream of requests and nothing acknowledged is lost, every mail goes out
once."""
from __future__ import annotations

import threading
import time

import pytest

from tests.factories.helpers.files import pdf_bytes
from tests.factories.helpers.http import HttpClient

pytestmark = [pytest.mark.integration, pytest.mark.committed]
HOST = "jsicm.localhost"
TRAINEE, DIRECTOR, TRAINEE_EMAIL = "jsicm-800014", "jsicm-director", "trainee@jsicm.example.jp"


def upload(client: HttpClient, data: bytes, name: str):
    token = client.csrf("/credentials/upload")
    return client.session.post(client.base + "/credentials/upload", allow_redirects=False,
                               timeout=15, data={"csrf_token": token,
                                                 "document_type": "specialist_certificate"},
                               files={"file": (name, data, "application/pdf")})


def s3_keys(cluster) -> set[str]:
    listed = cluster.s3_client().list_objects_v2(Bucket="portal-cluster", Prefix="portal/")
    return {item["Key"] for item in listed.get("Contents", [])}


def wait_for_mail(cluster, count: int, seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while len(cluster.sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # a duplicate would arrive now


def test_upload_on_node_a_is_downloaded_and_approved_on_node_b(cluster, world):
    node_a, node_b = (node.url for node in cluster.nodes)
    sent_before = len(cluster.sink.messages)
    trainee = HttpClient(node_a, HOST)
    assert trainee.login(TRAINEE).status_code == 302
    data = pdf_bytes(pad_to=300_000)
    assert upload(trainee, data, "医師免許証.pdf").status_code == 303
    assert trainee.post("/credentials/submit", csrf_from="/credentials/confirm").status_code == 303

    director = HttpClient(node_b, HOST)
    assert director.login(DIRECTOR).status_code == 302
    queue = director.get("/review/credentials").text
    credential_id = int(queue.split('id="credential-')[1].split('"')[0])
    file_link = queue.split('href="/files/')[1].split('"')[0]
    download = director.get(f"/files/{file_link}")
    assert download.status_code == 200 and download.content == data  # bytes from S3 via B
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    token = director.csrf("/review/credentials")
    approved = director.session.post(f"{node_b}/review/credentials/{credential_id}/approve",
                                     data={"csrf_token": token}, timeout=15,
                                     headers={"HX-Request": "true", "X-CSRFToken": token})
    assert approved.status_code == 200 and "承認しました。" in approved.text
    assert "承認済" in trainee.at(node_b).get("/").text  # the same session on the other node

    wait_for_mail(cluster, sent_before + 2)
    subjects = [str(m["Subject"]) for m in cluster.sink.messages[sent_before:]]
    assert len(subjects) == 2 and any("承認" in s for s in subjects), subjects
    assert any(key.endswith(file_link) or "/" in key for key in s3_keys(cluster))
    # node B's own port and address, from loopback (a society's host never answers it)
    metrics = HttpClient(node_b, "127.0.0.1").get("/metrics").text
    assert director.get("/metrics").status_code == 404
    assert 'society="jsicm"' in metrics and "portal_queue_depth" in metrics
    assert 'endpoint="credentials.approve"' in metrics
    assert HttpClient(cluster.url, HOST).get("/metrics").status_code == 404  # never via nginx
    for node in cluster.nodes:  # no node keeps a file: scratch is empty after the checks
        scratch = cluster.work / f"scratch-{node.name}"
        assert not [p for p in scratch.rglob("*") if p.is_file()], node.name


def test_login_throttling_counts_across_both_nodes(cluster, world):
    """Failures alternate between the nodes; the account's 5 per minute are counted once, in
    Redis. Through nginx the same client's address is what the per-address limit counts."""
    browser = HttpClient(cluster.nodes[0].url, HOST)
    token = browser.csrf("/login")
    codes = []
    for step in range(6):
        node = browser.at(cluster.nodes[step % 2].url)
        codes.append(node.post("/login", {"identifier": DIRECTOR, "password": "wrong",
                                          "csrf_token": token}).status_code)
    assert codes == [400] * 5 + [429]
    via_nginx = browser.at(cluster.url)
    refused = via_nginx.post("/login", {"identifier": DIRECTOR, "password": "wrong",
                                        "csrf_token": token})
    assert refused.status_code == 429 and refused.headers["X-Upstream"]
    assert "短時間に操作が繰り返されたため" in refused.text


def settled(call, tries: int = 3):
    """A request as a person repeats it: again after a 502/504 from the node that died."""
    for _ in range(tries):
        answer = call()
        if answer.status_code not in (502, 504):
            return answer
        time.sleep(0.3)
    return answer


def test_node_a_dies_during_a_stream_and_nothing_acknowledged_is_lost(cluster, world):
    node_a = cluster.nodes[0]
    sent_before = len(cluster.sink.messages)
    trainee = HttpClient(cluster.url, HOST)
    logged_in = trainee.login(TRAINEE)
    assert logged_in.status_code == 302, logged_in.text[:500]
    token = trainee.csrf("/credentials/upload")  # the session's token, valid on every node
    acknowledged: list[bytes] = []
    mails_asked = failures = 0
    killer = threading.Timer(1.5, cluster.kill_node, args=(node_a,))
    killer.start()
    deadline = time.monotonic() + 30
    for step in range(7):  # bounded in count and in time (and within the upload limits)
        assert time.monotonic() < deadline
        data = pdf_bytes(pad_to=200_000 + step)
        answer = trainee.session.post(
            cluster.url + "/credentials/upload", allow_redirects=False, timeout=15,
            data={"csrf_token": token, "document_type": "specialist_certificate"},
            files={"file": (f"scan-{step}.pdf", data, "application/pdf")})
        if answer.status_code == 303:
            acknowledged.append(data)
            confirm = settled(lambda: trainee.get("/credentials/confirm")).text
            link = confirm.split('href="/files/')[1].split('"')[0]
            assert settled(lambda link=link: trainee.get(f"/files/{link}")).content == data
        else:
            failures += 1
            assert answer.status_code in (502, 504), answer.status_code  # never a false 303
        forgot = settled(lambda: trainee.post("/password/forgot", {"email": TRAINEE_EMAIL,
                                                                   "csrf_token": token}))
        mails_asked += forgot.status_code == 200
        time.sleep(0.3)
    killer.join()
    assert node_a.procs["web"].poll() is not None  # node A is really gone
    assert len(acknowledged) >= 5 and mails_asked >= 5, (failures, mails_asked)
    submitted = settled(lambda: trainee.post("/credentials/submit", {"csrf_token": token}))
    assert submitted.status_code == 303
    wait_for_mail(cluster, sent_before + mails_asked + 1)
    new = cluster.sink.messages[sent_before:]
    ids = [m["Message-ID"] for m in new]
    assert len(ids) == len(set(ids)) == mails_asked + 1, [str(m["Subject"]) for m in new]
