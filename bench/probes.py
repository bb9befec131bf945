"""Measurements for bench/run besides page load: upload memory, mail throughput.

upload   peak RSS growth of a gunicorn worker (-w 1) during an upload: /proc/<pid>/clear_refs
         resets VmHWM, so VmHWM after minus VmRSS before is the request's peak growth.
inproc   the same 9.9 MiB file through store_upload() into JMSB's licence slot in this
         process: tracemalloc peak and VmHWM growth.
mail     500 outbox mails through rq (the README's worker-pool) to an aiosmtpd sink.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

from bench import Client

MiB = 1024 * 1024


def big_pdf(size: int, seed: int = 7) -> bytes:
    """A valid one-page PDF of about `size` bytes whose page is an uncompressed RGB image:
    the shape of a phone scan of a licence. No "/" in the pixels, so no stray PDF names."""
    rng = random.Random(seed)
    width = 1000
    pixels = rng.randbytes(width * max(1, (size - 800) // (width * 3)) * 3).replace(b"/", b"0")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
         b"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>"),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (width, len(pixels) // (width * 3),
                                                          len(pixels))
        + pixels + b"\nendstream",
        b"<< /Length 30 >>\nstream\nq 595 0 0 842 0 0 cm /Im0 Do Q\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _status(pid: int | str) -> dict[str, int]:
    text = Path(f"/proc/{pid}/status").read_text()
    return {k: int(v) * 1024 for k, v in re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", text, re.MULTILINE)}


def _reset_peak(pid: int | str) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _multipart(fields: dict, name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode())
    return b"".join(parts) + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def _upload(client: Client, data: bytes) -> int:
    page = client.request("GET", "/credentials/upload")[2].decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    radio = re.search(r'<input[^>]*name="document_type"[^>]*>', page).group(0)
    doc = re.search(r'value="([a-z_]+)"', radio).group(1)
    body, boundary = _multipart({"csrf_token": token, "document_type": doc}, "医師免許証.pdf", data)
    return client.request("POST", "/credentials/upload", body,
                          {"Content-Type": f"multipart/form-data; boundary={boundary}"})[0]


def run_upload(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.py upload")
    for name in ("--port", "--master-pid"):
        parser.add_argument(name, type=int, required=True)
    parser.add_argument("--summary", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    summary = json.loads(Path(args.summary).read_text())
    client = Client(args.port, f"{summary['tenant']}.localhost")
    client.login(summary["logins"]["trainee"], summary["password"])
    (worker,) = _children(args.master_pid)
    if _upload(client, big_pdf(200_000)) != 303:  # warm: parser, temp files, pypdf
        raise SystemExit("bench: the warm-up upload was refused")
    results = []
    for label, size, expected in (
            ("4.9 MiB PDF, accepted (jsicm credential, limit 5 MB)", int(4.9 * MiB), 303),
            ("9.9 MiB PDF, refused 413 at the 5 MB credential limit", int(9.9 * MiB), 413)):
        data = big_pdf(size)
        _reset_peak(worker)
        before = _status(worker)["VmRSS"]
        status = _upload(client, data)
        after = _status(worker)
        results.append({"case": label, "bytes": len(data), "status": status,
                        "expected_status": expected, "rss_before": before,
                        "peak_growth_bytes": after["VmHWM"] - before,
                        "rss_growth_after_bytes": after["VmRSS"] - before})
    Path(args.out).write_text(json.dumps({"worker": results}, indent=1))
    for r in results:
        print(f"bench: upload {r['case']}: status {r['status']}, "
              f"peak growth {r['peak_growth_bytes'] / MiB:.1f} MiB")


def run_inproc(argv: list[str]) -> None:
    """9.9 MiB through store_upload() into the licence slot (10 MB, the JMSB rule)."""
    import tracemalloc

    from werkzeug.datastructures import FileStorage

    from portal import create_app
    from portal.storage import store_upload
    from portal.tenants.rules import load_all_rules

    out = Path(argv[argv.index("--out") + 1])
    tmp = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "STORAGE_DIR": tmp})
    slot = load_all_rules(app.config["TENANTS_DIR"])["jmsb"].upload("medical_license")
    source = tmp / "licence.pdf"
    results = []
    for size in (200_000, int(9.9 * MiB)):  # the first one warms the code paths
        source.write_bytes(big_pdf(size))
        with app.app_context(), source.open("rb") as stream:
            _reset_peak("self")
            before = _status("self")["VmRSS"]
            tracemalloc.start()
            store_upload(FileStorage(stream, filename="医師免許証.pdf"), "medical_license", slot,
                         tenant_id=1, owner_id=1)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            results.append({"bytes": size, "tracemalloc_peak_bytes": peak,
                            "peak_growth_bytes": _status("self")["VmHWM"] - before})
    out.write_text(json.dumps({"inproc": results[-1]}, indent=1))
    r = results[-1]
    print(f"bench: store_upload 9.9 MiB: tracemalloc peak {r['tracemalloc_peak_bytes'] / MiB:.1f}"
          f" MiB, RSS peak growth {r['peak_growth_bytes'] / MiB:.1f} MiB")


def run_mail(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.py mail")
    parser.add_argument("--redis", required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--summary", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    from aiosmtpd.controller import Controller
    from redis import Redis
    from rq import Queue, Worker

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
            Sink.count += 1
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=args.smtp_port)
    controller.start()
    try:
        redis = Redis.from_url(args.redis)
        deadline = time.monotonic() + 60
        while len(Worker.all(connection=redis)) < args.workers:
            if time.monotonic() > deadline:
                raise SystemExit("bench: the rq workers did not start")
            time.sleep(0.2)
        from portal import create_app

        app = create_app()
        tenant_id = json.loads(Path(args.summary).read_text())["tenant_id"]
        queue = Queue("portal", connection=redis)
        _send(app, queue, tenant_id, 4, Sink)  # warm: each worker builds its app once
        started = time.monotonic()
        _send(app, queue, tenant_id, args.count, Sink)
        seconds = time.monotonic() - started
        ceiling = _noop_jobs_per_second(queue, args.count)
    finally:
        controller.stop()
    result = {"mails": args.count, "seconds": round(seconds, 3),
              "mails_per_second": round(args.count / seconds, 1), "workers": args.workers,
              "noop_jobs_per_second": round(ceiling, 1)}
    Path(args.out).write_text(json.dumps({"mail": result}, indent=1))
    print(f"bench: {args.count} mails in {seconds:.2f} s = {result['mails_per_second']} mails/s "
          f"(the same workers run {ceiling:.0f} no-op jobs/s)")


def _noop_jobs_per_second(queue, count: int) -> float:
    """The worker set-up's own ceiling in the same run, as /_health is for pages."""
    from rq import Queue
    from rq.registry import FinishedJobRegistry

    finished = FinishedJobRegistry(queue=queue)
    goal = finished.count + count
    started = time.monotonic()
    queue.enqueue_many([Queue.prepare_data("os.getpid", (), result_ttl=600)
                        for _ in range(count)])
    while finished.count < goal:
        if time.monotonic() - started > 120:
            raise SystemExit("bench: the no-op jobs did not finish")
        time.sleep(0.01)
    return count / (time.monotonic() - started)


