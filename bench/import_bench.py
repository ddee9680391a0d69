"""Bulk import of historical cases (issue 11 item 6): rows per second on SQLite and PostgreSQL.

    python -m bench.import_bench [--rows 10000] [--backends sqlite,postgres]

Each backend runs in its own process on a fresh database (SQLite file under /tmp; PostgreSQL database
`huiyin_import_bench`, created beside $HUIYIN_BENCH_PG_ADMIN and dropped afterwards), migrated by the
real migrations, with the demo organisation. The file: --rows rows of the documented template (closed
and open cases, every fifth petitioner with an ID number, territories and units by code), built with
openpyxl like an office's own export. Timed, through `huiyin.imports.services`: reading the .xlsx,
validating every row against the reference data, and writing the cases with their petitioners,
submissions, events, clocks and import links in one transaction (the whole `batch_run`); then the same
file again (every row skipped as imported). Prints one JSON line per backend; the goal is ≥ 2,000
rows/s for the whole import.

On a shared machine the wall clock counts other processes' turns, so the line also has the CPU
seconds the import itself cost: this process's, and on PostgreSQL the server backend's (read from
/proc when the server runs on this machine), each without the roll-up refresh. Compare branches by
running them interleaved (`bench/import_ab.sh`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

PG_ADMIN_URL = os.environ.get("HUIYIN_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("HUIYIN_BENCH_PG_DB", "huiyin_import_bench")  # one per concurrent run
GOAL = 2000


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def id_number(rng: random.Random) -> str:
    """A valid GB 11643 number (the checksum computed, as an office's register would hold)."""
    from stdnum.cn import ric

    body = f"110105{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of 18


def rows_for(org: object, n: int, rng: random.Random) -> list[dict[str, str]]:
    from huiyin.core import timeutil

    today = timeutil.today()
    townships = [t.territory.code for t in org.townships]  # type: ignore[attr-defined]
    units = [u.code for u in org.departments.values()]  # type: ignore[attr-defined]
    rows = []
    for i in range(n):
        registered = today - timedelta(days=rng.randint(60, 1800))
        closed = rng.random() < 0.85
        rows.append(
            {
                "source_key": f"BENCH-{i:07d}",
                "registered_at": f"{registered:%Y-%m-%d} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}",
                "channel": rng.choice(["来信", "来访", "来电", "网上信访"]),
                "petition_type": rng.choice(["申诉求决", "申诉求决", "建议意见"]),
                "title": f"历史事项{i}",
                "content": "小区楼道漏水半年无人维修，多次反映未果。",
                "request": "请督促维修",
                "territory": rng.choice(townships),
                "handling_unit": rng.choice(units),
                "petitioner_name": "刘群众",
                "petitioner_id_number": id_number(rng) if i % 5 == 0 else "",
                "petitioner_phone": f"139{rng.randint(10_000_000, 99_999_999)}",
                "closed_on": f"{registered + timedelta(days=rng.randint(10, 59)):%Y-%m-%d}" if closed else "",
                "outcome": "已办结并答复。" if closed else "",
                "rating": rng.choice(["满意", "基本满意", "不满意", ""]) if closed else "",
            }
        )
    return rows


def _server_cpu() -> float | None:
    """CPU seconds the connection's PostgreSQL backend has used; None on SQLite or a remote server."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def child(backend: str, n: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from huiyin.cases.models import Case, CaseEvent
    from huiyin.demo.org import build_org, build_users
    from huiyin.imports import services
    from huiyin.imports.demo import workbook
    from huiyin.imports.models import ImportBatch
    from huiyin.workflow.models import Clock

    rng = random.Random(1)
    with transaction.atomic():
        org = build_org(1)
        build_users(org)
    importer = org.users["dispatcher"]
    t0 = time.perf_counter()
    content = workbook(rows_for(org, n, rng))
    built = time.perf_counter() - t0

    rollups: list[float] = []
    refresh = services._refresh_rollups

    rollup_cpu: list[float] = []
    rollup_server: list[float] = []

    def timed_refresh(batch_id: int) -> None:  # after the import's commit: timed on its own
        started, cpu_started, server_started = time.perf_counter(), time.process_time(), _server_cpu()
        refresh(batch_id)
        rollups.append(time.perf_counter() - started)
        rollup_cpu.append(time.process_time() - cpu_started)
        server_now = _server_cpu()
        if server_now is not None and server_started is not None:
            rollup_server.append(server_now - server_started)

    services._refresh_rollups = timed_refresh  # type: ignore[assignment]

    cpu: list[float] = []
    server: list[float | None] = []

    def run() -> tuple[ImportBatch, float]:
        rollups.clear()
        rollup_cpu.clear()
        rollup_server.clear()
        server_started = _server_cpu()
        started = time.perf_counter()
        cpu_started = time.process_time()
        batch = services.batch_create(content=content, file_name="bench.xlsx", actor=importer)
        services.batch_run(batch.pk)  # read, validate, write; then (on commit) the roll-ups
        took = time.perf_counter() - started - sum(rollups)
        cpu.append(time.process_time() - cpu_started - sum(rollup_cpu))  # this process only
        server_now = _server_cpu()
        if server_now is None or server_started is None:
            server.append(None)
        else:
            server.append(server_now - server_started - sum(rollup_server))
        batch.refresh_from_db()
        return batch, took

    load = os.getloadavg()[0]
    first, took = run()
    assert first.state == "done" and first.imported_rows == n, (first.state, first.errors[:3], first.message)
    rollup_s = sum(rollups)
    again, took_again = run()
    assert again.imported_rows == 0 and again.skipped_rows == n
    print(
        json.dumps(
            {
                "backend": backend,
                "rows": n,
                "file_mb": round(len(content) / 1e6, 2),
                "build_file_s": round(built, 2),
                "import_s": round(took, 2),  # read + validate + write, roll-ups excluded
                "rows_per_s": round(n / took),
                "goal_rows_per_s": GOAL,
                "ratio_to_goal": round(n / took / GOAL, 2),
                "rollup_refresh_after_import_s": round(rollup_s, 2),
                # on a shared machine the wall clock counts the other processes' turns; the import's
                # own CPU seconds (roll-ups excluded) show what it costs by itself
                "import_cpu_s": round(cpu[0], 2),
                "rows_per_cpu_s": round(n / cpu[0]),
                # the PostgreSQL backend's CPU seconds for the import (None: SQLite, or not on this machine)
                "server_cpu_s": round(server[0], 2) if server[0] is not None else None,
                "rows_per_total_cpu_s": round(n / (cpu[0] + (server[0] or 0))),
                "reimport_s": round(took_again, 2),
                "reimport_rows_per_s": round(n / took_again),
                "load_average_1min": round(load, 1),  # the machine's other work (2 shared cores here)
                "cases": Case.objects.count(),
                "events": CaseEvent.objects.count(),
                "clocks": Clock.objects.count(),
            },
            ensure_ascii=False,
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows)
        return 0
    status = 0
    for backend in args.backends.split(","):
        env = dict(os.environ)
        if backend == "sqlite":
            path = os.path.join(tempfile.mkdtemp(prefix="huiyin-import-bench-"), "bench.sqlite3")
            env["DATABASE_URL"] = f"sqlite:///{path}"
        else:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
            _pg_admin(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"
        try:
            cmd = [sys.executable, "-m", "bench.import_bench", "--child", backend, "--rows", str(args.rows)]
            status |= subprocess.run(cmd, env=env, check=False).returncode
        finally:
            if backend == "postgres":
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
