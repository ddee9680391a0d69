"""The metric registry: every figure Huiyin reports is defined here once, with its written definition,
and computed as one SQL aggregate (SPEC §3.7; docs/metrics.md is rendered from this registry).

A metric counts rows of one model (events, clocks, cases, opinions, 督办 orders). Each row has a date
(the metric's time basis), a responsible unit, and belongs to a case, which gives the other
dimensions (problem territory, type, category, channel). The denominator is the rows that count; the
numerator the subset that `hit` selects (a rate), or a sum over them (`value`, an average); a count has
no denominator. Numerator and denominator are always dated by the same date, so they can be summed over
any days: that is what makes daily roll-ups (models.DailyFact) add up to the figure of any period.

Modules built later register their own metrics with `register_metric(Metric(...))` in their
AppConfig.ready(); the dashboards, exports and docs/metrics.md pick them up without change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from huiyin.analytics.choices import MetricKind


@dataclass(frozen=True)
class Definition:
    """The written definition, as docs/metrics.md and the dashboards show it."""

    numerator: str
    denominator: str
    time_basis: str
    counts: str
    excludes: str
    article: str = ""
    gaps: str = ""  # what the data does not record yet, and what is computed instead


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    kind: MetricKind
    definition: Definition
    # the rows: a callable so the registry can be imported before the models are ready
    rows: Callable[[], QuerySet[Any]]
    date_field: str  # the time basis: a DateField or DateTimeField of the rows
    unit_field: str  # the responsible unit's id, as a lookup path from the row
    case_path: str | None = "case__"  # from the row to its case ("" when the rows are cases; None: no case)
    # from the row to its territory, as a lookup path without "_id" (default: the case's territory). A
    # module's record without a case (a screening item, a commitment) names its own, e.g. "village".
    territory_path: str = ""
    hit: Q | None = None  # RATE: the numerator's rows among the denominator's
    value: Callable[[], Any] | None = None  # AVERAGE: summed over the rows
    annotations: Callable[[], dict[str, Any]] = field(default=lambda: {})
    module: str = "analytics"
    prepare: Callable[[date], None] | None = None  # run before computing up to a day (e.g. the calendar)
    unit_suffix: str = ""  # shown after the value: "%", "件", "个工作日"
    higher_is_better: bool = True

    @property
    def territory(self) -> str:
        """The lookup path to the row's territory (a Territory foreign key, without "_id")."""
        if self.territory_path:
            return self.territory_path
        return f"{self.case_path}territory" if self.case_path is not None else ""

    @property
    def is_datetime(self) -> bool:
        model = self.rows().model
        f = model._meta.get_field(self.date_field.split("__")[0])
        return isinstance(f, models.DateTimeField)


_REGISTRY: dict[str, Metric] = {}


class MetricConflict(ValueError):
    """Two modules register one metric key."""


def register_metric(metric: Metric) -> Metric:
    """Add `metric` to the registry (once per key; registering the same object again is harmless)."""
    known = _REGISTRY.get(metric.key)
    if known is not None and known is not metric:
        raise MetricConflict(f"metric {metric.key!r} is registered by {known.module} and {metric.module}")
    if metric.kind == MetricKind.RATE and metric.hit is None:
        raise ValueError(f"rate metric {metric.key!r} needs `hit`")
    if metric.kind == MetricKind.AVERAGE and metric.value is None:
        raise ValueError(f"average metric {metric.key!r} needs `value`")
    _REGISTRY[metric.key] = metric
    return metric


def unregister_metric(key: str) -> None:
    """Remove a metric (tests that register a throw-away one)."""
    _REGISTRY.pop(key, None)


def _declared() -> None:
    """Register the metrics the modules declare (`core.registry.Module.metrics`): a module touches only
    itself to add a figure, and every output (dashboards, exports, docs/metrics.md) picks it up."""
    from huiyin.core import registry as core_registry

    for module in core_registry.modules():
        for metric in module.metrics:
            if _REGISTRY.get(metric.key) is not metric:
                register_metric(metric)


def all_metrics() -> list[Metric]:
    _declared()
    return list(_REGISTRY.values())


def get_metric(key: str) -> Metric:
    _declared()
    return _REGISTRY[key]


def has_metric(key: str) -> bool:
    _declared()
    return key in _REGISTRY


