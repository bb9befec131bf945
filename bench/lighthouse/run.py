"""Lighthouse accessibility scores of the pages issue 14 names: the login page, the JSICM
trainee top page, the JSICM upload page and the JSPM /renewal/apply page, at Lighthouse's
mobile and desktop settings, against the Debian Chromium.

    bench/lighthouse/run            (installs Lighthouse from npm on first use)

It starts the portal on a private SQLite database seeded with `flask seed-demo` (a free
port on loopback, its own process group, stopped on exit), logs in over HTTP like a
browser (the CSRF token of the login form, then the session cookie, which Lighthouse sends
as a header), runs Lighthouse once per page and form factor, prints the scores with any
failing audit, and writes bench/results/lighthouse.json. Exit status 1 if a score is
below 100. Not part of the test command: about a minute per page on 2 cores."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PASSWORD = "demo-pass-2024"
# (society, login or None, path, name)
PAGES = [
    ("jsicm", None, "/login", "login"),
    ("jsicm", "800014", "/", "trainee top"),
    ("jsicm", "800014", "/credentials/upload", "upload"),
    ("jspm", "core@jspm.example", "/renewal/apply", "JSPM apply"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_portal(work: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, FLASK_APP="wsgi.py", DATABASE_URL=f"sqlite:///{work}/portal.db",
               STORAGE_DIR=str(work / "files"), EXTERNAL_PORT=str(port), DEV_MAILBOX="1",
               PYTHONPATH=str(ROOT / "src"))
    for key in ("REDIS_URL", "MAIL_URL", "MIGRATE_DATABASE_URL"):
        env.pop(key, None)
    flask = [str(ROOT / ".venv" / "bin" / "flask")]
    for args in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(flask + ["run", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the portal did not start")


class Host:
    """HTTP to one society's host name over loopback (urllib does not resolve *.localhost)."""

    def __init__(self, slug: str, port: int) -> None:
        self.host = f"{slug}.localhost:{port}"
        self.port = port
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path: str, data: dict | None = None) -> str:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers={"Host": self.host},
            data=urllib.parse.urlencode(data).encode() if data is not None else None)
        with self.opener.open(request) as response:
            return response.read().decode()

    def login(self, login_id: str) -> str:
        form = self.open("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        self.open("/login", {"csrf_token": token, "identifier": login_id, "password": PASSWORD})
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def lighthouse(url: str, cookie: str | None, preset: str, out: Path) -> dict:
    command = [str(LIGHTHOUSE), url, "--only-categories=accessibility", "--output=json",
               f"--output-path={out}", "--quiet", f"--chrome-path={CHROME}",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
    if preset == "desktop":
        command.append("--preset=desktop")
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env=dict(os.environ, CHROME_PATH=CHROME))
    report = json.loads(out.read_text())
    failing = [f"{a['id']}: {a['title']}" for a in report["audits"].values()
               if a.get("scoreDisplayMode") == "binary" and a.get("score") == 0]
    return {"score": round(report["categories"]["accessibility"]["score"] * 100),
            "failing": failing, "final_url": report.get("finalDisplayedUrl")}


def main() -> int:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=HERE, check=True)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="portal-lighthouse-") as tmp:
        server = start_portal(Path(tmp), port)
        try:
            results = []
            for slug, who, path, name in PAGES:
                cookie = Host(slug, port).login(who) if who else None
                url = f"http://{slug}.localhost:{port}{path}"
                for preset in ("mobile", "desktop"):
                    found = lighthouse(url, cookie, preset, Path(tmp) / "report.json")
                    results.append({"page": name, "url": path, "society": slug,
                                    "form_factor": preset, **found})
                    print(f"{name:12} {preset:8} accessibility {found['score']:3}  "
                          f"{found['final_url']}  {'; '.join(found['failing'])}", flush=True)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "lighthouse.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if all(r["score"] == 100 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