def _send(app, queue, tenant_id: int, count: int, sink) -> None:
    """Write outbox rows as the app does, enqueue their jobs, wait for the sink to get them."""
    from rq import Queue

    from portal.extensions import db
    from portal.mail import OutboxMail
    from portal.tenants.scoping import tenant_scope

    with app.app_context(), tenant_scope(db.session, tenant_id):
        rows = [OutboxMail(tenant_id=tenant_id, template="bench", to_addr=f"t{i}@bench.example",
                           from_name="日本集中治療医学会", subject="【icu_training】ベンチマーク",
                           body="本文です。\n" * 20) for i in range(count)]
        db.session.add_all(rows)
        db.session.flush()
        ids = [row.id for row in rows]
        db.session.commit()
    goal = sink.count + count
    queue.enqueue_many([Queue.prepare_data("portal.mail.send_outbox_job", (i, tenant_id),
                                           timeout=120, result_ttl=3600) for i in ids])
    deadline = time.monotonic() + 120
    while sink.count < goal:
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: only {sink.count - goal + count} of {count} mails arrived")
        time.sleep(0.01)


def run_pdf(argv: list[str]) -> None:
    """The JSPM 申請書・在籍証明書 (templates/pdf/renewal_application.html): cold render, warm
    median of 10, size, peak memory, and a second download of the same application (cache)."""
    from types import SimpleNamespace

    import segno
    from flask import g, render_template
    from markupsafe import Markup

    from portal import create_app
    from portal.pdf import harfbuzz_subsetting_available, html_to_pdf, render_pdf
    from portal.tenants.resolve import TenantRef, rules_for

    out = Path(argv[argv.index("--out") + 1])
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "STORAGE_DIR": Path(tempfile.mkdtemp(prefix="bench-pdf-"))})
    physicians = [SimpleNamespace(name=f"髙橋 指導医{i}", member_number=f"20000{i}",
                                  full_time=i == 0) for i in range(3)]
    application = SimpleNamespace(document_number="JSPM-12-r1", type_label="基幹施設",
                                  facility_type="core", core_facility=None)
    data = {"facility_name": "髙田緩和ケア病院", "certification_number": "K-0001",
            "institution_head": "院長 太郎", "responsible_name": "緩和 一郎",
            "responsible_member_number": "100001"}
    with app.test_request_context("/", base_url="http://jspm.localhost"):
        g.tenant = TenantRef(1, "jspm", "日本緩和医療学会", "jspm.localhost")
        g.rules = rules_for("jspm")
        qr = Markup(segno.make(application.document_number, error="m").svg_inline(scale=3))
        context = {"application": application, "data": data, "physicians": physicians,
                   "qr_svg": qr, "issued": datetime(2026, 2, 1)}
        html = render_template("pdf/renewal_application.html", **context)
        before = _status("self")["VmRSS"]
        started = time.perf_counter()
        pdf = html_to_pdf(html)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(10):
            started = time.perf_counter()
            pdf = html_to_pdf(html)
            warm.append(time.perf_counter() - started)
        growth = _status("self")["VmHWM"] - before
        render_pdf("pdf/renewal_application.html", **context)  # first download fills the cache
        started = time.perf_counter()
        render_pdf("pdf/renewal_application.html", **context)
        cached = time.perf_counter() - started
    result = {"cold_s": cold, "warm_median_s": statistics.median(warm), "warm_max_s": max(warm),
              "bytes": len(pdf), "peak_growth_bytes": growth, "cached_s": cached,
              "harfbuzz_subset": harfbuzz_subsetting_available()}
    out.write_text(json.dumps({"pdf": result}, indent=1))
    print(f"bench: application PDF cold {cold:.3f} s, warm median {result['warm_median_s']:.3f} s,"
          f" {len(pdf) / 1024:.1f} KB, cached {cached * 1000:.1f} ms")