# --- filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a figure is restricted to. Territories and categories include everything below them."""

    start: date
    end: date  # inclusive
    territory_path: str = ""  # the problem's territory lies in this subtree
    unit_id: int | None = None  # the responsible unit
    petition_type: str = ""
    category_name: str = ""  # a category's full_name: it and its sub-categories
    channel: str = ""
    scope_path: str = ""  # a supervisory viewer: problem territory OR responsible unit in this subtree
    scope_unit_id: int | None = None  # a unit viewer: only its own figures


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def dimension_q(f: Filters, *, case_path: str | None, unit_field: str, territory: str = "") -> Q:
    """The filters as a condition on rows whose case is at `case_path` (None: the rows have no case),
    unit at `unit_field` and territory at `territory` (default: the case's). A filter on a case's
    dimension (type, category, channel) selects nothing of rows that have no case."""
    q = Q()
    territory = territory or (f"{case_path}territory" if case_path is not None else "")
    if f.territory_path:
        q &= Q(**{f"{territory}__path__startswith": f.territory_path}) if territory else Q(pk__in=[])
    if f.unit_id is not None:
        q &= Q(**{unit_field: f.unit_id})
    if case_path is None and (f.petition_type or f.category_name or f.channel):
        return Q(pk__in=[])
    if f.petition_type:
        q &= Q(**{f"{case_path}petition_type": f.petition_type})
    if f.category_name:
        q &= Q(**{f"{case_path}category__full_name": f.category_name}) | Q(
            **{f"{case_path}category__full_name__startswith": f.category_name + " / "}
        )
    if f.channel:
        q &= Q(**{f"{case_path}channel": f.channel})
    if f.scope_path:
        unit_path = unit_field.removesuffix("_id").removesuffix("__id") + "__territory__path__startswith"
        scope = Q(**{unit_path: f.scope_path})
        if territory:
            scope |= Q(**{f"{territory}__path__startswith": f.scope_path})
        q &= scope
    if f.scope_unit_id is not None:
        q &= Q(**{unit_field: f.scope_unit_id})
    return q


def source_rows(metric: Metric, start: date, end: date) -> QuerySet[Any]:
    """The rows that count for `metric` whose date lies in [start, end], with a `_day` annotation."""
    if metric.prepare is not None:
        metric.prepare(end)
    qs = metric.rows()
    extra = metric.annotations()
    if extra:
        qs = qs.annotate(**extra)
    if metric.is_datetime:
        low, high = _day_bounds(start, end)
        qs = qs.filter(**{f"{metric.date_field}__gte": low, f"{metric.date_field}__lt": high})
        day: Any = TruncDate(metric.date_field, tzinfo=timezone.get_current_timezone())
    else:
        qs = qs.filter(**{f"{metric.date_field}__gte": start, f"{metric.date_field}__lte": end})
        day = F(metric.date_field)
    return qs.annotate(_day=day)


def _aggregates(metric: Metric) -> dict[str, Any]:
    if metric.kind == MetricKind.RATE:
        assert metric.hit is not None
        return {"num": Count("pk", filter=metric.hit), "den": Count("pk")}
    if metric.kind == MetricKind.AVERAGE:
        assert metric.value is not None
        return {"num": Sum(metric.value()), "den": Count("pk")}
    return {"num": Count("pk"), "den": Count("pk")}


DIMENSION_FIELDS = ("unit_id", "territory_id", "petition_type", "category_id", "channel")


def grouped_query(metric: Metric, start: date, end: date) -> QuerySet[Any]:
    """The aggregate per (day, unit, territory, type, category, channel) as one query: the columns
    `_day`, `_unit`, `_territory`, `_type`, `_category`, `_channel`, `num`, `den` (the roll-up's input;
    services.rollup_days inserts it with INSERT … SELECT)."""
    p = metric.case_path
    none: Any = Value(None, output_field=models.IntegerField())
    blank: Any = Value("", output_field=models.CharField())
    qs = source_rows(metric, start, end).values(
        "_day",
        _unit=F(metric.unit_field),
        _territory=F(f"{metric.territory}_id") if metric.territory else none,
        _type=F(f"{p}petition_type") if p is not None else blank,
        _category=F(f"{p}category_id") if p is not None else none,
        _channel=F(f"{p}channel") if p is not None else blank,
    )
    return qs.annotate(**_aggregates(metric)).order_by()


