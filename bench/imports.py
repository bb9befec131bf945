"""The people import at scale (issue 15): ROWS new trainees (default 100,000) in a CSV with
2,000 facilities, planned (the preview) and applied (the confirm, one transaction) on a fresh
SQLite database, in process. Reports wall and CPU seconds per step and the peak RSS; the
queueing of the created accounts' mails after the commit is counted, not sent (the mail
workers' throughput is bench/run's mail figure).

    PYTHONPATH=src .venv/bin/python bench/imports.py [ROWS] [--out=FILE.json]

bench/run runs it and its report checks the goal: 100,000 rows in under 2 minutes.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ARGS = [a for a in sys.argv[1:] if not a.startswith("--out")]
ROWS = int(ARGS[0]) if ARGS else 100_000
OUT = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--out=")), None)
HEADER = "会員番号,氏名,氏名カナ,メールアドレス,役割,施設コード,施設名,基本領域,プログラム状況\r\n"


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER)
        for i in range(rows):
            out.write(f"{1_000_000 + i},専攻 {i},センコウ {i},t{i}@bench.example.jp,専攻医,"
                      f"F{i % 2000},病院{i % 2000},内科,プログラム修了見込み\r\n")


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    os.environ.update(DATABASE_URL=f"sqlite:///{work}/bench.db", SECRET_KEY="bench",
                      STORAGE_DIR=str(work / "storage"), REDIS_URL="")
    source = work / "people.csv"
    write_file(source, ROWS)
    from flask_migrate import upgrade

    from portal import create_app, jobs
    from portal.extensions import db
    from portal.tenants.resolve import TenantRef, bind_tenant
    from portal.tenants.services import ensure_domain, ensure_tenant

    app = create_app()
    with app.app_context():
        upgrade()
        tenant = ensure_tenant("jsicm", "日本集中治療医学会")
        ensure_domain(tenant, "jsicm.localhost", primary=True)
        db.session.commit()
        tenant_id = tenant.id
    queued = []
    jobs.enqueue = lambda *args: queued.append(args)  # counted, not sent
    from portal.blueprints.imports.services import applying, batches

    with app.test_request_context("/", base_url="http://jsicm.localhost"):
        bind_tenant(TenantRef(tenant_id, "jsicm", "日本集中治療医学会", "jsicm.localhost"))
        before = rss_mib()
        wall, cpu = time.perf_counter(), time.process_time()
        batch = batches.new_batch(tenant_id, None, source.name)
        batches.plan_file(batch, source)
        db.session.commit()
        plan = (time.perf_counter() - wall, time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        applying.apply_batch(None, batch)
        db.session.commit()
        apply = (time.perf_counter() - wall, time.process_time() - cpu)
    result = {"rows": ROWS, "csv_bytes": source.stat().st_size, "preview_s": round(plan[0], 1),
              "confirm_s": round(apply[0], 1), "cpu_s": round(plan[1] + apply[1], 1),
              "mails": len(queued), "rss_before_mib": round(before), "rss_peak_mib": round(rss_mib()),
              "load": os.getloadavg()[0]}
    if OUT:
        Path(OUT).write_text(json.dumps({"imports": result}))
    print(f"imports: {ROWS} rows ({source.stat().st_size / 1e6:.1f} MB CSV): "
          f"preview {plan[0]:.1f} s wall / {plan[1]:.1f} s CPU, confirm {apply[0]:.1f} s wall / "
          f"{apply[1]:.1f} s CPU, total {plan[0] + apply[0]:.1f} s; {len(queued)} mails queued; "
          f"RSS {before:.0f} MiB before, peak {rss_mib():.0f} MiB; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
