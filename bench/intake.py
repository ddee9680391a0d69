"""Intake and queue benchmark against the REAL server (gunicorn via `huiyin serve`), SQLite vs PostgreSQL.

For each database: a fresh database with N existing cases (bulk), `huiyin serve` on a free loopback
port, then bounded request loops:
  - intake: POST /api/cases with a bearer token (real messages, valid ID numbers, an Idempotency-Key);
  - queue:  GET /api/queues/to_route (bearer token) and GET / (the workbench HTML, signed in);
and the server's peak RSS (master + workers, sampled from /proc). Loopback only; every loop is bounded
in count and time and stops by itself.

    python -m bench.intake [--existing 10000] [--requests 300] [--concurrency 4] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("HUIYIN_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "huiyin_bench"
PHASE_TIME_LIMIT = 120.0  # seconds: a phase stops early rather than run on


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


@dataclass
class Result:
    backend: str
    seed_seconds: float = 0.0
    intake: Phase = field(default_factory=Phase)
    queue_api: Phase = field(default_factory=Phase)
    workbench: Phase = field(default_factory=Phase)
    peak_rss_mib: float = 0.0


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start listening")


def process_tree(root: int) -> list[int]:
    """`root` and its descendants, read from /proc (gunicorn's master and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    def __init__(self, root: int, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root, self.every, self.peak_kib = root, every, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak_kib = max(self.peak_kib, sum(rss_kib(pid) for pid in process_tree(self.root)))
            self.stopped.wait(self.every)


# --- HTTP --------------------------------------------------------------------------------------


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def cookies_from(headers: list[tuple[str, str]]) -> dict[str, str]:
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key.strip()] = rest.split(";", 1)[0]
    return jar


