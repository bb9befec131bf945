"""The production entry point freezes what loading the app made (wsgi.py): under load the
cyclic collector's full collections otherwise walked ~176,000 long-lived objects and paused
a gunicorn worker ~200 ms each time (bench/run's p99). The pause is measured by the
benchmark; this checks the freeze is there."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_wsgi_freezes_the_apps_objects(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
           "SECRET_KEY": "x" * 32, "STORAGE_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.split()[-1]) > 50_000  # the app's modules, mappers and routes
