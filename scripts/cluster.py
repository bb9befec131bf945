"""Two app nodes on loopback behind nginx, over one PostgreSQL, one Redis and one S3 server
(scripts/cluster; tests/integration/test_cluster.py starts the same class).

    nginx :PORT  --(upstream, passive health: max_fails/fail_timeout)-->  node a, node b
    node = gunicorn (wsgi:app) + rq worker + outbox sweeper, each with its own scratch disk
    shared = DATABASE_URL, REDIS_URL, moto_server (S3) with the bucket, SECRET_KEY

Open-source nginx has no active health checks (that is NGINX Plus's `health_check`): a node
that refuses connections or times out is marked failed for `fail_timeout` after `max_fails`
errors, and the request goes on to the other node (`proxy_next_upstream`). A POST that a
node took and then died on is not retried (nginx never repeats a non-idempotent request
that reached a node): the client gets 502 and nothing was stored half-way, since a request
commits once, at its end. Load balancers still probe `/_health` on each node (the script's
`wait_ready` does, before it opens the door)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BUCKET = "portal-cluster"

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log {work}/nginx-access.log;
  client_body_temp_path {work}/nginx-tmp/body;
  proxy_temp_path {work}/nginx-tmp/proxy;
  fastcgi_temp_path {work}/nginx-tmp/fastcgi;
  uwsgi_temp_path {work}/nginx-tmp/uwsgi;
  scgi_temp_path {work}/nginx-tmp/scgi;
  client_max_body_size 12m;
  upstream portal {{
    # Passive health checks only (open-source nginx): after max_fails errors a node rests
    # for fail_timeout, then gets one request to show it is back.
{servers}
    # No upstream keepalive: gunicorn's sync workers close every connection after a
    # response, and a reused closed connection would count as a node failure.
  }}
  server {{
    listen 127.0.0.1:{port};
    location = /metrics {{ return 404; }}  # scraped on each node's own port, never via here
    location / {{
      proxy_pass http://portal;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-ID $request_id;
      proxy_connect_timeout 1s;
      proxy_read_timeout 60s;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str, headers: dict | None = None) -> bool:
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _wait(url: str, what: str, proc: subprocess.Popen | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not _answers(url):
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"cluster: {what} did not come up ({url})")
        time.sleep(0.1)


@dataclass
class Node:
    name: str
    port: int
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    database_url: str
    redis_url: str
    secret_key: str
    mail_url: str = ""
    web_workers: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="portal-cluster-")))
    port: int = field(default_factory=free_port)
    s3_url: str = ""
    nodes: list[Node] = field(default_factory=list)
    shared: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.work / f"{name}.log").open("ab")
        # Its own process group: killing a node ends its gunicorn workers too.
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_s3(self) -> None:
        port = free_port()
        self.s3_url = f"http://127.0.0.1:{port}"
        self.shared["s3"] = self._spawn("s3", [sys.executable, "-m", "moto.server", "-H",
                                               "127.0.0.1", "-p", str(port)], self.base_env())
        _wait(self.s3_url + "/moto-api/", "moto_server", self.shared["s3"])
        self.s3_client().create_bucket(Bucket=BUCKET)

    def s3_client(self):
        import boto3

        return boto3.session.Session().client(
            "s3", endpoint_url=self.s3_url, region_name="us-east-1",
            aws_access_key_id="cluster", aws_secret_access_key="cluster")

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("MIGRATE_DATABASE_URL",)}
        env.update({"AWS_ACCESS_KEY_ID": "cluster", "AWS_SECRET_ACCESS_KEY": "cluster",
                    "AWS_DEFAULT_REGION": "us-east-1",
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                                env.get("PYTHONPATH")]))})
        return env

    def node_env(self, node: Node) -> dict[str, str]:
        metrics = self.work / f"metrics-{node.name}"
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir(parents=True)
        env = self.base_env()
        env.update({
            "DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url,
            "SECRET_KEY": self.secret_key, "MAIL_URL": self.mail_url,
            "STORAGE_URL": f"s3://{BUCKET}/portal", "S3_ENDPOINT_URL": self.s3_url,
            "STORAGE_DIR": str(self.work / f"scratch-{node.name}"),
            "TRUSTED_PROXY_HOPS": "1", "EXTERNAL_PORT": str(self.port), "LOG_REQUESTS": "1",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics), "BASE_DOMAIN": "localhost",
            # Limits start from zero for each cluster, even on a Redis that outlives it.
            "RATELIMIT_KEY_PREFIX": f"cluster-{self.port}-{self.work.name}",
        })
        env.update(self.extra_env)
        return env

    def start_node(self, node: Node) -> None:
        env = self.node_env(node)
        node.procs["web"] = self._spawn(f"{node.name}-web", [
            str(BIN / "gunicorn"), "-w", str(self.web_workers), "-b", f"127.0.0.1:{node.port}",
            "-c", str(ROOT / "scripts" / "gunicorn_conf.py"), "wsgi:app"], env)
        node.procs["worker"] = self._spawn(f"{node.name}-worker", [
            str(BIN / "rq"), "worker", "-w", "rq.worker.SimpleWorker", "--url", self.redis_url,
            "--name", f"{node.name}-{os.getpid()}-{time.monotonic_ns()}", "portal"], env)
        node.procs["sweeper"] = self._spawn(f"{node.name}-sweeper", [
            str(BIN / "flask"), "--app", "wsgi:app", "outbox-sweep", "--every", "2"], env)

    def start(self) -> Cluster:
        self.start_s3()
        self.nodes = [Node("a", free_port()), Node("b", free_port())]
        for node in self.nodes:
            self.start_node(node)
        for node in self.nodes:
            _wait(node.url + "/_health", f"node {node.name}", node.procs["web"])
        self.start_nginx(self.nodes, self.port, "nginx")
        return self

    def start_nginx(self, nodes: list[Node], port: int, name: str) -> None:
        """An nginx in front of `nodes` (bench/cluster.py starts a second one, on one node)."""
        servers = "\n".join(f"    server 127.0.0.1:{n.port} max_fails=1 fail_timeout=10s;"
                            for n in nodes)
        # nginx started as root hands requests to workers running as `nobody`: they buffer
        # request bodies in these folders, so those must be theirs to write.
        self.work.chmod(0o711)
        work = self.work / name
        temp = work / "nginx-tmp"
        temp.mkdir(parents=True, exist_ok=True)
        work.chmod(0o711)
        temp.chmod(0o1777)
        conf = work / "nginx.conf"
        conf.write_text(NGINX_CONF.format(work=work, port=port, servers=servers))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.shared[name] = self._spawn(name, [nginx, "-c", str(conf), "-p", str(work)],
                                        self.base_env())
        _wait(f"http://127.0.0.1:{port}/_health", name, self.shared[name])

    def kill_node(self, node: Node, sig: int = signal.SIGKILL) -> None:
        """The machine dies: every process of the node at once, nothing said goodbye."""
        for proc in node.procs.values():
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
        for proc in node.procs.values():
            proc.wait(timeout=10)

    def stop(self) -> None:
        for node in self.nodes:
            self.kill_node(node, signal.SIGTERM)
        for proc in self.shared.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)


def _main() -> None:
    """Standalone: the machine's PostgreSQL (database portal_cluster, migrated and seeded with
    the demo societies on first use), a private redis-server, until Ctrl+C."""
    pg = os.environ.get("CLUSTER_PG", "postgresql://postgres@127.0.0.1:5432")
    database = os.environ.get("DATABASE_URL") or f"{pg}/portal_cluster"
    if not os.environ.get("DATABASE_URL"):
        subprocess.run(["psql", f"{pg}/postgres", "-qAtX", "-c", "CREATE DATABASE portal_cluster"],
                       check=False, capture_output=True)
    env = dict(os.environ, DATABASE_URL=database, PYTHONPATH=str(ROOT / "src"))
    subprocess.run([str(BIN / "flask"), "--app", "wsgi:app", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True)
    subprocess.run([str(BIN / "flask"), "--app", "wsgi:app", "seed-demo"], cwd=ROOT, env=env,
                   check=False)
    redis = os.environ.get("REDIS_URL")
    redis_proc = None
    if not redis:
        port = free_port()
        redis_proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port),
                                       "--save", "", "--appendonly", "no"],
                                      stdout=subprocess.DEVNULL, start_new_session=True)
        redis = f"redis://127.0.0.1:{port}/0"
    secret = os.environ.get("SECRET_KEY") or os.urandom(32).hex()
    cluster = Cluster(database, redis, secret, extra_env={"DEV_MAILBOX": "1"})
    try:
        cluster.start()
        print(f"cluster: nginx {cluster.url} -> nodes "
              f"{', '.join(n.url for n in cluster.nodes)}; S3 {cluster.s3_url}; Redis {redis}; "
              f"logs in {cluster.work}\ncluster: e.g. http://jsicm.localhost:{cluster.port}/  "
              "(Ctrl+C stops everything)", flush=True)
        # Also SIGINT: a shell starts a background job with it ignored, and Python keeps that.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: sys.exit(0))
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
        if redis_proc is not None:
            redis_proc.terminate()


if __name__ == "__main__":
    _main()
