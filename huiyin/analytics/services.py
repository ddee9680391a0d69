"""Writes of analytics: the working-day calendar table, the daily and monthly roll-ups (kept by the
worker, rebuilt by `manage.py analytics_rebuild`), the backlog snapshot and closing a month.

Incremental: each run recomputes only the days of the months still open within the window (this month
and the last, by default) and only when a case event arrived since the last run or the day changed;
closed months are never rewritten (a closed month's ranking does not move when a late event arrives:
the late event is counted on its own day). Within the window a run is delete-and-insert in one
transaction, so a reader sees the old figures or the new ones, never half. The monthly rows of every
month a run recomputes are summed from its daily rows in the same transaction, so the two never disagree.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from huiyin.analytics.models import (
    BacklogSnapshot,
    CalendarDay,
    ChartFact,
    ClosedMonth,
    DailyFact,
    MonthlyFact,
    RollupState,
)
from huiyin.analytics.registry import DIMENSION_FIELDS, Metric, all_metrics, grouped_query
from huiyin.core import timeutil
from huiyin.core.calendar import current_calendar
from huiyin.core.errors import ValidationFailed
from huiyin.org.models import User

CALENDAR_EPOCH = date(2000, 1, 1)
MIN_INTERVAL_SECONDS = 300  # the worker ticks every minute; roll-ups need not follow every tick
BATCH = 5000


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


def next_month(day: date) -> date:
    return month_start(month_start(day) + timedelta(days=32))


# --- the working-day calendar ------------------------------------------------------------------


def calendar_ensure(until: date, since: date | None = None) -> int:
    """Make sure CalendarDay holds every day from the epoch (or `since`, if earlier) to `until`; return
    how many days were added. The sequence counts working days from the first stored day."""
    first = CalendarDay.objects.aggregate(first=Min("day"), last=Max("day"))
    start = min(since or CALENDAR_EPOCH, CALENDAR_EPOCH)
    if first["first"] is not None and first["first"] > start:
        CalendarDay.objects.all().delete()  # an earlier start shifts every sequence number: rebuild
        first = {"first": None, "last": None}
    last = first["last"]
    if last is not None and last >= until:
        return 0
    cal = current_calendar()
    if last is None:
        day, seq = start - timedelta(days=1), 0
    else:
        day = last
        seq = CalendarDay.objects.get(day=last).workday_seq
    rows = []
    while day < until:
        day += timedelta(days=1)
        work = cal.is_workday(day)
        seq += int(work)
        rows.append(CalendarDay(day=day, is_workday=work, workday_seq=seq))
    CalendarDay.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def calendar_reset() -> None:
    """Forget the calendar table (after the holiday overrides changed); the next roll-up refills it."""
    CalendarDay.objects.all().delete()


# --- roll-ups ----------------------------------------------------------------------------------


def closed_months() -> set[date]:
    return set(ClosedMonth.objects.values_list("month", flat=True))


def open_spans(start: date, end: date, closed: set[date]) -> list[tuple[date, date]]:
    """The runs of days in [start, end] that lie in months not closed."""
    spans: list[tuple[date, date]] = []
    month = month_start(start)
    while month <= end:
        lo, hi = max(month, start), min(next_month(month) - timedelta(days=1), end)
        if month not in closed:
            if spans and spans[-1][1] == lo - timedelta(days=1):
                spans[-1] = (spans[-1][0], hi)
            else:
                spans.append((lo, hi))
        month = next_month(month)
    return spans


_DIMENSION_COLUMNS = ("metric", "unit_id", "territory_id", "petition_type", "category_id", "channel")


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _columns(names: tuple[str, ...]) -> str:
    return ", ".join(connection.ops.quote_name(c) for c in names)


def _insert_daily(metric: Metric, start: date, end: date) -> int:
    """Write `metric`'s daily rows for [start, end] with one INSERT … SELECT of its grouped aggregate
    (registry.grouped_query): the rows never travel through Python, which made the rebuild slow."""
    sql, params = grouped_query(metric, start, end).query.sql_with_params()
    q = connection.ops.quote_name

    def key(alias: str, field: str) -> str:
        # a metric without a case selects a bare NULL, which PostgreSQL would type as text
        return f"CAST(s.{q(alias)} AS {DailyFact._meta.get_field(field).db_type(connection)})"

    picked = (
        f"s.{q('_day')}, %s, {key('_unit', 'unit')}, {key('_territory', 'territory')}, "
        f"COALESCE(s.{q('_type')}, ''), {key('_category', 'category')}, COALESCE(s.{q('_channel')}, ''), "
        f"COALESCE(s.{q('num')}, 0), COALESCE(s.{q('den')}, 0)"
    )
    columns = _columns(("day", *_DIMENSION_COLUMNS, "num", "den"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(DailyFact)} ({columns}) SELECT {picked} FROM ({sql}) s",
            (metric.key, *params),
        )
        return max(cursor.rowcount, 0)


def months_of(start: date, end: date) -> list[date]:
    """The first days of the months that [start, end] touches."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def rollup_month(month: date) -> int:
    """Recompute `month`'s MonthlyFact rows from its DailyFact rows (one INSERT … SELECT … GROUP BY);
    return the rows written. Callers hold the roll-up lock (rollup_days) and respect closed months."""
    adapt = connection.ops.adapt_datefield_value
    q = connection.ops.quote_name
    month = month_start(month)
    MonthlyFact.objects.filter(month=month).delete()
    dims = _columns(_DIMENSION_COLUMNS)
    columns = _columns(("month", *_DIMENSION_COLUMNS, "num", "den"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(MonthlyFact)} ({columns}) "
            f"SELECT %s, {dims}, SUM({q('num')}), SUM({q('den')}) FROM {_table(DailyFact)} "
            f"WHERE {q('day')} >= %s AND {q('day')} <= %s GROUP BY {dims}",
            (adapt(month), adapt(month), adapt(next_month(month) - timedelta(days=1))),
        )
        written = max(cursor.rowcount, 0)
    rollup_chart_month(month)
    return written


