"""The chart-grain roll-up (ChartFact): one month's sums per metric, one dimension's value and viewer
scope. Its rows are always what the month's MonthlyFact rows give (after a rebuild, a refresh, a late
event in an open and in a closed month, the migration), a case under a leader's territory both by its
problem territory and by its unit is counted once, and every figure, breakdown, dashboard table and
通报 reads the same with it as without it (the monthly rows, selectors.chart_scope_q → None)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from importlib import import_module
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huiyin.analytics import dashboard, documents, selectors, services
from huiyin.analytics.models import ChartFact, DailyFact, MonthlyFact
from huiyin.analytics.registry import Filters
from huiyin.analytics.tests import story as st
from huiyin.analytics.tests.test_metrics import people  # noqa: F401 (a fixture)
from huiyin.cases.models import Category
from huiyin.org.choices import TerritoryLevel as L
from huiyin.org.choices import UnitKind as K
from huiyin.org.models import Territory, Unit

OCT, NOV, DEC = date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)
DIMS = ("unit_id", "territory_id", "petition_type", "category_id", "channel")


@pytest.fixture
def monthly_only(monkeypatch):
    """Switch every reader to what it did before the chart-grain roll-up: whole months from MonthlyFact."""

    def switch() -> None:
        monkeypatch.setattr(selectors, "chart_scope_q", lambda f: None)

    return switch


# --- an oracle: the chart rows worked out in Python from the monthly rows ------------------------


def expected_chart_rows() -> Counter[tuple[Any, ...]]:
    """Every MonthlyFact row (of the metrics services.CHART_GRAIN keeps) counted for each territory whose path its problem territory's or its unit's
    territory path starts with (once, however many of the two do), for its unit, and for everyone."""
    paths = dict(Territory.objects.values_list("pk", "path"))
    unit_paths = {u.pk: u.territory.path for u in Unit.objects.select_related("territory")}
    out: Counter[tuple[Any, ...]] = Counter()
    for r in MonthlyFact.objects.values("month", "metric", *DIMS, "num", "den"):
        own = [paths.get(r["territory_id"]), unit_paths.get(r["unit_id"])]
        scopes: list[tuple[Any, Any]] = [
            (pk, None) for pk, p in paths.items() if any(x and x.startswith(p) for x in own)
        ]
        if r["unit_id"] is not None:
            scopes.append((None, r["unit_id"]))
        scopes.append((None, None))
        for name, column in services.CHART_DIMENSIONS.items():
            held = services.CHART_GRAIN[name]
            if held is not None and r["metric"] not in held:
                continue
            value = r[column] if column else None
            for st_, su in scopes:
                key = (r["month"], name, st_, su, r["metric"], value)
                n, d = out.get(key, (0, 0))
                out[key] = (n + r["num"], d + r["den"])
    return out


def chart_rows() -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    fields = ("month", "dimension", "scope_territory_id", "scope_unit_id", "metric", *DIMS, "num", "den")
    for r in ChartFact.objects.values(*fields):
        column = services.CHART_DIMENSIONS[r["dimension"]]
        for c in DIMS:  # the columns a row does not keep are empty
            if c != column:
                assert r[c] in (None, ""), r
        key = (
            r["month"],
            r["dimension"],
            r["scope_territory_id"],
            r["scope_unit_id"],
            r["metric"],
            r[column] if column else None,
        )
        assert key not in out, f"two chart rows for {key}"
        out[key] = (r["num"], r["den"])
    return out


def assert_chart_rows_are_the_monthly_rows_per_scope() -> None:
    got = chart_rows()
    assert got, "no chart rows at all"
    assert got == expected_chart_rows()


# --- a synthetic month of roll-up rows: cases counted under several offices ------------------------


@pytest.fixture
def offices(org):
    """A second county (with a township and its own unit) beside the test county, so rows cross offices."""
    county2 = Territory.objects.create(code="430122", name="二县", level=L.COUNTY, parent=org.city)
    township2 = Territory.objects.create(code="430122100", name="西城镇", level=L.TOWNSHIP, parent=county2)
    unit2 = Unit.objects.create(
        code="Y-ZJ", name="二县住建局", kind=K.HOUSING, territory=county2, parent=org.city_gov
    )
    village_unit = Unit.objects.create(
        code="V-CW", name="柳林村村委会", kind=K.GOVERNMENT, territory=org.village, parent=org.township_gov
    )
    return SimpleNamespace(county2=county2, township2=township2, unit2=unit2, village_unit=village_unit)


def _rows(org: Any, o: Any) -> list[tuple[Any, ...]]:
    """(territory, unit) pairs: both under the county; the territory under it only; the unit under it
    only; each without the other; neither."""
    cats = list(Category.objects.order_by("id")[:3])
    c1, c2, c3 = [*cats, None, None, None][:3]
    return [
        (org.village, org.unit_a, "complaint", c1, "visit"),  # county by both: once
        (org.village, o.village_unit, "request", c2, "online"),  # the village by both
        (org.township, org.township_gov, "complaint", c1, "phone"),
        (o.township2, org.unit_a, "suggestion", c2, "visit"),  # county by its unit, 二县 by its territory
        (org.county, o.unit2, "complaint", c3, "letter"),  # the other way round
        (o.county2, o.unit2, "request", c1, "online"),  # 二县 by both
        (None, org.unit_b, "complaint", c2, "visit"),  # no territory: only by its unit
        (org.village, None, "request", c3, "phone"),  # no unit: only by its territory
        (None, None, "", None, ""),  # nobody's but everyone's
    ]


@pytest.fixture
def synthetic(org, offices):
    """Daily rows over October to December for every pair, three metrics, then each month rolled up."""
    rows = []
    day = date(2025, 10, 1)
    n = 0
    while day <= date(2025, 12, 20):
        for i, (terr, unit, ptype, cat, channel) in enumerate(_rows(org, offices)):
            if (day.toordinal() + i) % 3:
                continue
            n += 1
            for metric, num, den in (("registered", 1, 1), ("handled_on_time", n % 2, 1), ("answered", 1, 1)):
                rows.append(
                    DailyFact(
                        day=day,
                        metric=metric,
                        territory=terr,
                        unit=unit,
                        petition_type=ptype,
                        category=cat,
                        channel=channel,
                        num=num,
                        den=den,
                    )
                )
        day += timedelta(days=1)
    DailyFact.objects.bulk_create(rows)
    for month in (OCT, NOV, DEC):
        services.rollup_month(month)
    return offices


PERIODS = (
    (NOV, date(2025, 11, 30)),
    (OCT, date(2025, 12, 31)),  # three whole months (December's days are all it has)
    (date(2025, 10, 15), date(2025, 12, 10)),  # partial months at both ends
    (date(2025, 11, 3), date(2025, 11, 20)),  # days only
)


def _scopes(org: Any, o: Any) -> list[dict[str, Any]]:
    leaders = [org.province, org.city, org.county, org.township, org.village, o.county2, o.township2]
    units = [org.unit_a, org.unit_b, org.township_gov, o.unit2, o.village_unit, org.county_office]
    return [
        {},
        *({"scope_path": t.path} for t in leaders),
        *({"scope_unit_id": u.pk} for u in units),
        {"scope_unit_id": -1},  # a staff member without a unit
    ]


def _reads(f: Filters) -> list[Any]:
    """Every roll-up read of `f`, in an order that does not depend on the rows' order."""
    out: list[Any] = [{k: (v.num, v.den) for k, v in selectors.figures(f).items()}]
    for by in (*selectors.DIMENSIONS, None):
        for monthly in (False, True) if by else (True,):  # neither: not a breakdown
            rows = selectors.breakdown(f, "registered", by, monthly=monthly)
            out.append(sorted((str(r.get("k")), str(r.get("m")), r["num"], r["den"]) for r in rows))
    for by in selectors.DIMENSIONS:
        out.append(selectors.breakdown_many(f, ("registered", "handled_on_time", "answered"), by))
    return out


