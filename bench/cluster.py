#!/usr/bin/env python3
"""Issue 18 item 4: requests/s through nginx with one app node and with two
(scripts/cluster.py, each node gunicorn -w 2), and the S3 backend's upload memory and download
speed (moto_server on loopback). Run by bench/run, or alone: `bench/cluster.py --out x.json`.

On 2 cores the two nodes share the same CPU as nginx, wrk and each other, so two nodes cannot
be much faster than one: the ratio says how much the second node costs or gains here, not
what it gives on a second machine."""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "src"))
MiB = 1024 * 1024
BIN = Path(sys.executable).parent


def wrk(url: str, host: str, seconds: float) -> float:
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{int(seconds)}s", "-H", f"Host: {host}", url],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def load(one: str, two: str, direct: str, rounds: int, seconds: float) -> dict:
    """Rounds alternate one node and two nodes, so drift in the machine's load hits both."""
    result = {}
    for path, host in (("/_health", "lb.internal"), ("/login", "jsicm.localhost")):
        runs = {"one": [], "two": [], "direct": []}
        for _ in range(rounds):
            runs["one"].append(wrk(one + path, host, seconds))
            runs["two"].append(wrk(two + path, host, seconds))
            runs["direct"].append(wrk(direct + path, host, seconds))  # one node, no nginx
        one_rps, two_rps = statistics.median(runs["one"]), statistics.median(runs["two"])
        result[path] = {"one_node_rps": round(one_rps), "two_nodes_rps": round(two_rps),
                        "direct_one_node_rps": round(statistics.median(runs["direct"])),
                        "ratio": round(two_rps / one_rps, 3), "runs": runs}
        print(f"bench: nginx {path}: one node {one_rps:.0f} req/s, two nodes {two_rps:.0f} "
              f"req/s, ratio {two_rps / one_rps:.2f}", flush=True)
    return result


def s3_upload_memory(env: dict) -> dict:
    """bench.py inproc (a fresh process, RSS high-water mark) with the store on S3."""
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "inproc.json"
        subprocess.run([sys.executable, str(ROOT / "bench" / "bench.py"), "inproc", "--out",
                        str(out)], env=env, check=True, cwd=ROOT)
        return json.loads(out.read_text())["inproc"]


def download_speed(store, key: str, size: int, times: int = 5) -> float:
    """MB/s of the app's streamed download response (portal.objectstore send), in process."""
    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "METRICS_ENABLED": False})
    with app.test_request_context():
        took = []
        for _ in range(times):
            started = time.perf_counter()
            response = store.send(key, "application/pdf")
            got = sum(len(chunk) for chunk in response.iter_encoded())
            response.close()
            took.append(time.perf_counter() - started)
            assert got == size
    return round(size / statistics.median(took) / 1e6, 1)


def storage(cluster, work: Path) -> dict:
    from portal.objectstore import LocalStore, S3Store

    env = dict(cluster.base_env(), STORAGE_URL="s3://portal-cluster/bench",
               S3_ENDPOINT_URL=cluster.s3_url, STORAGE_DIR=str(work / "bench-scratch"),
               PYTHONPATH=str(ROOT / "src"))
    memory = s3_upload_memory(env)
    print(f"bench: S3 upload 9.9 MiB: RSS peak growth {memory['peak_growth_bytes'] / MiB:.1f} "
          f"MiB, tracemalloc peak {memory['tracemalloc_peak_bytes'] / MiB:.1f} MiB", flush=True)
    os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_DEFAULT_REGION")})
    size = int(9.9 * MiB)
    blob = os.urandom(size)
    s3 = S3Store("portal-cluster", "bench", work / "s3-scratch", endpoint=cluster.s3_url)
    s3.put_bytes("1/download", blob)
    local = LocalStore(work / "local")
    local.put_bytes("1/download", blob)
    speeds = {"s3_mb_per_s": download_speed(s3, "1/download", size),
              "local_mb_per_s": download_speed(local, "1/download", size), "bytes": size}
    print(f"bench: 9.9 MiB download streamed by the app: S3 {speeds['s3_mb_per_s']} MB/s, "
          f"local disk {speeds['local_mb_per_s']} MB/s", flush=True)
    return {"s3_upload": memory, "download": speeds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3)
    args = parser.parse_args()
    from cluster import Cluster, free_port

    work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    database = f"sqlite:///{work / 'cluster.db'}"
    env = dict(os.environ, DATABASE_URL=database, STORAGE_DIR=str(work / "files"),
               PYTHONPATH=str(ROOT / "src"))
    flask = [str(BIN / "flask"), "--app", "wsgi:app"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*flask, "create-tenant", "jsicm", "日本集中治療医学会"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port),
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL,
                             start_new_session=True)
    cluster = Cluster(database, f"redis://127.0.0.1:{redis_port}/0", os.urandom(16).hex(),
                      web_workers=2, work=work / "cluster")
    cluster.work.mkdir()
    one_port = free_port()
    try:
        cluster.start()
        cluster.start_nginx(cluster.nodes[:1], one_port, "nginx-one")
        result = {"nginx": load(f"http://127.0.0.1:{one_port}", cluster.url,
                                cluster.nodes[0].url, args.rounds, args.seconds),
                  "load_average": Path("/proc/loadavg").read_text().split()[:3],
                  "cores": os.cpu_count(), "web_workers_per_node": 2,
                  **storage(cluster, work)}
    finally:
        cluster.stop()
        redis.terminate()
        shutil.rmtree(work, ignore_errors=True)
    Path(args.out).write_text(json.dumps({"cluster": result}, indent=1))


if __name__ == "__main__":
    main()
