"""Merge one bench/run's measurements into bench/results/latest.json and latest.md."""
from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

MiB = 1024 * 1024
RESULTS = Path(__file__).resolve().parent / "results"


def _load(work: Path, name: str) -> dict:
    path = work / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _ok(good: bool) -> str:
    return "ok" if good else "**MISSES**"


def page_rows(one: dict, empty: dict, large: dict) -> tuple[list[str], list[tuple[str, bool]]]:
    lines = [("| Page | SQL statements: 1 row / empty / large | Bytes raw → compressed | "
              "Empty DB: ratio to /_health, median (range) | p50 / p99 ms | "
              "Large DB: ratio to /_health, median (range) | p50 / p99 ms | p99 large ÷ empty |"),
             "|---|---|---|---|---|---|---|---|"]
    goals = []
    for o, e, big in zip(one["pages"], empty["pages"], large["pages"], strict=True):
        p99 = big["p99_ms"] / e["p99_ms"]
        sql = (o["sql"], e["sql"], big["sql"])
        lines.append(
            f"| {e['name']} (`{big['path']}`) | {' / '.join(map(str, sql))} | "
            f"{big['bytes']:,} → {big['bytes_compressed']:,} ({big['encoding']}) | "
            f"{e['ratio']:.3f}x ({e['ratio_min']:.3f}–{e['ratio_max']:.3f}) | "
            f"{e['p50_ms']:.1f} / {e['p99_ms']:.1f} | "
            f"{big['ratio']:.3f}x ({big['ratio_min']:.3f}–{big['ratio_max']:.3f}) | "
            f"{big['p50_ms']:.1f} / {big['p99_ms']:.1f} | {p99:.2f}x |")
        goals.append(((f"{e['name']}: SQL statements the same with 1 row and with "
                      f"{_behind(big)} rows, and ≤ 10 ({sql[0]} / {sql[2]})"),
                      len(set(sql)) == 1 and max(sql) <= 10))
        goals.append((f"{e['name']}: p99 large ≤ 1.5x empty ({p99:.2f}x)", p99 <= 1.5))
        if e["non_2xx"] or big["non_2xx"]:
            goals.append((f"{e['name']}: non-2xx answers under load", False))
    return lines, goals


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else "?"


def _jmsb(large: dict, empty: dict) -> str:
    """The JMSB recruitment data behind its pages (nothing for data made before it existed)."""
    if "jmsb" not in large:
        return ""
    return (f"; JMSB recruitment: {_n(large.get('jmsb_applications_hot_program'))} applications "
            f"behind the director's applicants list, {_n(large.get('jmsb_applications_total'))} "
            f"behind the secretariat's 応募一覧 ({_n(large['jmsb'].get('programs'))} programs, "
            f"one round open; the empty DB has {_n(empty.get('jmsb_applications_total'))}, all "
            f"at the director's program, the 1-row DB one)")


def _behind(page: dict) -> str:
    summary = page.get("behind")
    return f"{summary:,}" if isinstance(summary, int) else "100,000 trainees'"


def goal_rows(empty: dict, large: dict, upload: dict, inproc: dict, mail: dict,
              pdf: dict, imports: dict | None = None, cluster: dict | None = None) -> list:
    by_name = {p["name"]: p for p in large["pages"]}
    top_e = empty["pages"][0]["ratio"]
    top_l = by_name["trainee top page"]["ratio"]
    row, queue = by_name["htmx row partial"], by_name["director review queue"]
    share = row["bytes"] / queue["bytes"]
    goals = [
        (f"trainee top page ≥ 0.20x of /_health (empty {top_e:.3f}x, large {top_l:.3f}x)",
         min(top_e, top_l) >= 0.20),
        ((f"htmx row partial ≤ 5% of its full page's bytes ({row['bytes']:,} of "
         f"{queue['bytes']:,} = {share:.1%})"), share <= 0.05),
        ("responses compressed (" + ", ".join(sorted({p["encoding"] for p in large["pages"]}))
         + ")", all(p["encoding"] != "identity" for p in large["pages"])),
    ]
    for case in upload.get("worker", []):
        goals.append(((f"upload in the gunicorn worker, {case['case']}: peak RSS growth "
                      f"{case['peak_growth_bytes'] / MiB:.1f} MiB ≤ 4 MiB"),
                      case["peak_growth_bytes"] <= 4 * MiB
                      and case["status"] == case["expected_status"]))
    if inproc:
        r = inproc["inproc"]
        goals.append(((f"9.9 MiB licence PDF through store_upload() (stream, hash, PDF check): "
                      f"tracemalloc peak {r['tracemalloc_peak_bytes'] / MiB:.1f} MiB, RSS peak "
                      f"growth {r['peak_growth_bytes'] / MiB:.1f} MiB ≤ 4 MiB"),
                      max(r["tracemalloc_peak_bytes"], r["peak_growth_bytes"]) <= 4 * MiB))
    if mail:
        m = mail["mail"]
        goals.append(((f"mail: {m['mails']} mails through rq worker-pool -n {m['workers']} "
                      f"(SimpleWorker) to an SMTP sink: {m['mails_per_second']} mails/s ≥ 100 (the same "
                       f"workers run {m.get('noop_jobs_per_second', '?')} no-op jobs/s)"),
                      m["mails_per_second"] >= 100))
    if pdf:
        r = pdf["pdf"]
        goals.append(((f"application PDF (JSPM 申請書・在籍証明書): cold {r['cold_s']:.2f} s, warm "
                      f"median of 10 {r['warm_median_s']:.3f} s ≤ 0.5 s, {r['bytes'] / 1024:.1f} KB "
                      f"≤ 200 KB, HarfBuzz subsetting {'on' if r['harfbuzz_subset'] else 'OFF'}, "
                      f"peak RSS growth {r['peak_growth_bytes'] / MiB:.0f} MiB"),
                      r["warm_median_s"] <= 0.5 and r["bytes"] <= 200 * 1024 and r["harfbuzz_subset"]))
        goals.append(((f"second download of an unchanged application from the cache: "
                      f"{r['cached_s'] * 1000:.1f} ms < 20 ms"), r["cached_s"] < 0.020))
    goals += cluster_rows(cluster or {})
    if imports:
        r = imports["imports"]
        total = r["preview_s"] + r["confirm_s"]
        goals.append(((f"people import (issue 15): {r['rows']:,} rows previewed in {r['preview_s']} s "
                      f"and confirmed in {r['confirm_s']} s = {total:.1f} s ≤ 120 s; peak RSS "
                      f"{r['rss_peak_mib']} MiB (from {r['rss_before_mib']}); {r['mails']:,} mails queued"),
                      total <= 120))
    return goals


