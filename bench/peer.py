"""Huiyin intake against a peer: django-helpdesk's ticket creation, side by side in one run.

For each database (SQLite WAL file, PostgreSQL on 127.0.0.1:5432):
  A: Huiyin, `huiyin serve` (gunicorn), bearer token, POST /api/cases;
  B: django-helpdesk from PyPI in its own virtualenv (~/.cache/huiyin-bench/helpdesk-venv, built on the
     first run and reused), a minimal generated Django project with the SAME database settings as
     Huiyin's (read from Huiyin's own settings at run time), gunicorn with the same flags, a DRF token
     sent as `Authorization: Bearer …`, POST /api/tickets/;
with the same load loop (bench.intake.run_phase), concurrency, message texts (the real messages of
bench.seed) and existing rows, interleaved A B A B for --pairs rounds. Each pair ends with the raw
insert limit (while both servers idle): Huiyin's newest case rows and their event rows copied back
with plain INSERTs through one connection, one transaction per case, no HTTP. After the pairs, with
the servers down: queries per request of each (Django's test client in each application's own
process). Loopback only; every phase is bounded and stops by itself; servers and databases are
removed on exit, Ctrl-C or SIGTERM.

    python -m bench.peer [--requests 200] [--pairs 3] [--backends sqlite,postgres] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from bench.intake import (
    PG_ADMIN_URL,
    Phase,
    RssSampler,
    free_port,
    postgres_available,
    request,
    run_phase,
    wait_for_port,
)

REPO = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).resolve().parent / "peer_probe.py"
HELPDESK_VERSION = "2.6.1"
DRF_VERSION = "3.18.3"
CACHE = Path(os.environ.get("HUIYIN_BENCH_CACHE", Path.home() / ".cache" / "huiyin-bench"))
PG_DB_HUIYIN = "huiyin_bench_peer_huiyin"
PG_DB_PEER = "huiyin_bench_peer"
BACKENDS = ("sqlite", "postgres")
STEP_TIMEOUT = 600  # seconds for one set-up step (pip install, migrate, seed)
STOPPING = threading.Event()  # set on the way out: client threads stop sending at once


# --- pure helpers (tests/test_bench_peer.py) ---------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.peer", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="POSTs per run")
    parser.add_argument("--pairs", type=int, default=3, help="A B rounds per database")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, both servers")
    parser.add_argument("--existing", type=int, default=1000, help="rows already there, both sides")
    parser.add_argument("--raw-inserts", type=int, default=1000, help="copies for the raw insert limit")
    args = parser.parse_args(argv)
    limits = {
        "--requests": (args.requests, 1, 100_000),
        "--pairs": (args.pairs, 1, 20),
        "--concurrency": (args.concurrency, 1, 64),
        "--workers": (args.workers, 1, 16),
        "--existing": (args.existing, 0, 1_000_000),
        "--raw-inserts": (args.raw_inserts, 1, 1_000_000),
    }
    for name, (value, low, high) in limits.items():
        if not low <= value <= high:
            parser.error(f"{name} must be between {low} and {high}")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKENDS]
    if not backends or unknown:
        parser.error(f"--backends takes a comma-separated subset of {', '.join(BACKENDS)}")
    args.backends = list(dict.fromkeys(backends))
    return args


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratios(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """Per-pair a/b (NaN where b is zero): pair i is A's run i against B's run i."""
    if len(a) != len(b):
        raise ValueError("runs must come in pairs")
    return [x / y if y else float("nan") for x, y in zip(a, b, strict=True)]


def helpdesk_payload(huiyin: dict[str, object], queue_id: int, i: int) -> dict[str, object]:
    """The same petition as a django-helpdesk ticket: title, the whole text, a submitter address."""
    text = str(huiyin["content"])
    if huiyin.get("request"):
        text += "\n\n" + str(huiyin["request"])
    return {
        "queue": queue_id,
        "title": str(huiyin["title"])[:200],
        "description": text,
        "submitter_email": f"petitioner{i}@example.cn",
        "priority": 3,
    }


def peer_requirements() -> list[str]:
    """django-helpdesk pinned, and the framework pieces pinned to what Huiyin itself runs on."""
    reqs = [f"django-helpdesk=={HELPDESK_VERSION}", f"djangorestframework=={DRF_VERSION}"]
    for dist in ("Django", "gunicorn", "psycopg", "psycopg-binary"):
        with suppress(metadata.PackageNotFoundError):
            reqs.append(f"{dist}=={metadata.version(dist)}")
    return reqs


# --- the peer's virtualenv and project ---------------------------------------------------------


def ensure_venv(reqs: list[str]) -> Path:
    venv = CACHE / "helpdesk-venv"
    python = venv / "bin" / "python"
    stamp = venv / ".huiyin-bench-requirements"
    want = "\n".join(reqs)
    if python.exists() and stamp.exists() and stamp.read_text() == want:
        return python
    print(f"[peer] building {venv}: {' '.join(reqs)}", flush=True)
    if venv.exists():
        shutil.rmtree(venv)
    CACHE.mkdir(parents=True, exist_ok=True)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, timeout=STEP_TIMEOUT)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *reqs],
        check=True,
        timeout=STEP_TIMEOUT,
    )
    stamp.write_text(want)
    return python


SETTINGS = '''\
"""Generated by bench.peer: the least Django project that serves django-helpdesk's API."""
import json, os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = os.environ["PEER_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize",
    "rest_framework", "rest_framework.authtoken", "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "peer_urls"
WSGI_APPLICATION = "peer_wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
# Huiyin's own database settings (engine, options, connection age), with this project's NAME.
DATABASES = {"default": json.loads(os.environ["PEER_DATABASE"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "zh-hans"
STATIC_URL = "/static/"
MEDIA_ROOT = os.environ["PEER_MEDIA_ROOT"]
SITE_ID = 1
LOGIN_URL = "/login/"
# Notification mails are still rendered from the database templates; the dummy backend drops them,
# as Huiyin's request only queues its notifications for the worker.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@example.cn"
HELPDESK_TEAMS_MODE_ENABLED = False
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["peer_auth.BearerTokenAuthentication"],
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
'''

URLS = """\
from django.urls import include, path

urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]
"""

WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_settings")
application = get_wsgi_application()
"""

AUTH = '''\
from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """DRF's token, sent the way Huiyin's is: `Authorization: Bearer <key>`."""

    keyword = "Bearer"
'''

SETUP = '''\
"""Generated by bench.peer: a queue, a staff user with a token, and N existing tickets in bulk."""
import json, os, random, sys

import django

django.setup()
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token

from helpdesk.models import FollowUp, Queue, Ticket

existing = int(sys.argv[1])
user = get_user_model().objects.create_user(
    "bench", "bench@example.cn", os.environ["PEER_SECRET_KEY"][:20], is_staff=True
)
token = Token.objects.create(user=user)
queue = Queue.objects.create(title="来信来访", slug="intake", email_address="intake@example.cn")
rng = random.Random(1)
now = timezone.now()
for start in range(0, existing, 2000):
    tickets = []
    for i in range(start, min(existing, start + 2000)):
        created = now - timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440))
        tickets.append(Ticket(
            title=f"历史事项 {i}", queue=queue, created=created, modified=created,
            submitter_email=f"old{i}@example.cn", description="（基准测试用的历史事项）" * 5,
            status=rng.choice([1, 3, 4]), priority=3,
        ))
    Ticket.objects.bulk_create(tickets)
    FollowUp.objects.bulk_create([
        FollowUp(ticket=t, title="Ticket Opened", date=t.created, public=True, comment=t.description)
        for t in tickets
    ])
print(json.dumps({"token": token.key, "queue": queue.pk}))
'''


def write_project(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in {
        "peer_settings.py": SETTINGS,
        "peer_urls.py": URLS,
        "peer_wsgi.py": WSGI,
        "peer_auth.py": AUTH,
        "peer_setup.py": SETUP,
    }.items():
        (directory / name).write_text(text, encoding="utf-8")


# --- one side: environment, set-up, server -----------------------------------------------------


@dataclass
class Side:
    name: str  # "huiyin" or "helpdesk"
    python: str
    cwd: Path
    env: dict[str, str]
    wsgi: str
    path: str
    auth: str = ""
    payloads: list[dict[str, object]] = field(default_factory=list)
    payload_file: Path | None = None
    server: subprocess.Popen[bytes] | None = None
    sampler: RssSampler | None = None
    port: int = 0
    sent: int = 0  # payloads used so far: every POST sends a fresh one
    runs: list[Phase] = field(default_factory=list)
    peak_rss_mib: float = 0.0
    queries: float = float("nan")
    query_kinds: dict[str, int] = field(default_factory=dict)


def pg_url(database: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgres://", 1)
    return f"{base}/{database}"


def recreate_pg(database: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {database}")


def huiyin_side(backend: str, workdir: Path) -> Side:
    env = dict(os.environ)
    env.update(
        {
            "HUIYIN_DEBUG": "0",
            "HUIYIN_SECRET_KEY": secrets.token_urlsafe(40),
            "HUIYIN_VAR_DIR": str(workdir / f"huiyin-{backend}"),
            "HUIYIN_LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(REPO),
            "DJANGO_SETTINGS_MODULE": "huiyin.settings",
        }
    )
    env.pop("DATABASE_URL", None)
    if backend == "postgres":
        env["DATABASE_URL"] = pg_url(PG_DB_HUIYIN)
    return Side("huiyin", sys.executable, REPO, env, "huiyin.wsgi:application", "/api/cases")


def huiyin_database_settings(huiyin: Side) -> dict[str, object]:
    """Huiyin's DATABASES['default'] as its server builds it (so the peer gets the same options)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; keys = ('ENGINE', 'NAME', 'USER', 'PASSWORD', 'HOST', 'PORT', "
        "'OPTIONS', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'ATOMIC_REQUESTS'); "
        "print(json.dumps({k: d[k] for k in keys if k in d}, default=str))"
    )
    out = subprocess.run(
        [huiyin.python, "-c", code], env=huiyin.env, cwd=huiyin.cwd, check=True, capture_output=True,
        text=True, timeout=STEP_TIMEOUT,
    )  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def peer_side(python: Path, backend: str, workdir: Path, huiyin_db: dict[str, object]) -> Side:
    project = workdir / f"helpdesk-{backend}"
    write_project(project)
    database = dict(huiyin_db)
    if backend == "sqlite":
        database["NAME"] = str(project / "helpdesk.sqlite3")
    else:
        database["NAME"] = PG_DB_PEER
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUIYIN_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "PEER_SECRET_KEY": secrets.token_urlsafe(40),
            "PEER_DATABASE": json.dumps(database),
            "PEER_MEDIA_ROOT": str(project / "media"),
            "PYTHONPATH": str(project),
            "DJANGO_SETTINGS_MODULE": "peer_settings",
        }
    )
    return Side("helpdesk", str(python), project, env, "peer_wsgi:application", "/api/tickets/")


def run_step(side: Side, argv: list[str]) -> str:
    done = subprocess.run(
        [side.python, *argv], env=side.env, cwd=side.cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT
    )
    if done.returncode:
        raise RuntimeError(f"{side.name}: {' '.join(argv[:3])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare_huiyin(side: Side, backend: str, args: argparse.Namespace, workdir: Path) -> None:
    if backend == "postgres":
        recreate_pg(PG_DB_HUIYIN)
    print(f"[{backend}] huiyin: migrate, {args.existing} existing cases", flush=True)
    run_step(side, ["-m", "huiyin.cli", "migrate", "--noinput", "-v", "0"])
    side.payload_file = workdir / f"huiyin-{backend}-payloads.json"
    wanted = args.requests * args.pairs + 200  # warm-up and probes included: no payload is sent twice
    out = run_step(
        side,
        ["-m", "bench.seed", "--existing", str(args.existing), "--payloads", str(wanted),
         "--out", str(side.payload_file)],
    )  # fmt: skip
    info = json.loads(out.strip().splitlines()[-1])
    side.auth = f"Bearer {info['token']}"
    side.payloads = json.loads(side.payload_file.read_text(encoding="utf-8"))


def prepare_peer(side: Side, backend: str, args: argparse.Namespace, huiyin: Side, workdir: Path) -> None:
    if backend == "postgres":
        recreate_pg(PG_DB_PEER)
    print(f"[{backend}] helpdesk: migrate, {args.existing} existing tickets", flush=True)
    run_step(side, ["-m", "django", "migrate", "--noinput", "-v", "0"])
    info = json.loads(run_step(side, ["peer_setup.py", str(args.existing)]).strip().splitlines()[-1])
    side.auth = f"Bearer {info['token']}"
    side.payloads = [helpdesk_payload(p, info["queue"], i) for i, p in enumerate(huiyin.payloads)]
    side.payload_file = workdir / f"helpdesk-{backend}-payloads.json"
    side.payload_file.write_text(json.dumps(side.payloads, ensure_ascii=False), encoding="utf-8")


def start(side: Side, workers: int) -> None:
    """gunicorn with the flags `huiyin serve` uses (huiyin/cli.py), for either application."""
    side.port = free_port()
    command = [
        side.python, "-m", "gunicorn", side.wsgi, "--bind", f"127.0.0.1:{side.port}",
        "--workers", str(workers), "--threads", "1", "--timeout", "60", "--graceful-timeout", "10",
        "--worker-tmp-dir", "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp", "--no-control-socket",
    ]  # fmt: skip
    if side.name == "huiyin":
        command = [side.python, "-m", "huiyin.cli", "serve", "--bind", f"127.0.0.1:{side.port}",
                   "--workers", str(workers)]  # fmt: skip
    side.server = subprocess.Popen(
        command, env=side.env, cwd=side.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    wait_for_port(side.port, side.server)
    side.sampler = RssSampler(side.server.pid)
    side.sampler.start()


def stop(side: Side) -> None:
    if side.sampler is not None:
        side.sampler.stopped.set()
        side.sampler.join(timeout=5)
        side.peak_rss_mib = side.sampler.peak_kib / 1024
        side.sampler = None
    server, side.server = side.server, None
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # its own session: master and workers, nothing else
        server.wait()


def poster(side: Side) -> Callable[[int], tuple[int, bytes]]:
    run = secrets.token_hex(4)
    base = side.sent

    def one(i: int) -> tuple[int, bytes]:
        if STOPPING.is_set():
            raise OSError("the benchmark is stopping")
        n = base + i
        body = json.dumps(side.payloads[n % len(side.payloads)], ensure_ascii=False).encode()
        headers = {"Authorization": side.auth, "Content-Type": "application/json",
                   "Idempotency-Key": f"peer-{run}-{n}"}  # fmt: skip
        status, _, data = request(side.port, "POST", side.path, body, headers)
        return status, data

    return one


def load(side: Side, total: int, concurrency: int, measured: bool = True) -> Phase:
    phase = run_phase(total, concurrency, poster(side), (201,))
    side.sent += total
    if measured:
        side.runs.append(phase)
    return phase


def probe_queries(side: Side) -> float:
    assert side.payload_file is not None
    out = run_step(
        side,
        [str(PROBE), "queries", "--path", side.path, "--auth", side.auth, "--payloads", str(side.payload_file),
         "--count", "5", "--offset", str(side.sent)],
    )  # fmt: skip
    side.sent += 5
    result = json.loads(out.strip().splitlines()[-1])
    if any(s != 201 for s in result["statuses"]):
        print(f"  ! {side.name}: query probe got {result['statuses']}", flush=True)
    side.query_kinds = dict(result["last"])
    return float(result["queries"])


def kinds_line(kinds: dict[str, int]) -> str:
    ordered = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in ordered)


def probe_raw_insert(side: Side, count: int) -> dict[str, float]:
    out = run_step(
        side,
        [str(PROBE), "raw-insert", "--parent", "cases.Case", "--child", "cases.CaseEvent:case",
         "--count", str(count)],
    )  # fmt: skip
    return dict(json.loads(out.strip().splitlines()[-1]))


# --- one database ------------------------------------------------------------------------------


@dataclass
class BackendResult:
    backend: str
    huiyin: Side
    peer: Side
    raw: list[dict[str, float]] = field(default_factory=list)


@contextmanager
def servers(*sides: Side) -> Iterator[None]:
    STOPPING.clear()
    try:
        yield
    finally:
        STOPPING.set()
        for side in sides:
            stop(side)


def bench_backend(backend: str, args: argparse.Namespace, peer_python: Path, workdir: Path) -> BackendResult:
    huiyin = huiyin_side(backend, workdir)
    try:
        prepare_huiyin(huiyin, backend, args, workdir)
        peer = peer_side(peer_python, backend, workdir, huiyin_database_settings(huiyin))
        prepare_peer(peer, backend, args, huiyin, workdir)
        result = BackendResult(backend, huiyin, peer)
        with servers(huiyin, peer):
            for side in (huiyin, peer):
                start(side, args.workers)
                warm = load(side, 4 * args.workers, args.concurrency, measured=False)
                if not warm.ok:
                    raise RuntimeError(f"{side.name} answers no POST: {warm.errors}")
            for pair in range(1, args.pairs + 1):
                for side in (huiyin, peer):
                    phase = load(side, args.requests, args.concurrency)
                    errors = sum(phase.errors.values())
                    print(
                        f"[{backend}] pair {pair} {side.name:8} {phase.rate():7.1f} req/s  "
                        f"p50 {phase.pct(50):6.1f} ms  p95 {phase.pct(95):6.1f} ms"
                        + (f"  ({errors} errors)" if errors else ""),
                        flush=True,
                    )
                raw = probe_raw_insert(huiyin, args.raw_inserts)
                result.raw.append(raw)
                print(
                    f"[{backend}] pair {pair} raw      {raw['per_second']:7.1f} cases/s  "
                    f"({args.raw_inserts} plain INSERT copies of a case and its events, one connection)",
                    flush=True,
                )
        # the servers are down now: nothing else competes with the probes
        for side in (huiyin, peer):
            side.queries = probe_queries(side)
        return result
    finally:
        if backend == "postgres":
            for database in (PG_DB_HUIYIN, PG_DB_PEER):
                recreate_pg(database, drop_only=True)


# --- report ------------------------------------------------------------------------------------


def fmt(values: Sequence[float], spec: str = "{:.1f}") -> str:
    return " ".join(spec.format(v) for v in values)


def report(results: list[BackendResult], args: argparse.Namespace) -> str:
    lines = [
        f"Huiyin intake vs django-helpdesk {HELPDESK_VERSION} ticket creation: {args.requests} POSTs per run, "
        f"{args.pairs} interleaved pairs, {args.concurrency} client threads, gunicorn {args.workers} workers "
        f"each, {args.existing} existing rows each, {os.cpu_count()} CPUs shared by client and servers",
    ]
    for r in results:
        hy = [p.rate() for p in r.huiyin.runs]
        hd = [p.rate() for p in r.peer.runs]
        pair = ratios(hy, hd)
        raw = [x["per_second"] for x in r.raw]
        events = r.raw[0]["rows_per_copy"] - 1 if r.raw else float("nan")
        lines += [
            "",
            f"[{r.backend}]",
            f"  Huiyin POST /api/cases      req/s per run: {fmt(hy)}   median {median(hy):.1f}",
            f"  helpdesk POST /api/tickets/ req/s per run: {fmt(hd)}   median {median(hd):.1f}",
            f"  Huiyin/helpdesk per pair: {fmt(pair, '{:.2f}')}   median {median(pair):.2f}   (target ≥ 3)",
            f"  p50 ms (median of runs): Huiyin {median([p.pct(50) for p in r.huiyin.runs]):.1f}, "
            f"helpdesk {median([p.pct(50) for p in r.peer.runs]):.1f};  p95: Huiyin "
            f"{median([p.pct(95) for p in r.huiyin.runs]):.1f}, helpdesk {median([p.pct(95) for p in r.peer.runs]):.1f}",
            f"  queries per request: Huiyin {r.huiyin.queries:g}, helpdesk {r.peer.queries:g}   (target ≤ 15)",
            f"  raw insert limit, cases/s per pair (a case + its {events:g} event row(s), one transaction each, "
            f"one connection, no HTTP): {fmt(raw, '{:.0f}')}   median {median(raw):.0f}",
            f"  Huiyin intake / raw insert limit per pair: {fmt(ratios(hy, raw), '{:.3f}')}   "
            f"median {median(ratios(hy, raw)):.3f}",
            f"  server peak RSS MiB (master + workers): Huiyin {r.huiyin.peak_rss_mib:.0f}, "
            f"helpdesk {r.peer.peak_rss_mib:.0f}",
        ]
        for side in (r.huiyin, r.peer):
            lines.append(f"  {side.name} queries of one request: {kinds_line(side.query_kinds)}")
        for side in (r.huiyin, r.peer):
            for i, phase in enumerate(side.runs, 1):
                for error, n in phase.errors.items():
                    lines.append(f"  ! {side.name} run {i}: {n} × {error}")
    by = {r.backend: r for r in results}
    if "sqlite" in by and "postgres" in by:
        for name in ("huiyin", "peer"):
            s = median([p.rate() for p in getattr(by["sqlite"], name).runs])
            p = median([p.rate() for p in getattr(by["postgres"], name).runs])
            label = "Huiyin" if name == "huiyin" else "helpdesk"
            lines.append(f"{label} PostgreSQL/SQLite (medians): {p / s if s else float('nan'):.2f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    peer_python = ensure_venv(peer_requirements())
    workdir = Path(tempfile.mkdtemp(prefix="huiyin-peer-"))
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # SIGTERM unwinds like Ctrl-C: servers stop
    results = []
    started = time.monotonic()
    try:
        for backend in args.backends:
            if backend == "postgres" and not postgres_available():
                print(f"[postgres] skipped: no server answers at {PG_ADMIN_URL}", flush=True)
                continue
            results.append(bench_backend(backend, args, peer_python, workdir))
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(report(results, args))
    print(textwrap.dedent(f"\n(total {time.monotonic() - started:.0f} s)"))
    return 0 if results and all(p.ok for r in results for p in r.huiyin.runs + r.peer.runs) else 1


if __name__ == "__main__":
    sys.exit(main())
