"""100,000 rows through `flask import-people` (plan + apply, one transaction) on a fresh
SQLite database: wall time and peak RSS. Run: PYTHONPATH=src .venv/bin/python bench/imports.py [ROWS]"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
HEADER = "会員番号,氏名,氏名カナ,メールアドレス,役割,施設コード,施設名,基本領域,プログラム状況\r\n"


def write_file(path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER)
        for i in range(ROWS):
            out.write(f"{1_000_000 + i},専攻 {i},センコウ {i},t{i}@bench.example.jp,専攻医,"
                      f"F{i % 2000},病院{i % 2000},内科,プログラム修了見込み\r\n")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{work}/bench.db", "SECRET_KEY": "bench",
           "STORAGE_DIR": str(work / "storage"), "REDIS_URL": ""}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "create-tenant", "jsicm", "日本集中治療医学会"], env=env, check=True,
                   capture_output=True)
    source = work / "people.csv"
    write_file(source)
    started = time.perf_counter()
    result = subprocess.run([*flask, "import-people", "--tenant", "jsicm", "--quiet", str(source)],
                            env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(result.stdout[-300:], result.stderr[-800:] if result.returncode else "")
    print(f"imports: {ROWS} rows ({source.stat().st_size / 1e6:.1f} MB) in {elapsed:.1f} s, "
          f"peak RSS {peak:.0f} MiB, exit {result.returncode}")


if __name__ == "__main__":
    main()