# The dimensions a chart row keeps (selectors.DIMENSIONS' names and columns); "" keeps none.
CHART_DIMENSIONS = {
    "": None,
    "channel": "channel",
    "petition_type": "petition_type",
    "category": "category_id",
    "territory": "territory_id",
    "unit": "unit_id",
}

# Which metrics the chart rows hold per dimension (None: every metric): what the dashboards read over
# whole months (dashboard.py: the twelve-month channel chart, the type and category charts and the
# rising categories count registrations; the territory tables read three figures, the unit ranking
# three). A read of another metric by a dimension sums the monthly rows (selectors.chart_scope_q). Every
# metric by category would be as many rows as the monthly table (307 categories × 17 metrics × scopes).
CHART_GRAIN: dict[str, tuple[str, ...] | None] = {
    "": None,
    "channel": ("registered",),
    "petition_type": ("registered",),
    "category": ("registered",),
    "territory": ("registered", "handled_on_time", "repeat_rate"),
    "unit": ("answered", "handled_on_time", "satisfaction_rate"),
}


def _chart_sql() -> tuple[str, list[Any]]:
    """The INSERT … SELECT of one month's ChartFact rows from its MonthlyFact rows, with the parameters
    after the month's (the caller puts the month first). Each (problem territory, unit) pair of the
    month counts once for every territory its territory or its unit's territory lies in or under (the
    UNION of the two ancestor chains: a case under a leader's territory both ways is not counted
    twice), once for its unit and once for everyone (`scopes`); each dimension's monthly rows are summed
    per (metric, territory, unit, value) first, then per scope. Ancestors follow `parent` (a Territory's
    path is its parent's path and its code, so "under" by parent is selectors' prefix match on paths)."""
    from huiyin.org.models import Territory, Unit

    q = connection.ops.quote_name
    territory, unit = _table(Territory), _table(Unit)
    t_id, u_id = q("territory_id"), q("unit_id")

    def null(field: str) -> str:
        return f"CAST(NULL AS {ChartFact._meta.get_field(field).db_type(connection)})"

    selects: list[str] = []
    params: list[str | None] = []
    for name, column in CHART_DIMENSIONS.items():
        metrics = CHART_GRAIN[name]
        empty = {
            "unit_id": null("unit"),
            "territory_id": null("territory"),
            "petition_type": "''",
            "category_id": null("category"),
            "channel": "''",
        }
        kept = [column] if column not in (None, "territory_id", "unit_id") else []
        inner = ", ".join([q("metric"), t_id, u_id, *(q(c) for c in kept)])
        if column is not None:
            empty[column] = f"g.{q(column)}"
        params.append(None)  # the month's place in this SELECT (the caller fills it)
        where = ""
        if metrics is not None:
            where = f"WHERE {q('metric')} IN ({', '.join(['%s'] * len(metrics))}) "
            params += list(metrics)
        group = ["g." + q("metric"), "sc.st", "sc.su", *([f"g.{q(column)}"] if column else [])]
        selects.append(
            f"SELECT %s, '{name}', sc.st, sc.su, g.{q('metric')}, "
            f"{', '.join(empty[c] for c in ('unit_id', 'territory_id', 'petition_type', 'category_id', 'channel'))}, "
            f"SUM(g.{q('num')}), SUM(g.{q('den')}) "
            f"FROM (SELECT {inner}, SUM({q('num')}) AS {q('num')}, SUM({q('den')}) AS {q('den')} FROM m "
            f"{where}GROUP BY {inner}) g JOIN scopes sc "
            f"ON sc.t = COALESCE(g.{t_id}, 0) AND sc.u = COALESCE(g.{u_id}, 0) "
            f"GROUP BY {', '.join(group)}"
        )
    columns = _columns(
        ("month", "dimension", "scope_territory_id", "scope_unit_id", *_DIMENSION_COLUMNS, "num", "den")
    )
    sql = (
        f"WITH RECURSIVE m AS (SELECT {q('metric')}, {_columns(DIMENSION_FIELDS)}, {q('num')}, {q('den')} "
        f"FROM {_table(MonthlyFact)} WHERE {q('month')} = %s), "
        # (territory, ancestor or itself) for every territory of the month's rows and of their units
        f"up (t, a) AS (SELECT id, id FROM {territory} WHERE id IN "
        f"(SELECT {t_id} FROM m UNION SELECT un.{t_id} FROM {unit} un WHERE un.id IN (SELECT {u_id} FROM m)) "
        f"UNION ALL SELECT up.t, p.{q('parent_id')} FROM up JOIN {territory} p ON p.id = up.a "
        f"WHERE p.{q('parent_id')} IS NOT NULL), "
        f"pairs AS (SELECT DISTINCT COALESCE({t_id}, 0) AS t, COALESCE({u_id}, 0) AS u FROM m), "
        # every scope a (territory, unit) pair counts for, once each (UNION, not UNION ALL)
        f"scopes (t, u, st, su) AS (SELECT pairs.t, pairs.u, up.a, {null('scope_unit')} FROM pairs "
        f"JOIN up ON up.t = pairs.t "
        f"UNION SELECT pairs.t, pairs.u, up.a, {null('scope_unit')} FROM pairs "
        f"JOIN {unit} un ON un.id = pairs.u JOIN up ON up.t = un.{t_id} "
        f"UNION SELECT t, u, {null('scope_territory')}, u FROM pairs WHERE u <> 0 "
        f"UNION SELECT t, u, {null('scope_territory')}, {null('scope_unit')} FROM pairs) "
        f"INSERT INTO {_table(ChartFact)} ({columns}) {' UNION ALL '.join(selects)}"
    )
    return sql, params


