"""Answer time of POST /password/forgot for a registered and an unknown address (SECURITY.md
18), alternated, with the queue as in production (jobs recorded, not run in the request).
Usage: PYTHONPATH=src .venv/bin/python bench/reset_timing.py [N]"""
from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from portal import create_app, jobs

KNOWN, UNKNOWN = "dummy@mail.sample", "nobody-at-all@mail.sample"


def main(n: int) -> None:
    folder = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
                      "STORAGE_DIR": folder, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        from portal.devdata.demo import seed

        seed()
    jobs.enqueue = lambda *args: None  # production queues on Redis; the worker is elsewhere
    client = app.test_client()
    page = client.get("/password/forgot", base_url="http://jsicm.localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    for i in range(n + 5):
        for email in (KNOWN, UNKNOWN):
            started = time.perf_counter()
            response = client.post("/password/forgot", base_url="http://jsicm.localhost",
                                   data={"csrf_token": token, "email": email})
            elapsed = time.perf_counter() - started
            assert response.status_code == 200
            if i >= 5:  # warm-up
                times[email].append(elapsed)
    for email, values in times.items():
        print(f"{'known' if email == KNOWN else 'unknown'}: median {statistics.median(values) * 1000:.1f}"
              f" ms, p10 {statistics.quantiles(values, n=10)[0] * 1000:.1f}, "
              f"p90 {statistics.quantiles(values, n=10)[-1] * 1000:.1f} (n={len(values)})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
