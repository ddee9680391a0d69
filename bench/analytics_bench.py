"""Dashboard figures from the roll-ups against the same figures computed directly from the case,
event and clock tables, on SQLite and PostgreSQL.

    python -m bench.analytics_bench [--cases 100000] [--backends sqlite,postgres] [--repeat 5]

Each backend runs in its own process on a fresh database (SQLite file under /tmp; PostgreSQL database
`huiyin_analytics_bench`, created beside $HUIYIN_BENCH_PG_ADMIN and dropped afterwards), migrated by the
real migrations. Data: the demo organisation and --cases cases over two years (bench.seed's bulk path:
a registration event and a handling clock each), the finished ones with their clock stopped on time or
late, a reply and, for half of them, a rating. Timed: the roll-up rebuild; a full dashboard page's
tables (dashboard.staff_tables, every figure from the roll-ups) for one month; and every registered
metric computed directly (registry.compute) for the same month and for the whole two years. Prints
one JSON line per backend (median seconds of --repeat runs).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

PG_ADMIN_URL = os.environ.get("HUIYIN_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "huiyin_analytics_bench"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _finish(rng: random.Random) -> None:
    """Stop the clocks of finished cases and give them a reply and (half) a rating, in bulk."""
    from django.utils import timezone

    from huiyin.cases.choices import Status
    from huiyin.cases.models import Case, CaseEvent
    from huiyin.workflow.choices import ClockKind, ClockState
    from huiyin.workflow.models import Clock

    done = Case.objects.filter(status__in=(Status.CLOSED, Status.FINAL, Status.REPLIED)).values_list(
        "pk", "registered_at", "handling_unit_id"
    )
    clocks, events = [], []
    for pk, registered, unit in done.iterator(chunk_size=5000):
        started = timezone.localtime(registered).date()
        took = rng.randint(5, 75)
        stopped = started + timedelta(days=took)
        clocks.append(
            Clock(
                case_id=pk,
                kind=ClockKind.HANDLING,
                unit_id=unit,
                rule_days=60,
                rule_unit="calendar_day",
                trigger="accept",
                started_on=started,
                due_on=started + timedelta(days=60),
                warn_on=started + timedelta(days=40),
                stopped_on=stopped,
                state=ClockState.MET if took <= 60 else ClockState.LATE,
            )
        )
        replied = registered + timedelta(days=took)
        events.append(CaseEvent(case_id=pk, event_type="reply", actor_unit_id=unit, created_at=replied))
        if rng.random() < 0.5:
            events.append(
                CaseEvent(
                    case_id=pk,
                    event_type="rate",
                    created_at=replied + timedelta(days=3),
                    data={
                        "rating": rng.choice(["satisfied", "basically", "dissatisfied"]),
                        "solved": rng.random() < 0.7,
                    },
                )
            )
        if len(events) >= 5000:
            Clock.objects.bulk_create(clocks)
            CaseEvent.objects.bulk_create(events)
            clocks, events = [], []
    Clock.objects.bulk_create(clocks)
    CaseEvent.objects.bulk_create(events)


def _median(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 4)


def child(backend: str, cases: int, repeat: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from bench.seed import _bulk_cases
    from huiyin.analytics import dashboard, selectors, services
    from huiyin.analytics.registry import Filters, all_metrics, compute
    from huiyin.core import timeutil
    from huiyin.core.management.dbstats import refresh_planner_statistics
    from huiyin.demo.org import build_org, build_users

    rng = random.Random(1)
    started = time.monotonic()
    with transaction.atomic():
        org = build_org(1)
        build_users(org)
        _bulk_cases(org, rng, cases)
        _finish(rng)
    refresh_planner_statistics()
    if backend == "postgres":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seeded = time.monotonic() - started

    t0 = time.perf_counter()
    rebuilt = services.rollup_rebuild()
    rebuild = time.perf_counter() - t0
    t0 = time.perf_counter()
    services.rollup_refresh(force=True)
    refresh = time.perf_counter() - t0

    today = timeutil.today()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    start, end = dashboard.period_of(month)
    viewer = selectors.Viewer("all", "全部辖区")
    f_month = Filters(start=start, end=end)
    f_years = Filters(start=today - timedelta(days=730), end=today)

    def page() -> None:
        ctx = dashboard.Context(f_month, viewer, {})
        dashboard.staff_tables(ctx, None, None)

    def direct(f: Filters) -> None:
        for m in all_metrics():
            compute(m, f)

    def rolled(f: Filters) -> None:
        selectors.figures(f)

    result = {
        "backend": backend,
        "cases": cases,
        "seed_s": round(seeded, 1),
        "rollup_rows": rebuilt["facts"],
        "rollup_rebuild_s": round(rebuild, 2),
        "rollup_refresh_two_months_s": round(refresh, 2),
        "dashboard_page_tables_s": _median(page, repeat),
        "metrics_month_from_rollups_s": _median(lambda: rolled(f_month), repeat),
        "metrics_month_direct_s": _median(lambda: direct(f_month), repeat),
        "metrics_two_years_from_rollups_s": _median(lambda: rolled(f_years), repeat),
        "metrics_two_years_direct_s": _median(lambda: direct(f_years), repeat),
    }
    # the two must agree, or the comparison means nothing
    for f in (f_month, f_years):
        got = selectors.figures(f)
        for m in all_metrics():
            want = compute(m, f)
            assert (got[m.key].num, got[m.key].den) == (want.num, want.den), (m.key, f)
    result["ratio_two_years_direct_over_rollups"] = round(
        result["metrics_two_years_direct_s"] / max(result["metrics_two_years_from_rollups_s"], 1e-6), 1
    )
    print(json.dumps(result, ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.cases, args.repeat)
        return 0
    status = 0
    for backend in args.backends.split(","):
        env = dict(os.environ)
        if backend == "sqlite":
            path = os.path.join(tempfile.mkdtemp(prefix="huiyin-analytics-bench-"), "bench.sqlite3")
            env["DATABASE_URL"] = f"sqlite:///{path}"
        else:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
            _pg_admin(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"
        try:
            cmd = [
                sys.executable,
                "-m",
                "bench.analytics_bench",
                "--child",
                backend,
                "--cases",
                str(args.cases),
                "--repeat",
                str(args.repeat),
            ]
            status |= subprocess.run(cmd, env=env, check=False).returncode
        finally:
            if backend == "postgres":
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