def test_the_chart_dimensions_are_the_selectors_dimensions():
    assert {k for k in services.CHART_DIMENSIONS if k} == set(selectors.DIMENSIONS)
    assert all(services.CHART_DIMENSIONS[k] == v for k, v in selectors.DIMENSIONS.items())


def test_the_chart_rows_are_the_monthly_rows_summed_per_scope_and_dimension(synthetic):
    assert_chart_rows_are_the_monthly_rows_per_scope()


def test_a_case_under_a_leader_by_its_territory_and_by_its_unit_is_counted_once(org, synthetic):
    f = Filters(start=NOV, end=date(2025, 11, 30))
    everyone = selectors.figures(f)["registered"].num
    by_pair = Counter(
        (r["territory_id"], r["unit_id"])
        for r in DailyFact.objects.filter(metric="registered", day__gte=NOV, day__lt=DEC).values(
            "territory_id", "unit_id"
        )
    )
    a_village = (org.village.pk, org.unit_a.pk)  # under the county by both
    assert by_pair[a_village] > 0
    county = selectors.figures(Filters(start=f.start, end=f.end, scope_path=org.county.path))["registered"]
    in_county = sum(
        n
        for (t, u), n in by_pair.items()
        if (t and Territory.objects.get(pk=t).path.startswith(org.county.path))
        or (u and Unit.objects.get(pk=u).territory.path.startswith(org.county.path))
    )
    assert county.num == in_county < everyone
    # the province holds every row with a territory or a unit: all but the last pair's
    province = selectors.figures(Filters(start=f.start, end=f.end, scope_path=org.province.path))
    assert province["registered"].num == everyone - by_pair[(None, None)]