def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through the real login form; return the Cookie header of the session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    page = response.read().decode()
    jar = cookies_from(response.getheaders())
    conn.close()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match or "csrftoken" not in jar:
        raise RuntimeError("the login page has no CSRF token")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password}
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    jar.update(cookies_from(response.getheaders()))
    conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"sign-in failed (HTTP {response.status})")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def run_phase(
    total: int, concurrency: int, one: Callable[[int], tuple[int, bytes]], expect: tuple[int, ...]
) -> Phase:
    """Run `total` calls of `one(i)` on `concurrency` threads (bounded by PHASE_TIME_LIMIT)."""
    phase = Phase()
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + PHASE_TIME_LIMIT

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            try:
                status, body = one(i)
            except OSError as exc:
                status, body = -1, str(exc).encode()
            elapsed = time.perf_counter() - started
            with lock:
                if status in expect:
                    phase.latencies.append(elapsed)
                else:
                    key = f"HTTP {status}: {body[:120].decode(errors='replace')}"
                    phase.errors[key] = phase.errors.get(key, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - started
    return phase


# --- one backend -------------------------------------------------------------------------------


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


def recreate_pg_database(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {PG_DB}")


def bench_backend(backend: str, args: argparse.Namespace, workdir: Path) -> Result:
    result = Result(backend)
    env = dict(os.environ)
    env.update(
        {
            "HUIYIN_DEBUG": "0",
            "HUIYIN_SECRET_KEY": secrets.token_urlsafe(40),
            "HUIYIN_VAR_DIR": str(workdir / backend),
            "HUIYIN_LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(REPO),
        }
    )
    env.pop("DATABASE_URL", None)
    if backend == "postgres":
        recreate_pg_database()
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgres://", 1)
        env["DATABASE_URL"] = f"{base}/{PG_DB}"
    python = sys.executable
    print(f"[{backend}] migrate", flush=True)
    subprocess.run(
        [python, "-m", "huiyin.cli", "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=REPO
    )
    print(f"[{backend}] seed {args.existing} existing cases (bulk)", flush=True)
    payload_file = workdir / f"{backend}-payloads.json"
    seeded = subprocess.run(
        [python, "-m", "bench.seed", "--existing", str(args.existing), "--payloads", str(args.requests + 50),
         "--out", str(payload_file)],
        env=env, check=True, cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    info = json.loads(seeded.stdout.strip().splitlines()[-1])
    result.seed_seconds = info["seconds"]
    payloads = json.loads(payload_file.read_text(encoding="utf-8"))

    port = free_port()
    print(f"[{backend}] huiyin serve on 127.0.0.1:{port} ({args.workers} workers)", flush=True)
    server = subprocess.Popen(
        [python, "-m", "huiyin.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    sampler = RssSampler(server.pid)
    try:
        wait_for_port(port, server)
        sampler.start()
        auth = {"Authorization": f"Bearer {info['token']}"}
        run_id = secrets.token_hex(4)

        def post_case(i: int) -> tuple[int, bytes]:
            body = json.dumps(payloads[i % len(payloads)], ensure_ascii=False).encode()
            headers = {**auth, "Content-Type": "application/json", "Idempotency-Key": f"bench-{run_id}-{i}"}
            status, _, data = request(port, "POST", "/api/cases", body, headers)
            return status, data

        # warm up every worker (imports, first queries), not measured
        run_phase(10, args.concurrency, lambda i: post_case(10_000_000 + i)[:2], (200, 201))
        print(
            f"[{backend}] intake: {args.requests} × POST /api/cases, concurrency {args.concurrency}",
            flush=True,
        )
        result.intake = run_phase(args.requests, args.concurrency, post_case, (201,))

        def get_queue(i: int) -> tuple[int, bytes]:
            status, _, data = request(port, "GET", "/api/queues/to_route?limit=50", headers=auth)
            return status, data

        print(f"[{backend}] queue: {args.reads} × GET /api/queues/to_route", flush=True)
        result.queue_api = run_phase(args.reads, args.concurrency, get_queue, (200,))

        cookie = sign_in(port, info["username"], info["password"])

        def get_workbench(i: int) -> tuple[int, bytes]:
            status, _, data = request(port, "GET", "/", headers={"Cookie": cookie})
            return status, data

        print(f"[{backend}] workbench: {args.reads} × GET / (signed in)", flush=True)
        result.workbench = run_phase(args.reads, args.concurrency, get_workbench, (200,))
    finally:
        sampler.stopped.set()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if sampler.is_alive():
            sampler.join(timeout=5)
        if backend == "postgres":
            recreate_pg_database(drop_only=True)
    result.peak_rss_mib = sampler.peak_kib / 1024
    return result


# --- report ------------------------------------------------------------------------------------


def report(results: list[Result], args: argparse.Namespace) -> str:
    rows: list[tuple[str, Callable[[Result], float], str]] = [
        ("seed (existing cases, bulk) s", lambda r: r.seed_seconds, "{:.1f}"),
        ("intake requests/s", lambda r: r.intake.rate(), "{:.1f}"),
        ("intake p50 ms", lambda r: r.intake.pct(50), "{:.1f}"),
        ("intake p95 ms", lambda r: r.intake.pct(95), "{:.1f}"),
        ("queue API p50 ms", lambda r: r.queue_api.pct(50), "{:.1f}"),
        ("queue API p95 ms", lambda r: r.queue_api.pct(95), "{:.1f}"),
        ("workbench HTML p50 ms", lambda r: r.workbench.pct(50), "{:.1f}"),
        ("workbench HTML p95 ms", lambda r: r.workbench.pct(95), "{:.1f}"),
        ("server peak RSS MiB", lambda r: r.peak_rss_mib, "{:.0f}"),
    ]
    by = {r.backend: r for r in results}
    names = [r.backend for r in results]
    header = f"{'metric':32}" + "".join(f"{n:>14}" for n in names)
    if "sqlite" in by and "postgres" in by:
        header += f"{'PG/SQLite':>12}"
    lines = [
        f"Huiyin intake benchmark: {args.existing} existing cases, {args.requests} intake requests, "
        f"{args.reads} reads per list, concurrency {args.concurrency}, gunicorn workers {args.workers}, "
        f"{os.cpu_count()} CPUs (client and server share them)",
        header,
        "-" * len(header),
    ]
    for label, get, fmt in rows:
        line = f"{label:32}" + "".join(f"{fmt.format(get(by[n])):>14}" for n in names)
        if "sqlite" in by and "postgres" in by:
            base = get(by["sqlite"])
            line += f"{(get(by['postgres']) / base if base else float('nan')):>12.2f}"
        lines.append(line)
    for r in results:
        for phase_name, phase in (("intake", r.intake), ("queue", r.queue_api), ("workbench", r.workbench)):
            for error, n in phase.errors.items():
                lines.append(f"  ! {r.backend} {phase_name}: {n} × {error}")
            lines.append(f"  {r.backend} {phase_name}: {phase.ok} ok in {phase.seconds:.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--existing", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300, help="intake requests per database")
    parser.add_argument(
        "--reads", type=int, default=100, help="requests per list (API queue, HTML workbench)"
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args(argv)
    for n in (args.requests, args.reads, args.concurrency, args.workers):
        if not 1 <= n <= 100_000:
            parser.error("counts must be between 1 and 100000")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    results = []
    workdir = Path(tempfile.mkdtemp(prefix="huiyin-bench-"))
    try:
        for backend in backends:
            if backend == "postgres" and not postgres_available():
                print(f"[postgres] skipped: no server answers at {PG_ADMIN_URL}", flush=True)
                continue
            results.append(bench_backend(backend, args, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(report(results, args))
    return 0 if results and all(r.intake.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