def rollup_chart_month(month: date) -> int:
    """Recompute `month`'s ChartFact rows from its MonthlyFact rows (one INSERT … SELECT); return the
    rows written. Called by rollup_month, inside the caller's transaction, right after the monthly rows."""
    month = month_start(month)
    ChartFact.objects.filter(month=month).delete()
    value = connection.ops.adapt_datefield_value(month)
    sql, params = _chart_sql()
    with connection.cursor() as cursor:
        jit = None
        if connection.vendor == "postgresql":
            # the recursive CTE's row estimate (×350) crosses jit_above_cost: 0.17 s of JIT for a few ms
            cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
            jit = cursor.fetchone()[0]
        cursor.execute(sql, [value, *(value if p is None else p for p in params)])
        written = max(cursor.rowcount, 0)
        if jit is not None:
            cursor.execute("SELECT set_config('jit', %s, true)", [jit])
        return written


def rollup_days(start: date, end: date, *, respect_closed: bool = True) -> int:
    """Recompute the roll-ups of every metric for the days in [start, end] (skipping closed months), and
    the monthly roll-up of every month recomputed, in one transaction; return the daily rows written."""
    today = timeutil.today()
    calendar_ensure(max(end, today))
    closed = closed_months() if respect_closed else set()
    written = 0
    RollupState.objects.get_or_create(key="daily")
    with transaction.atomic():
        # one writer of the roll-ups at a time: two workers (or the import's refresh beside the worker's)
        # deleting and re-inserting the same days at once would each insert them (read committed).
        # PostgreSQL: this row's lock; SQLite: the IMMEDIATE transaction's write lock (ADR 0002).
        RollupState.objects.select_for_update().filter(key="daily").first()
        for lo, hi in open_spans(start, end, closed):
            DailyFact.objects.filter(day__gte=lo, day__lte=hi).delete()
            for metric in all_metrics():
                written += _insert_daily(metric, lo, hi)
            # a month's row is the sum of all its days, also those outside [lo, hi] (not rewritten)
            for month in months_of(lo, hi):
                rollup_month(month)
    return written


