"""Measurements for bench/run: logged-in page load with wrk, SQL counts, bytes.

Called by bench/run (which starts and stops every server); see README "Benchmark".
Usage: bench.py pages --port P --summary S --label empty|large --out OUT.json
"""
from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

WARM_VIEWS = 12  # > gunicorn workers (4): each has served the page's society before counting
UA = "portal-bench/1"  # the same for the login and for wrk: Flask-Login's session protection
ACCEPT = "br, gzip"
# /_health answers ~2,300 requests a second: 1 s gives its rate as surely as 2 s, and the
# 55 windows of each database's run leave bench/run a minute inside its 10 on a fresh machine
HEALTH_SECONDS = 1
LATENCY_LUA = str(Path(__file__).with_name("latency.lua"))  # pooled p50/p99 (pooled_ms)
# name, society, who, path, extra headers, text the page must contain, rows behind it (a
# summary key). Society None is the summary's big one (summary["tenant"], summary["logins"]);
# another is a summary key holding its own "tenant" and "logins" (same password). Paths and
# texts are formatted with the summary: {jmsb[deep_after]} reads summary["jmsb"]["deep_after"].
PAGES = [
    ("trainee top page", None, "trainee", "/", {}, "専攻医 トップ", None),
    ("director review queue", None, "director", "/review/credentials", {}, 'id="credential-',
     "pending_hot_facility"),
    ("secretariat list, first page", None, "secretariat", "/review/credentials", {},
     'id="credential-', "pending_total"),
    ("secretariat list, deep page", None, "secretariat", "/review/credentials?after={deep_after}",
     {}, 'id="credential-', "pending_total"),
    ("htmx row partial", None, "director", "/review/credentials/{row_id}/row",
     {"HX-Request": "true"}, 'id="credential-{row_id}"', "pending_hot_facility"),
    ("login page", None, None, "/login", {}, 'name="csrf_token"', None),
    # the case log (issue 16 item 7): bench-caselog's own cases, its 研修終了要件チェック (every
    # fact query over its rows), and the hot facility's director's 症例承認 queue
    ("trainee case list", None, "caselog", "/cases/", {}, 'href="/cases/', "caselog_cases"),
    ("trainee requirement check", None, "caselog", "/progress/", {}, 'class="overall',
     "caselog_cases"),
    ("director sign-off queue", None, "director", "/cases/signoff", {}, '<tr id="case-',
     "cases_pending_hot_director"),
    # JMSB recruitment (専攻医募集): the director's page has no row partial of its own (a row
    # comes back only from the 採否 POST), so none is measured here.
    ("JMSB applicant top page", "jmsb", "applicant", "/", {}, 'class="badge status-applied"',
     "jmsb_applications_total"),
    ("JMSB director's applicants", "jmsb", "director", "/recruitment/director", {},
     'id="application-', "jmsb_applications_hot_program"),
    ("JMSB secretariat 応募一覧, first page", "jmsb", "secretariat",
     "/recruitment/admin/applications", {}, 'id="application-', "jmsb_applications_total"),
    ("JMSB secretariat 応募一覧, deep page", "jmsb", "secretariat",
     "/recruitment/admin/applications?after={jmsb[deep_after]}", {}, 'id="application-',
     "jmsb_applications_total"),
]