def grouped(metric: Metric, start: date, end: date) -> Iterator[dict[str, Any]]:
    """One aggregate per (day, unit, territory, type, category, channel), as Python rows."""
    for row in grouped_query(metric, start, end):
        day = row["_day"]
        yield {
            "day": day.date() if isinstance(day, datetime) else day,
            "metric": metric.key,
            "unit_id": row["_unit"],
            "territory_id": row["_territory"],
            "petition_type": row["_type"] or "",
            "category_id": row["_category"],
            "channel": row["_channel"] or "",
            "num": row["num"] or 0,
            "den": row["den"] or 0,
        }


@dataclass(frozen=True)
class Figure:
    """A metric's value over some filters: the numerator and denominator it comes from, and the value."""

    metric: Metric
    num: int
    den: int

    @property
    def value(self) -> float | None:
        if self.metric.kind == MetricKind.COUNT:
            return float(self.num)
        if not self.den:
            return None
        if self.metric.kind == MetricKind.RATE:
            return round(100 * self.num / self.den, 1)
        return round(self.num / self.den, 1)

    @property
    def text(self) -> str:
        value = self.value
        if value is None:
            return "—"
        if self.metric.kind == MetricKind.COUNT:
            return f"{self.num}"
        return f"{value:g}{self.metric.unit_suffix}"


def compute(metric: Metric, f: Filters) -> Figure:
    """The figure computed directly from the source tables (one aggregate query; the roll-ups must give
    the same: tests compare the two, the benchmark times both)."""
    qs = source_rows(metric, f.start, f.end).filter(
        dimension_q(f, case_path=metric.case_path, unit_field=metric.unit_field, territory=metric.territory)
    )
    agg = qs.aggregate(**_aggregates(metric))
    return Figure(metric, agg["num"] or 0, agg["den"] or 0)


def case_ids(metric: Metric, f: Filters, part: str = "den") -> QuerySet[Any]:
    """The ids of the cases behind a figure (its denominator's rows, or only the numerator's)."""
    qs = source_rows(metric, f.start, f.end).filter(
        dimension_q(f, case_path=metric.case_path, unit_field=metric.unit_field, territory=metric.territory)
    )
    if part == "num" and metric.hit is not None:
        qs = qs.filter(metric.hit)
    if metric.case_path is None:  # a module's records without a case: no cases stand behind the figure
        return qs.none().values("id")
    return qs.values(f"{metric.case_path}id" if metric.case_path else "id")


def render_markdown(metrics: Iterable[Metric]) -> str:
    """docs/metrics.md, from the registry (the drift test compares the file with this)."""
    out = [
        "# 统计指标定义（Metrics）",
        "",
        "<!-- Generated by `python manage.py metrics_doc` from huiyin/analytics/metrics.py and every",
        "module's registered metrics. Do not edit by hand: huiyin/analytics/tests/test_metrics_doc.py fails on drift. -->",
        "",
        "Every figure on the dashboards, in the exports and on the public statistics page is one of these",
        "metrics, computed as one SQL aggregate over the rows named below and summed from the daily",
        "roll-ups (`analytics_dailyfact`). Numerator and denominator are dated by the same date (the",
        "time basis), so a figure for any period is the sum of its days; an event that arrives after a",
        "month was closed is counted on its own day, in the month it arrived.",
        "",
        "| 指标 | key | 类型 | 来源模块 |",
        "|---|---|---|---|",
    ]
    metrics = list(metrics)
    for m in metrics:
        out.append(f"| {m.label} | `{m.key}` | {MetricKind(m.kind).label} | {m.module} |")
    for m in metrics:
        d = m.definition
        out += ["", f"## {m.label}（`{m.key}`）", ""]
        if m.kind == MetricKind.RATE:
            out.append(f"- **公式**：{m.label} = 分子 ÷ 分母 × 100%")
        elif m.kind == MetricKind.AVERAGE:
            out.append(f"- **公式**：{m.label} = 分子 ÷ 分母")
        out += [
            f"- **分子**：{d.numerator}",
            f"- **分母**：{d.denominator}" if m.kind != MetricKind.COUNT else "- **分母**：无（件数）",
            f"- **时间口径**：{d.time_basis}",
            f"- **计入**：{d.counts}",
            f"- **不计入**：{d.excludes}",
            f"- **责任单位**：`{m.unit_field}`；数据行：`{m.rows().model._meta.label}`，日期字段 `{m.date_field}`",
        ]
        if d.article:
            out.append(f"- **依据**：{d.article}")
        if d.gaps:
            out.append(f"- **数据缺口**：{d.gaps}")
    return "\n".join(out) + "\n"
