"""The monthly roll-up (MonthlyFact) on the autumn-2025 story (tests/story.py): its rows are always the
sums of the daily rows (after a rebuild, a refresh, a late event in an open and in a closed month), and
every figure, dashboard table and 通报 reads the same as from the daily rows alone."""

from __future__ import annotations

from collections import Counter
from datetime import date
from importlib import import_module
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from huiyin.analytics import dashboard, documents, selectors, services
from huiyin.analytics.models import DailyFact, MonthlyFact
from huiyin.analytics.registry import Filters, all_metrics, grouped
from huiyin.analytics.selectors import FactParts, fact_parts
from huiyin.analytics.tests import story as st
from huiyin.analytics.tests.test_metrics import people  # noqa: F401 (a fixture)

DIMS = ("metric", "unit_id", "territory_id", "petition_type", "category_id", "channel")
NOV, DEC = date(2025, 11, 1), date(2025, 12, 1)


@pytest.fixture
def autumn(clock, org, people):  # noqa: F811 (the fixture imported above)
    story = st.build(clock, org, people)
    clock.set(date(2025, 12, 1))
    return story


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def daily_sums() -> Counter[tuple[Any, ...]]:
    rows = DailyFact.objects.values(*DIMS, m=TruncMonth("day")).annotate(n=Sum("num"), d=Sum("den"))
    return Counter({(_as_date(r["m"]), *(r[k] for k in DIMS)): (r["n"], r["d"]) for r in rows.order_by()})


def monthly_rows() -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for r in MonthlyFact.objects.values("month", *DIMS, "num", "den"):
        key = (r["month"], *(r[k] for k in DIMS))
        assert key not in out, f"two monthly rows for {key}"
        out[key] = (r["num"], r["den"])
    return out


def assert_monthly_is_the_sum_of_daily() -> None:
    monthly, daily = monthly_rows(), daily_sums()
    assert monthly, "no monthly rows at all"
    assert monthly == daily


@pytest.fixture
def read_daily_only(monkeypatch):
    """Switch every reader to what it did before the monthly roll-up: the whole period from daily rows."""

    def switch() -> None:
        monkeypatch.setattr(selectors, "fact_parts", lambda start, end: FactParts(None, ((start, end),)))

    return switch


def test_whole_months_come_from_the_monthly_rows_and_partial_months_from_the_daily_ones():
    assert fact_parts(date(2025, 11, 1), date(2025, 11, 30)) == FactParts((NOV, NOV), ())
    assert fact_parts(date(2025, 8, 15), date(2025, 12, 10)) == FactParts(
        (date(2025, 9, 1), NOV), ((date(2025, 8, 15), date(2025, 8, 31)), (DEC, date(2025, 12, 10)))
    )
    assert fact_parts(date(2025, 11, 2), date(2025, 11, 30)) == FactParts(
        None, ((date(2025, 11, 2), date(2025, 11, 30)),)
    )
    assert fact_parts(date(2025, 12, 1), date(2025, 12, 3)) == FactParts(None, ((DEC, date(2025, 12, 3)),))
    assert fact_parts(date(2024, 12, 1), date(2025, 11, 30)) == FactParts((date(2024, 12, 1), NOV), ())
    assert fact_parts(date(2025, 1, 31), date(2025, 3, 1)) == FactParts(
        (date(2025, 2, 1), date(2025, 2, 1)),
        ((date(2025, 1, 31), date(2025, 1, 31)), (date(2025, 3, 1),) * 2),
    )


def test_after_a_rebuild_the_monthly_rows_are_the_sums_of_the_daily_rows(autumn):
    services.rollup_rebuild()
    assert MonthlyFact.objects.filter(month=date(2025, 8, 1), metric="registered").exists()
    assert_monthly_is_the_sum_of_daily()


def test_the_daily_rows_written_in_sql_are_the_grouped_rows_of_every_metric(autumn):
    services.rollup_rebuild()
    start, end = date(2025, 7, 1), date(2025, 12, 1)
    want = Counter(
        (r["day"], *(r[k] for k in DIMS), r["num"], r["den"])
        for m in all_metrics()
        for r in grouped(m, start, end)
    )
    got = Counter(DailyFact.objects.values_list("day", *DIMS, "num", "den"))
    assert got == want