def cluster_rows(cluster: dict) -> list:
    """bench/cluster.py: two nodes against one through nginx, and the S3 backend."""
    if not cluster:
        return []
    c, goals = cluster["cluster"], []
    for path, r in c["nginx"].items():
        goals.append(((f"through nginx, {path}: one node {r['one_node_rps']:,} req/s, two nodes "
                       f"{r['two_nodes_rps']:,} req/s = {r['ratio']:.2f}x; one node without nginx "
                       f"{r.get('direct_one_node_rps', '?')} req/s (gunicorn -w "
                       f"{c['web_workers_per_node']} per node on {c['cores']} cores, load average "
                       f"{' '.join(c.get('load_average', []))}: the CPU is the bound, so ≥ 0.9x, "
                       f"not 2x, is the goal here)"), r["ratio"] >= 0.9))
    up, down = c["s3_upload"], c["download"]
    goals.append(((f"9.9 MiB licence PDF into S3 (moto, multipart): RSS peak growth "
                   f"{up['peak_growth_bytes'] / MiB:.1f} MiB, tracemalloc peak "
                   f"{up['tracemalloc_peak_bytes'] / MiB:.1f} MiB ≤ 4 MiB"),
                  max(up["peak_growth_bytes"], up["tracemalloc_peak_bytes"]) <= 4 * MiB))
    goals.append(((f"9.9 MiB download streamed by the app: S3 {down['s3_mb_per_s']} MB/s, local "
                   f"disk {down['local_mb_per_s']} MB/s (≥ 20 MB/s)"), down["s3_mb_per_s"] >= 20))
    return goals


def render(work: Path) -> tuple[dict, str]:
    parts = {name: _load(work, name) for name in
             ("pages-one", "pages-empty", "pages-large", "upload", "inproc", "mail", "pdf", "imports",
              "cluster",
              "data-one", "data-empty", "data-large", "meta")}
    one, empty, large = parts["pages-one"], parts["pages-empty"], parts["pages-large"]
    lines, goals = page_rows(one, empty, large)
    goals += goal_rows(empty, large, parts["upload"], parts["inproc"], parts["mail"],
                       parts["pdf"], parts["imports"], parts["cluster"])
    meta, data, empty_data = parts["meta"], parts["data-large"], parts["data-empty"]
    md = [
        "# Benchmark: latest run",
        "",
        (f"{meta.get('finished', '')} on {platform.node() or 'this machine'} "
        f"({meta.get('cores', '?')} cores; load average {meta.get('load_before', '?')} at the "
         f"start, {meta.get('load_after', '?')} at the end); bench/run took "
         f"{meta.get('seconds', '?')} s. "
        f"gunicorn -w 4 (sync), PostgreSQL as the app role `portal_app` (RLS on); wrk -t1 -c8, "
        f"{large['rounds']} rounds × {large['seconds']:g} s per page, each window next to a "
        f"{large.get('health_seconds', large['seconds']):g} s /_health window; ratio = page req/s ÷ mean of the two /_health windows around it; "
        f"p50/p99 over every request of a page's rounds together. "
        f"/_health: {empty['health_rps_median']:.0f} req/s (empty DB run), "
        f"{large['health_rps_median']:.0f} req/s (large DB run)."),
        "",
        (f"Large DB: {data.get('trainees', '?'):,} trainees, {data.get('facilities', '?'):,} "
        f"facilities, {sum(data.get('rows', {}).values()):,} rows made by `flask bench-data` in "
        f"{data.get('seconds', '?')} s; {data.get('pending_hot_facility', '?'):,} pending "
        f"credentials behind the director's queue, {data.get('pending_total', '?'):,} behind the "
        f"secretariat's{_jmsb(data, empty_data)}. Empty DB: the least data that fills every "
         f"page (80 trainees, all pending at the director's facility), so large ÷ empty "
         f"compares the same pages; the SQL counts with 1 row come from a third database with a "
         f"single pending credential."),
        "",
        *lines,
        "",
        "| Goal | Result |",
        "|---|---|",
        *[f"| {text} | {'not built yet' if good is None else _ok(good)} |" for text, good in goals],
        "",
    ]
    result = {"finished": meta.get("finished"), "meta": meta, "goals": [
        {"goal": text, "met": good} for text, good in goals], **parts}
    return result, "\n".join(md)


def run(argv: list[str]) -> None:
    work = Path(argv[argv.index("--work") + 1])
    meta_path = work / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    meta["finished"] = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    meta_path.write_text(json.dumps(meta))
    result, md = render(work)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    (RESULTS / "latest.md").write_text(md)
    sys.stdout.write(md)
