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

At province scale, on a database `bench.generate` filled (1M cases and more), without seeding or
dropping anything:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin_bench1m python -m bench.analytics_bench --existing

times the roll-up rebuild; then side by side (A B A B) the leader's dashboard (every staff table) and the
monthly 通报 (.docx and .xlsx) reading whole months from the monthly roll-up against the same two from
the daily roll-up alone (`daily_only()` below), and the parts of the 通报; then the two from the
roll-ups against the same two with every figure and breakdown computed directly from the case, event
and clock tables (`direct()` below swaps the roll-up reads for registry aggregates); and the two with
the chart-grain roll-up against the same two without it (`monthly_only()`: whole months from the
monthly rows), with each staff table timed alone both ways. All four must produce the same tables.
`--rebuild-chart` first rebuilds (and times) the chart-grain rows of every month from the monthly ones
(done anyway when there are none). The 通报's .xlsx is also timed A B A B against the workbook openpyxl
wrote cell by cell before (`openpyxl_bulletin_xlsx`), after checking both hold the same cells.
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
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def direct() -> Iterator[None]:
    """The dashboard's roll-up reads (selectors.figures / breakdown / breakdown_many) answered from the
    source tables instead: the same metric definitions (registry.source_rows, dimension_q), grouped by
    the dimension asked for. What the pages would cost without roll-ups."""
    from django.db.models import F, Value
    from django.db.models.functions import TruncMonth

    from huiyin.analytics import selectors
    from huiyin.analytics.registry import (
        _aggregates,
        all_metrics,
        compute,
        dimension_q,
        get_metric,
        source_rows,
    )

    def rows(metric, f):  # type: ignore[no-untyped-def]
        return source_rows(metric, f.start, f.end).filter(
            dimension_q(
                f, case_path=metric.case_path, unit_field=metric.unit_field, territory=metric.territory
            )
        )

    def field(metric, by):  # type: ignore[no-untyped-def]
        p = metric.case_path
        name = {
            "unit": metric.unit_field,
            "territory": f"{metric.territory}_id" if metric.territory else None,
            "category": f"{p}category_id" if p is not None else None,
            "petition_type": f"{p}petition_type" if p is not None else None,
            "channel": f"{p}channel" if p is not None else None,
        }[by]
        return F(name) if name else Value(None)

    def figures(f, metrics=None):  # type: ignore[no-untyped-def]
        return {m.key: compute(m, f) for m in (metrics if metrics is not None else all_metrics())}

    def breakdown(f, metric, by, *, monthly=False):  # type: ignore[no-untyped-def]
        m = get_metric(metric)
        keys = {}
        if by is not None:
            keys["k"] = field(m, by)
        if monthly:
            keys["m"] = TruncMonth("_day")
        out = []
        for r in rows(m, f).values(**keys).annotate(**_aggregates(m)).order_by():
            r = dict(r)
            if by in ("petition_type", "channel") and r.get("k") is None:
                r["k"] = ""
            out.append(r)
        return out

    def breakdown_many(f, metrics, by):  # type: ignore[no-untyped-def]
        return {
            key: {r["k"]: (int(r["num"] or 0), int(r["den"] or 0)) for r in breakdown(f, key, by)}
            for key in metrics
        }

    saved = selectors.figures, selectors.breakdown, selectors.breakdown_many
    selectors.figures, selectors.breakdown, selectors.breakdown_many = figures, breakdown, breakdown_many
    try:
        yield
    finally:
        selectors.figures, selectors.breakdown, selectors.breakdown_many = saved


@contextmanager
def monthly_only() -> Iterator[None]:
    """Every roll-up read as before the chart-grain roll-up: whole months summed from the monthly rows."""
    from huiyin.analytics import selectors

    saved = selectors.chart_scope_q
    selectors.chart_scope_q = lambda f: None
    try:
        yield
    finally:
        selectors.chart_scope_q = saved


@contextmanager
def daily_only() -> Iterator[None]:
    """Every roll-up read as before the monthly roll-up: the whole period summed from the daily rows."""
    from huiyin.analytics import selectors

    saved = selectors.fact_parts
    selectors.fact_parts = lambda start, end: selectors.FactParts(None, ((start, end),))
    try:
        yield
    finally:
        selectors.fact_parts = saved


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


def _pairs(a, b, repeat: int) -> tuple[float, float, list[float]]:  # type: ignore[no-untyped-def]
    """A B A B …: medians of each and the per-pair ratios b / a."""
    ta, tb = [], []
    for _ in range(repeat):
        for fn, out in ((a, ta), (b, tb)):
            started = time.perf_counter()
            fn()
            out.append(time.perf_counter() - started)
    ratios = [round(y / x, 1) for x, y in zip(ta, tb, strict=True)]
    return round(statistics.median(ta), 3), round(statistics.median(tb), 3), ratios