def test_every_read_with_the_chart_rows_is_the_read_without_them(org, synthetic, monthly_only):
    extra = ({}, {"channel": "visit"}, {"petition_type": "complaint"}, {"territory_path": org.township.path})
    filters = [
        Filters(start=lo, end=hi, **scope, **more)
        for lo, hi in PERIODS
        for scope in _scopes(org, synthetic)
        for more in extra
    ]
    with CaptureQueriesContext(connection) as read:
        with_chart = [_reads(f) for f in filters]
    assert any("analytics_chartfact" in q["sql"] for q in read.captured_queries)
    monthly_only()
    with CaptureQueriesContext(connection) as read:
        without = [_reads(f) for f in filters]
    assert not any("analytics_chartfact" in q["sql"] for q in read.captured_queries)
    assert with_chart == without
    assert any(r[0]["registered"] != (0, 0) for r in with_chart)


def test_a_whole_month_without_a_dimension_filter_is_read_from_the_chart_rows(org, synthetic):
    whole = Filters(start=NOV, end=date(2025, 11, 30), scope_path=org.county.path)
    filtered = Filters(start=NOV, end=date(2025, 11, 30), scope_path=org.county.path, channel="visit")
    before = selectors.figures(whole)["registered"].num, selectors.figures(filtered)["registered"].num
    ChartFact.objects.filter(month=NOV, metric="registered").update(num=0)
    assert selectors.figures(whole)["registered"].num == 0
    assert selectors.figures(filtered)["registered"].num == before[1] > 0
    assert before[0] > 0


# --- the story: the roll-ups kept by the services, the pages of a leader and of a unit --------------


@pytest.fixture
def autumn(clock, org, people):  # noqa: F811 (the fixture imported above)
    story = st.build(clock, org, people)
    clock.set(date(2025, 12, 1))
    return story


def test_after_a_rebuild_and_a_refresh_the_chart_rows_follow_the_monthly_rows(autumn, clock, people):  # noqa: F811
    services.rollup_rebuild()
    assert_chart_rows_are_the_monthly_rows_per_scope()
    before = chart_rows()
    st.rate_d_late(clock, people["clerk"], autumn)  # 12-02: a rating of November, which is open
    services.rollup_refresh(force=True)
    assert_chart_rows_are_the_monthly_rows_per_scope()
    assert chart_rows() != before


def test_a_closed_months_chart_rows_stay_frozen(autumn, clock, people):  # noqa: F811
    services.rollup_rebuild()
    services.month_close(month=NOV, actor=people["dispatcher"])
    november = {k: v for k, v in chart_rows().items() if k[0] == NOV}
    assert november
    st.rate_d_late(clock, people["clerk"], autumn)
    services.rollup_refresh(force=True)
    services.rollup_rebuild()
    assert {k: v for k, v in chart_rows().items() if k[0] == NOV} == november
    assert_chart_rows_are_the_monthly_rows_per_scope()


def _pages(org: Any, users: list[Any]) -> list[Any]:
    out: list[Any] = []
    for user in users:
        viewer = selectors.viewer_for(user)
        for lo, hi in ((NOV, date(2025, 11, 30)), (OCT, date(2025, 10, 31))):
            for extra in ({}, {"channel": "visit"}, {"unit_id": org.unit_a.pk}):
                f = selectors.scoped(Filters(start=lo, end=hi, **extra), viewer)
                ctx = dashboard.Context(f, viewer, {})
                out.append([(t.key, t.rows, t.links) for t in dashboard.staff_tables(ctx, None, None)])
    b = documents.bulletin_build(org.county, NOV)
    out.append([(s.title, s.rows) for s in b.sections])
    return out


def test_the_leaders_and_the_units_pages_and_the_bulletin_read_as_without_the_chart_rows(
    autumn,
    org,
    people,  # noqa: F811 (the fixture imported above)
    handler_wang_unit_a,
    monthly_only,
):
    services.rollup_rebuild()
    users = [people["supervisor"], handler_wang_unit_a, people["handler_b"]]
    with CaptureQueriesContext(connection) as read:
        with_chart = _pages(org, users)
    assert any("analytics_chartfact" in q["sql"] for q in read.captured_queries)
    monthly_only()
    assert _pages(org, users) == with_chart
    leader_nov = dict((k, rows) for k, rows, _links in with_chart[0])
    assert next(r for r in leader_nov["volume_by_channel"] if r[0] == "2025-11")[1:] == [4, 4]


def test_the_migration_fills_the_chart_rows_from_the_monthly_ones(autumn):
    services.rollup_rebuild()
    ChartFact.objects.all().delete()
    fill = import_module("huiyin.analytics.migrations.0006_t22_chart_fill").fill
    fill(apps, SimpleNamespace(connection=connection))
    assert_chart_rows_are_the_monthly_rows_per_scope()