class Client:
    """A tiny cookie-keeping HTTP client that talks to 127.0.0.1 with a tenant Host header."""

    def __init__(self, port: int, host: str, keep_cookies: bool = True):
        self.port, self.host, self.cookies, self.keep = port, host, {}, keep_cookies

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        hdrs = {"Host": self.host, "User-Agent": UA, **(headers or {})}
        if self.cookies:
            hdrs["Cookie"] = self.cookie_header()
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie" and self.keep:
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def csrf(self, path: str) -> str:
        page = self.request("GET", path)[2].decode()
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if not match:
            sys.exit(f"bench: no CSRF token on {path}")
        return match.group(1)

    def login(self, login_id: str, password: str) -> None:
        form = urlencode({"csrf_token": self.csrf("/login"), "identifier": login_id,
                          "password": password}).encode()
        status, _, body = self.request("POST", "/login", form,
                                       {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            sys.exit(f"bench: login {login_id} answered {status}: {body[:300]!r}")
        self.request("GET", "/")  # the first page puts the CSRF secret in the session cookie


def sessions(port: int, summary: dict) -> dict[tuple[str | None, str | None], Client]:
    """One logged-in client per (society, who) that PAGES names, and an anonymous one per
    society; society None is the summary's big one."""
    clients: dict[tuple[str | None, str | None], Client] = {}
    for _, society, who, *_ in PAGES:
        if (society, who) in clients:
            continue
        own = summary[society] if society else summary
        client = Client(port, f"{own['tenant']}.localhost", keep_cookies=who is not None)
        if who is not None:
            client.login(own["logins"][who], summary["password"])
        clients[society, who] = client
    return clients


def probe(client: Client, path: str, extra: dict, must: str) -> dict:
    """Check the page, then read its SQL count (steady state) and its size. The first views
    warm every worker: a pooled connection that last served another society sends one more
    statement (the tenant setting for row-level security) whatever the page."""
    for _ in range(WARM_VIEWS):
        client.request("GET", path, headers=extra)
    counts = []
    for _ in range(6):
        before = dict(client.cookies)
        status, headers, body = client.request("GET", path, headers=extra)
        text = body.decode()
        if status != 200 or must not in text:
            sys.exit(f"bench: GET {path} answered {status} without {must!r}: {text[:300]!r}")
        if client.cookies != before:
            continue  # the session changed: measure again with the new cookie
        counts.append(int(headers.get("x-sql-count", "-1")))
    _, zipped_headers, zipped = client.request("GET", path, headers={**extra, "Accept-Encoding": ACCEPT})
    return {"sql": statistics.mode(counts) if counts else None, "sql_all": counts,
            "bytes": len(body), "bytes_compressed": len(zipped),
            "encoding": zipped_headers.get("content-encoding", "identity")}


def wrk(port: int, path: str, headers: dict, seconds: float) -> dict:
    cmd = ["wrk", "-t1", "-c8", f"-d{seconds:g}s", "--latency", "-s", LATENCY_LUA]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(cmd + [f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": _latency(out, "50%"), "p99_ms": _latency(out, "99%"),
            "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else "",
            "requests": int(re.search(r"^latency-requests (\d+)$", out, re.MULTILINE).group(1)),
            "quantiles_us": [int(v) for v in re.findall(r"^latency-q [\d.]+ (\d+)$", out, re.MULTILINE)]}


def pooled_ms(runs: list[dict], pct: float) -> float:
    """The pct percentile of every request of the runs together: each run's quantile points
    (one per 0.1 %) weigh its requests / 1000."""
    points = sorted((us, r["requests"] / len(r["quantiles_us"]))
                    for r in runs for us in r["quantiles_us"])
    wanted, seen = sum(w for _, w in points) * pct / 100, 0.0
    for us, weight in points:
        seen += weight
        if seen >= wanted - 1e-9:
            return us / 1000
    return points[-1][0] / 1000


def _latency(out: str, pct: str) -> float:
    value, unit = re.search(rf"^\s+{re.escape(pct)}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def headers_for(client: Client, extra: dict) -> dict:
    headers = {"Host": client.host, "User-Agent": UA, "Accept-Encoding": ACCEPT, **extra}
    if client.cookies:
        headers["Cookie"] = client.cookie_header()
    return headers


def run_pages(args) -> None:
    summary = json.loads(Path(args.summary).read_text())
    clients = sessions(args.port, summary)
    pages = []
    for name, society, who, path, extra, must, behind in PAGES:
        path, must = path.format(**summary), must.format(**summary)
        client = clients[society, who]
        pages.append({"name": name, "who": f"{society + ' ' if society else ''}{who or 'anonymous'}",
                      "host": client.host, "path": path,
                      "behind": summary[behind] if behind else None,
                      "headers": headers_for(client, extra), **probe(client, path, extra, must)})
    if args.probe_only:
        for page in pages:
            page.pop("headers")
        Path(args.out).write_text(json.dumps({"label": args.label, "summary": summary,
                                              "pages": pages}, ensure_ascii=False, indent=1))
        return
    health_headers = {k: v for k, v in pages[0]["headers"].items() if k != "HX-Request"}
    for page in pages:  # warm every worker: templates compiled, caches and buffers filled
        wrk(args.port, page["path"], page["headers"], 1)
    wrk(args.port, "/_health", health_headers, 1)
    rounds = []
    for _ in range(args.rounds):
        windows = []
        for page in pages:
            windows.append(wrk(args.port, "/_health", health_headers, HEALTH_SECONDS))
            windows.append(wrk(args.port, page["path"], page["headers"], args.seconds))
        windows.append(wrk(args.port, "/_health", health_headers, HEALTH_SECONDS))
        rounds.append(windows)
    for i, page in enumerate(pages):
        runs = [r[2 * i + 1] for r in rounds]
        ratios = [r[2 * i + 1]["rps"] / statistics.mean((r[2 * i]["rps"], r[2 * i + 2]["rps"]))
                  for r in rounds]
        page.pop("headers")
        page.update(ratio=statistics.median(ratios), ratio_min=min(ratios), ratio_max=max(ratios),
                    rps=statistics.median(r["rps"] for r in runs),
                    p50_ms=pooled_ms(runs, 50), p99_ms=pooled_ms(runs, 99),
                    requests=sum(r["requests"] for r in runs),
                    non_2xx=sum(r["non_2xx"] for r in runs),
                    runs=[{k: v for k, v in r.items() if k != "quantiles_us"} for r in runs])
    health = [w["rps"] for r in rounds for w in r[0::2]]
    Path(args.out).write_text(json.dumps({
        "label": args.label, "summary": summary, "pages": pages,
        "health_rps_median": statistics.median(health), "health_rps_min": min(health),
        "health_rps_max": max(health), "rounds": args.rounds, "seconds": args.seconds,
        "health_seconds": HEALTH_SECONDS,
    }, ensure_ascii=False, indent=1))
    print(f"bench: {args.label}: " + ", ".join(f"{p['name']} {p['ratio']:.3f}x" for p in pages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    pages = sub.add_parser("pages")
    pages.add_argument("--port", type=int, required=True)
    pages.add_argument("--summary", required=True)
    pages.add_argument("--label", required=True)
    pages.add_argument("--out", required=True)
    pages.add_argument("--rounds", type=int, default=5)
    pages.add_argument("--seconds", type=float, default=2)
    pages.add_argument("--probe-only", action="store_true", help="SQL counts and sizes, no wrk")
    for name in ("upload", "inproc", "mail", "pdf", "report"):
        sub.add_parser(name, add_help=False)
    args, rest = parser.parse_known_args()
    if args.cmd == "pages":
        return run_pages(args)
    import probes  # the other measurements live beside this file
    import report

    (report.run if args.cmd == "report" else getattr(probes, f"run_{args.cmd}"))(rest)


if __name__ == "__main__":
    main()