def openpyxl_bulletin_xlsx(b) -> bytes:  # type: ignore[no-untyped-def]
    """The 通报's workbook as documents.bulletin_xlsx wrote it before t21, cell by cell through openpyxl
    (the reference the direct writer is timed and compared against)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from huiyin.core.xlsx import workbook_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "通报"
    ws.append([b.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([b.number])
    ws.append([b.summary])
    for s in b.sections:
        sheet = wb.create_sheet(s.title[:31])
        sheet.append(s.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in s.rows:
            sheet.append(row)
        if s.note:
            sheet.append([])
            sheet.append([s.note])
    sheet = wb.create_sheet("每月一题")
    sheet.append(["类别", "问题分类", "本月件数", "前三月平均", "增加", "涉及单位"])
    for key, label in (("frequent", "反映最多"), ("rising", "上升最快")):
        t = b.topic.get(key)
        if t:
            sheet.append([label, t["category"], t["count"], t["before"], t["rise"], "、".join(t["units"])])
    return workbook_bytes(wb)


def _cells(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def on_existing(repeat: int, rebuild: bool, rebuild_chart: bool = False) -> None:
    """The dashboard and the 通报 on a database bench.generate filled: roll-ups against direct."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from huiyin.analytics import dashboard, documents, services
    from huiyin.analytics.models import ChartFact, DailyFact, MonthlyFact
    from huiyin.cases.models import Case
    from huiyin.core import timeutil

    result: dict[str, object] = {"backend": connection.vendor}
    result["cases"] = Case.objects.count()
    result["load_average_1min_at_start"] = round(os.getloadavg()[0], 1)
    if rebuild or not DailyFact.objects.exists():
        t0 = time.perf_counter()
        rebuilt = services.rollup_rebuild()
        result["rollup_rebuild_s"] = round(time.perf_counter() - t0, 1)
        result["rollup_rows"] = rebuilt["facts"]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE analytics_dailyfact")
                cursor.execute("ANALYZE analytics_monthlyfact")
    result["monthly_rows"] = MonthlyFact.objects.count()
    if rebuild_chart or not ChartFact.objects.exists():
        months = list(MonthlyFact.objects.values_list("month", flat=True).distinct().order_by("month"))
        t0 = time.perf_counter()
        with transaction.atomic():
            for m in months:
                services.rollup_chart_month(m)
        result["chart_rollup_build_s"] = round(time.perf_counter() - t0, 1)
        result["chart_rollup_months"] = len(months)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE analytics_chartfact")
    result["chart_rows"] = ChartFact.objects.count()
    t0 = time.perf_counter()
    services.rollup_refresh(force=True)
    result["rollup_refresh_two_months_s"] = round(time.perf_counter() - t0, 2)

    county = documents.office_territories()[0]  # the top office's territory (ordered by path)
    month = services.previous_month(timeutil.today())
    start, end = dashboard.period_of(month)
    f, viewer = documents.document_filters(county, start, end)

    def page() -> list[list[list[object]]]:
        ctx = dashboard.Context(f, viewer, {})
        return [t.rows for t in dashboard.staff_tables(ctx, county, None)]

    def bulletin() -> tuple[object, ...]:
        b = documents.bulletin_build(county, month)
        documents.bulletin_docx(b)
        documents.bulletin_xlsx(b)
        return tuple((s.title, s.rows) for s in b.sections)

    with direct():
        same_page, same_bulletin = page(), bulletin()
    assert page() == same_page, "the dashboard from the roll-ups differs from the direct figures"
    assert bulletin() == same_bulletin, "the 通报 from the roll-ups differs from the direct figures"
    with daily_only():
        assert page() == same_page, "the dashboard from the daily roll-up alone differs"
        assert bulletin() == same_bulletin, "the 通报 from the daily roll-up alone differs"
    with monthly_only():
        assert page() == same_page, "the dashboard without the chart-grain roll-up differs"
        assert bulletin() == same_bulletin, "the 通报 without the chart-grain roll-up differs"

    def monthly_page() -> None:
        with monthly_only():
            page()

    def monthly_bulletin() -> None:
        with monthly_only():
            bulletin()

    def tables(ctx_factory):  # type: ignore[no-untyped-def]
        """Each staff table on its own, a fresh Context each (the territory tables share a read)."""
        from huiyin.analytics import selectors

        return {
            "figures+metrics": lambda: dashboard.metrics_table(ctx_factory(), selectors.figures(f)),
            "volume_by_channel": lambda: dashboard.monthly_channel_table(ctx_factory()),
            "volume_by_type": lambda: dashboard.by_type_table(ctx_factory()),
            "volume_by_category": lambda: dashboard.by_category_table(ctx_factory()),
            "volume_by_territory": lambda: dashboard.by_territory_table(ctx_factory(), county),
            "backlog": lambda: dashboard.backlog_table(ctx_factory(), None),
            "rising": lambda: dashboard.rising_table(ctx_factory()),
            "territory_heat": lambda: dashboard.heat_table(ctx_factory(), county),
            "rankings": lambda: dashboard.rankings_table(ctx_factory()),
            "territory_rankings": lambda: dashboard.territory_rankings_table(ctx_factory(), county),
        }

    per_table = tables(lambda: dashboard.Context(f, viewer, {}))
    result["dashboard_tables_chart_s"] = {k: _median(fn, repeat) for k, fn in per_table.items()}
    with monthly_only():
        result["dashboard_tables_monthly_s"] = {k: _median(fn, repeat) for k, fn in per_table.items()}
    rolled, monthly, ratios = _pairs(page, monthly_page, repeat)
    result |= {
        "dashboard_chart_s": rolled,
        "dashboard_monthly_only_s": monthly,
        "dashboard_monthly_over_chart": ratios,
    }
    rolled, monthly, ratios = _pairs(bulletin, monthly_bulletin, repeat)
    result |= {
        "bulletin_chart_s": rolled,
        "bulletin_monthly_only_s": monthly,
        "bulletin_monthly_over_chart": ratios,
    }

    def daily_page() -> None:
        with daily_only():
            page()

    def daily_bulletin() -> None:
        with daily_only():
            bulletin()

    built = documents.bulletin_build(county, month)
    parts = {
        "build": lambda: documents.bulletin_build(county, month),
        "overdue_rows": lambda: documents.overdue_rows(f),
        "supervision_rows": lambda: documents.supervision_rows(f),
        "monthly_topic": lambda: documents.monthly_topic(dashboard.Context(f, viewer, {}, drill=False)),
        "docx": lambda: documents.bulletin_docx(built),
        "xlsx": lambda: documents.bulletin_xlsx(built),
    }
    result["bulletin_parts_s"] = {name: _median(step, repeat) for name, step in parts.items()}
    assert _cells(documents.bulletin_xlsx(built)) == _cells(openpyxl_bulletin_xlsx(built)), (
        "the .xlsx differs"
    )
    direct_xlsx, openpyxl_xlsx, ratios = _pairs(
        lambda: documents.bulletin_xlsx(built), lambda: openpyxl_bulletin_xlsx(built), repeat
    )
    result |= {"xlsx_s": direct_xlsx, "xlsx_openpyxl_s": openpyxl_xlsx, "xlsx_openpyxl_over_direct": ratios}
    result["bulletin_rows"] = {s.title: len(s.rows) for s in built.sections}
    rolled, daily, ratios = _pairs(page, daily_page, repeat)
    result |= {
        "dashboard_monthly_s": rolled,
        "dashboard_daily_only_s": daily,
        "dashboard_daily_over_monthly": ratios,
    }
    rolled, daily, ratios = _pairs(bulletin, daily_bulletin, repeat)
    result |= {
        "bulletin_monthly_s": rolled,
        "bulletin_daily_only_s": daily,
        "bulletin_daily_over_monthly": ratios,
    }

    def direct_page() -> None:
        with direct():
            page()

    def direct_bulletin() -> None:
        with direct():
            bulletin()

    rolled, straight, ratios = _pairs(page, direct_page, repeat)
    result |= {
        "dashboard_rollups_s": rolled,
        "dashboard_direct_s": straight,
        "dashboard_ratio_per_pair": ratios,
    }
    rolled, straight, ratios = _pairs(bulletin, direct_bulletin, repeat)
    result |= {"bulletin_rollups_s": rolled, "bulletin_direct_s": straight, "bulletin_ratio_per_pair": ratios}
    result["goal"] = "dashboard < 0.3 s, 通报 < 5 s (PostgreSQL, with roll-ups)"
    result["load_average_1min"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result, ensure_ascii=False, default=str))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--existing", action="store_true", help="time on $DATABASE_URL as it is (bench.generate)"
    )
    parser.add_argument("--rebuild", action="store_true", help="with --existing: rebuild the roll-ups first")
    parser.add_argument(
        "--rebuild-chart",
        action="store_true",
        help="with --existing: rebuild the chart-grain roll-up from the monthly rows first (timed)",
    )
    args = parser.parse_args()
    if args.existing:
        on_existing(args.repeat, args.rebuild, args.rebuild_chart)
        return 0
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