def test_a_late_event_in_an_open_month_moves_the_monthly_rows_with_the_daily_ones(autumn, clock, people):  # noqa: F811
    services.rollup_refresh()  # the first run builds every month
    before = monthly_rows()
    st.rate_d_late(clock, people["clerk"], autumn)  # 12-02; D was answered in November, which is open
    services.rollup_refresh(force=True)
    assert_monthly_is_the_sum_of_daily()
    after = monthly_rows()
    assert after != before
    assert selectors.figures(Filters(start=NOV, end=date(2025, 11, 30)))["callback_rate"].num == 3
    assert selectors.figures(Filters(start=DEC, end=date(2025, 12, 31)))["satisfaction_rate"].den == 1


def test_a_late_event_in_a_closed_month_leaves_its_monthly_rows_as_they_were(autumn, clock, people):  # noqa: F811
    services.rollup_rebuild()
    services.month_close(month=NOV, actor=people["dispatcher"])
    november = {k: v for k, v in monthly_rows().items() if k[0] == NOV}
    st.rate_d_late(clock, people["clerk"], autumn)  # 12-02: November's 回访率 would now read 3 of 6
    services.rollup_refresh(force=True)
    services.rollup_rebuild()  # a rebuild respects the closed month too
    assert {k: v for k, v in monthly_rows().items() if k[0] == NOV} == november
    assert_monthly_is_the_sum_of_daily()
    frozen = selectors.figures(Filters(start=NOV, end=date(2025, 11, 30)))["callback_rate"]
    assert (frozen.num, frozen.den) == (2, 6)
    # an administrator's correction recomputes the month's days and its monthly rows together
    services.rollup_rebuild(include_closed=True)
    assert_monthly_is_the_sum_of_daily()
    assert selectors.figures(Filters(start=NOV, end=date(2025, 11, 30)))["callback_rate"].num == 3


def test_a_whole_month_is_read_from_the_monthly_rows_and_a_partial_one_from_the_daily_rows(
    autumn, monkeypatch
):
    services.rollup_rebuild()
    # without the chart-grain rows (test_chart_rollup.py), which answer a whole month before these
    monkeypatch.setattr(selectors, "chart_scope_q", lambda f: None)
    whole = Filters(start=NOV, end=date(2025, 11, 30))
    part = Filters(start=date(2025, 11, 2), end=date(2025, 11, 30))
    registered = selectors.figures(whole)["registered"].num, selectors.figures(part)["registered"].num
    MonthlyFact.objects.filter(month=NOV, metric="registered").update(num=0)
    assert selectors.figures(whole)["registered"].num == 0
    assert selectors.figures(part)["registered"].num == registered[1]
    assert registered[0] > 0


PERIODS = (
    Filters(start=NOV, end=date(2025, 11, 30)),
    Filters(start=date(2025, 8, 15), end=date(2025, 12, 10)),
    Filters(start=date(2025, 1, 1), end=date(2025, 12, 31)),
    Filters(start=date(2025, 11, 3), end=date(2025, 11, 20)),
)


def _reads(org: Any) -> list[Any]:
    out: list[Any] = []
    for f in PERIODS:
        for g in (f, Filters(start=f.start, end=f.end, scope_path=org.county.path)):
            out.append({k: (v.num, v.den) for k, v in selectors.figures(g).items()})
            for by in (*selectors.DIMENSIONS, None):
                rows = selectors.breakdown(g, "registered", by, monthly=True)
                out.append(sorted((str(r.get("k")), _as_date(r["m"]), r["num"], r["den"]) for r in rows))
            out.append(selectors.breakdown_many(g, ("registered", "handled_on_time"), "unit"))
    return out


def _pages(org: Any) -> list[Any]:
    viewer = selectors.Viewer("all", "全部辖区")
    out: list[Any] = []
    for f in PERIODS[:2]:
        out.append([t.rows for t in dashboard.staff_tables(dashboard.Context(f, viewer, {}), None, None)])
    b = documents.bulletin_build(org.county, NOV)
    out.append([(s.title, s.rows) for s in b.sections])
    return out


def test_every_figure_table_and_bulletin_reads_as_from_the_daily_rows_alone(autumn, org, read_daily_only):
    services.rollup_rebuild()
    with_months = _reads(org), _pages(org)
    read_daily_only()
    assert (_reads(org), _pages(org)) == with_months
    assert MonthlyFact.objects.exists()


def test_the_migration_fills_the_monthly_rows_from_the_daily_ones(autumn):
    services.rollup_rebuild()
    MonthlyFact.objects.all().delete()
    fill = import_module("huiyin.analytics.migrations.0004_t20_monthly_fill").fill
    fill(apps, SimpleNamespace(connection=connection))
    assert_monthly_is_the_sum_of_daily()
