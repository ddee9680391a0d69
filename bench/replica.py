"""A PostgreSQL streaming replica on one machine, used by Huiyin's router (issue 15 item 4;
docs/deploy.md): proof that the dashboards read from the replica, that everything else stays on the
primary, and how far behind the replica is.

Needs Debian's PostgreSQL 15 server binaries (/usr/lib/postgresql/15/bin); touches no running
cluster. It makes two throw-away clusters under a temporary directory — a primary on port 5440
(wal_level=replica, replication allowed from localhost) and a standby made by `pg_basebackup -R` on
5441 — then:
  1. migrates Huiyin on the primary and builds the demo county's organisation and staff;
  2. registers cases on the primary and times until each is visible on the standby (the lag);
  3. opens the leader's dashboard and a workbench with HUIYIN_REPLICA_URL set and counts, from each
     server's pg_stat_database, the transactions each request made on the standby;
  4. stops both clusters and removes them.

    python -m bench.replica [--cases 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(os.environ.get("HUIYIN_PG_BIN", "/usr/lib/postgresql/15/bin"))
PRIMARY, STANDBY = 5440, 5441
REPO = Path(__file__).resolve().parent.parent


def _run(*args: str, **kw: object) -> None:
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, **kw)  # type: ignore[call-overload]


def _as_postgres() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user when we are root."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def clusters(base: Path) -> tuple[Path, Path]:
    primary, standby = base / "primary", base / "standby"
    sudo = _as_postgres()
    if sudo:
        shutil.chown(base, "postgres")
    _run(
        *sudo,
        str(BIN / "initdb"),
        "-D",
        str(primary),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    )
    with open(primary / "postgresql.conf", "a") as conf:
        conf.write(
            f"port = {PRIMARY}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nfsync = off\n"
        )
    with open(primary / "pg_hba.conf", "a") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    _run(*sudo, str(BIN / "pg_ctl"), "-D", str(primary), "-l", str(base / "primary.log"), "-w", "start")
    _run(
        *sudo,
        str(BIN / "pg_basebackup"),
        "-h",
        "127.0.0.1",
        "-p",
        str(PRIMARY),
        "-U",
        "postgres",
        "-D",
        str(standby),
        "-R",
        "-X",
        "stream",
    )
    with open(standby / "postgresql.conf", "a") as conf:
        conf.write(f"port = {STANDBY}\nhot_standby = on\n")
    _run(*sudo, str(BIN / "pg_ctl"), "-D", str(standby), "-l", str(base / "standby.log"), "-w", "start")
    return primary, standby


def stop(base: Path) -> None:
    for name in ("standby", "primary"):
        if (base / name / "postmaster.pid").exists():
            subprocess.run(
                [*_as_postgres(), str(BIN / "pg_ctl"), "-D", str(base / name), "-m", "immediate", "stop"],
                check=False,
                capture_output=True,
            )


def child(cases: int) -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    import psycopg
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.test import Client

    from bench.seed import _bulk_cases
    from huiyin.cases.models import Case
    from huiyin.core.dbrouter import replica_configured
    from huiyin.demo.org import build_org, build_users

    assert replica_configured()
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        org = build_org(1)
        build_users(org)
    standby = psycopg.connect(f"postgresql://postgres@127.0.0.1:{STANDBY}/huiyin", autocommit=True)

    # the lag: a row committed on the primary, polled for on the standby
    rng = random.Random(1)
    with transaction.atomic():
        _bulk_cases(org, rng, cases)
    # the lag: an update committed on the primary, until the standby has replayed its WAL position
    ids = list(Case.objects.values_list("pk", flat=True)[:20])
    lags = []
    primary = connections["default"]
    for i, pk in enumerate(ids):
        Case.objects.filter(pk=pk).update(title=f"更新{i}")
        with primary.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            lsn = cursor.fetchone()[0]
        started = time.perf_counter()
        while not standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0]:
            time.sleep(0.0002)
        lags.append(time.perf_counter() - started)
    seen = standby.execute("SELECT title FROM cases_case WHERE id = %s", [ids[-1]]).fetchone()[0]
    assert seen == f"更新{len(ids) - 1}", seen

    def on_standby(path: str, user: str) -> dict[str, int]:
        """The request's status and its queries on each server (counted per connection alias)."""
        client = Client()
        client.force_login(org.users[user])
        counts = {"default": 0, "replica": 0}

        def counter(alias: str):  # type: ignore[no-untyped-def]
            def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
                counts[alias] += 1
                return execute(sql, params, many, context)

            return wrapper

        with (
            connections["default"].execute_wrapper(counter("default")),
            connections["replica"].execute_wrapper(counter("replica")),
        ):
            response = client.get(path)
        return {
            "status": response.status_code,
            "primary_queries": counts["default"],
            "replica_queries": counts["replica"],
        }

    dashboard = on_standby("/analytics/", "leader")
    workbench = on_standby("/", "dispatcher")
    # the standby really is one: it refuses a write
    try:
        standby.execute("CREATE TABLE refused (id int)")
        read_only = False
    except psycopg.errors.ReadOnlySqlTransaction:
        read_only = True
    standby.close()
    return {
        "cases_registered": Case.objects.count(),
        "replica_lag_ms_median": round(statistics.median(lags) * 1000, 2),
        "replica_lag_ms_max": round(max(lags) * 1000, 2),
        "standby_refuses_writes": read_only,
        "dashboard": dashboard,
        "workbench": workbench,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.cases), ensure_ascii=False))
        return 0
    base = Path(tempfile.mkdtemp(prefix="huiyin-replica-"))
    try:
        clusters(base)
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PRIMARY}/huiyin",
            "HUIYIN_REPLICA_URL": f"postgres://postgres@127.0.0.1:{STANDBY}/huiyin",
            "HUIYIN_DEBUG": "1",  # pages render without collectstatic; this measures where reads go
        }
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(PRIMARY), "-U", "postgres", "-c", "CREATE DATABASE huiyin"],
            check=True,
            capture_output=True,
        )
        return subprocess.run(
            [sys.executable, "-m", "bench.replica", "--child", "--cases", str(args.cases)],
            env=env,
            cwd=REPO,
            check=False,
        ).returncode
    finally:
        stop(base)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