def backlog_snapshot(day: date | None = None) -> int:
    """Store each unit's open work as of `day` (today): cases with a live duty clock of the unit, and of
    those the ones whose clock is yellow or red (windows, which are the petitioner's, never count)."""
    from huiyin.workflow.choices import WINDOW_KINDS, ClockState
    from huiyin.workflow.models import Clock

    day = day or timeutil.today()
    live = (ClockState.RUNNING, ClockState.YELLOW, ClockState.RED, ClockState.PAUSED)
    rows = (
        Clock.objects.filter(state__in=live, unit__isnull=False)
        .exclude(kind__in=WINDOW_KINDS)
        .values("unit_id")
        .annotate(
            open=Count("case_id", distinct=True),
            due_soon=Count("case_id", distinct=True, filter=Q(state=ClockState.YELLOW)),
            overdue=Count("case_id", distinct=True, filter=Q(state=ClockState.RED)),
        )
        .order_by()
    )
    with transaction.atomic():
        BacklogSnapshot.objects.filter(day=day).delete()
        made = BacklogSnapshot.objects.bulk_create(
            BacklogSnapshot(
                day=day, unit_id=r["unit_id"], open=r["open"], due_soon=r["due_soon"], overdue=r["overdue"]
            )
            for r in rows
        )
    return len(made)


def rollup_refresh(*, force: bool = False) -> dict[str, Any]:
    """The worker's job: if a case event arrived since the last run (or the day changed, or `force`),
    recompute this month and the last (open months only) and today's backlog snapshot."""
    from huiyin.cases.models import CaseEvent

    now = timeutil.now()
    today = timeutil.today()
    state, created = RollupState.objects.get_or_create(key="daily")
    if created or state.last_day is None:
        return rollup_rebuild()  # the first run on an existing database: every month, not just two
    last_event = CaseEvent.objects.aggregate(last=Max("id"))["last"] or 0
    unchanged = last_event == state.last_event_id and state.last_day == today
    recent = (
        state.computed_at is not None and (now - state.computed_at).total_seconds() < MIN_INTERVAL_SECONDS
    )
    if not force and (unchanged or recent):
        return {"skipped": 1}
    start = previous_month(today)
    written = rollup_days(start, today)
    units = backlog_snapshot(today)
    RollupState.objects.filter(key="daily").update(last_event_id=last_event, last_day=today, computed_at=now)
    return {"facts": written, "backlog_units": units}


def rollup_rebuild(*, since: date | None = None, include_closed: bool = False) -> dict[str, Any]:
    """Recompute every day from the first case (or `since`) to today; closed months stay frozen unless
    `include_closed` (an administrator's explicit correction)."""
    from huiyin.cases.models import Case

    today = timeutil.today()
    first = since
    if first is None:
        earliest = Case.objects.aggregate(first=Min("registered_at"))["first"]
        first = today if earliest is None else timezone.localtime(earliest).date()
    written = 0
    month = month_start(first)
    while month <= today:  # a quarter at a time: each its own transaction, memory stays flat
        last = min(next_month(next_month(next_month(month))) - timedelta(days=1), today)
        written += rollup_days(max(month, first), last, respect_closed=not include_closed)
        month = next_month(last)
    units = backlog_snapshot(today)
    if connection.vendor == "postgresql":
        # every roll-up row is new: without fresh statistics until autovacuum comes by, the planner
        # guesses a few dozen rows and sorts a twelve-month chart's 160k rows on disk (0.5 s, not 0.15 s)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_table(DailyFact)}, {_table(MonthlyFact)}, {_table(ChartFact)}")
    from huiyin.cases.models import CaseEvent

    last_event = CaseEvent.objects.aggregate(last=Max("id"))["last"] or 0
    RollupState.objects.update_or_create(
        key="daily", defaults={"last_event_id": last_event, "last_day": today, "computed_at": timeutil.now()}
    )
    return {"facts": written, "backlog_units": units, "since": first.isoformat()}


def month_close(*, month: date, actor: User | None) -> ClosedMonth:
    """Freeze a finished month: recompute it one last time, then never again (SPEC §3.7 红黑榜)."""
    month = month_start(month)
    if next_month(month) > timeutil.today():
        raise ValidationFailed("只能关闭已经结束的月份", extra={"fields": {"month": "该月尚未结束"}})
    if ClosedMonth.objects.filter(month=month).exists():
        raise ValidationFailed(f"{month:%Y年%m月}已关账", extra={"fields": {"month": "已关账"}})
    with transaction.atomic():
        rollup_days(month, next_month(month) - timedelta(days=1))
        return ClosedMonth.objects.create(month=month, closed_at=timeutil.now(), closed_by=actor)
