"""Reads of analytics: figures summed from the roll-ups (never a scan of the case table; whole months
from the monthly roll-up, the days of partial months from the daily one), the tables behind every
chart, and the cases behind a figure, scoped to what the user may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from huiyin.analytics.models import (
    BacklogSnapshot,
    ChartFact,
    ClosedMonth,
    DailyFact,
    MonthlyFact,
    SurveyRound,
)
from huiyin.analytics.registry import Figure, Filters, Metric, all_metrics, case_ids, get_metric
from huiyin.analytics.services import CHART_GRAIN, month_start, next_month, previous_month
from huiyin.cases.choices import Channel, PetitionType
from huiyin.cases.models import Case, Category
from huiyin.cases.selectors import case_list
from huiyin.org.choices import Role, TerritoryLevel
from huiyin.org.models import Territory, Unit, User
from huiyin.org.roles import OVERSEE as SUPERVISORY_ROLES


def _dimensions_q(f: Filters) -> Q:
    """The filters but the period, as a condition on roll-up rows (the meaning of registry.dimension_q)."""
    q = Q()
    if f.territory_path:
        q &= Q(territory__path__startswith=f.territory_path)
    if f.unit_id is not None:
        q &= Q(unit_id=f.unit_id)
    if f.petition_type:
        q &= Q(petition_type=f.petition_type)
    if f.category_name:
        q &= Q(category__full_name=f.category_name) | Q(
            category__full_name__startswith=f.category_name + " / "
        )
    if f.channel:
        q &= Q(channel=f.channel)
    if f.scope_path:
        q &= Q(territory__path__startswith=f.scope_path) | Q(unit__territory__path__startswith=f.scope_path)
    if f.scope_unit_id is not None:
        q &= Q(unit_id=f.scope_unit_id)
    return q


def fact_q(f: Filters) -> Q:
    """The filters as a condition on DailyFact rows (the same meaning as registry.dimension_q)."""
    return Q(day__gte=f.start, day__lte=f.end) & _dimensions_q(f)


@dataclass(frozen=True)
class FactParts:
    """A period as the roll-ups hold it: its whole months (MonthlyFact: the first and the last month's
    first day) and the days of the months it covers only in part (DailyFact)."""

    months: tuple[date, date] | None
    days: tuple[tuple[date, date], ...]


def fact_parts(start: date, end: date) -> FactParts:
    """Split [start, end] into whole months and the partial months' days at either end."""
    first = start if start.day == 1 else next_month(start)
    last = previous_month(end + timedelta(days=1))  # the last month that ends on or before `end`
    if start > end or first > last:
        return FactParts(None, ((start, end),))
    days = []
    if start < first:
        days.append((start, first - timedelta(days=1)))
    if next_month(last) <= end:
        days.append((next_month(last), end))
    return FactParts((first, last), tuple(days))


def chart_scope_q(f: Filters) -> Q | None:
    """The ChartFact rows that hold `f`'s whole months, as a condition on their scope; None when `f`
    filters on a dimension of its own (territory, unit, type, category, channel), which the chart rows
    no longer hold: the caller reads the monthly rows instead."""
    if f.territory_path or f.unit_id is not None or f.petition_type or f.category_name or f.channel:
        return None
    if f.scope_path and f.scope_unit_id is not None:
        return None  # no viewer has both; the monthly rows answer it
    if f.scope_path:
        return Q(scope_territory__path=f.scope_path, scope_unit__isnull=True)
    if f.scope_unit_id is not None:
        return Q(scope_unit_id=f.scope_unit_id, scope_territory__isnull=True)
    return Q(scope_territory__isnull=True, scope_unit__isnull=True)


def _summed(
    f: Filters, keys: Callable[[Any], dict[str, Any]], *, chart: str, metrics: list[str]
) -> list[dict[str, Any]]:
    """The roll-up rows of `metrics` over `f` summed per `keys` (given the expression of a row's month),
    in one query: whole months from ChartFact (its `chart` dimension: the one `keys` names, "" for none)
    when `f` allows (chart_scope_q) and the chart rows hold these metrics by it (services.CHART_GRAIN),
    else from MonthlyFact; partial months' days from DailyFact (UNION ALL); the parts' sums added here.
    Rows of {**keys, "num", "den"}."""
    parts = fact_parts(f.start, f.end)
    dims = _dimensions_q(f)
    where = {"metric__in": metrics}
    held = CHART_GRAIN.get(chart, ())
    scope = chart_scope_q(f) if held is None or set(metrics) <= set(held) else None

    def values(qs: QuerySet[Any], month: Any) -> QuerySet[Any]:
        wanted = keys(month)  # a field of its own name ("metric") is named, anything else an expression
        named = [k for k, v in wanted.items() if v == k]
        return qs.values(*named, **{k: v for k, v in wanted.items() if k not in named})

    queries: list[QuerySet[Any]] = []
    if parts.days:
        span = Q()
        for lo, hi in parts.days:
            span |= Q(day__gte=lo, day__lte=hi)
        queries.append(values(DailyFact.objects.filter(span, dims, **where), TruncMonth("day")))
    if parts.months is not None:
        lo, hi = parts.months
        if scope is not None:
            rows: QuerySet[Any] = ChartFact.objects.filter(
                scope, dimension=chart, month__gte=lo, month__lte=hi, **where
            )
        else:
            rows = MonthlyFact.objects.filter(dims, month__gte=lo, month__lte=hi, **where)
        queries.append(values(rows, F("month")))
    summed = [qs.annotate(num=Sum("num"), den=Sum("den")).order_by() for qs in queries]
    qs = summed[0] if len(summed) == 1 else summed[0].union(*summed[1:], all=True)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in qs:
        key = tuple(v for k, v in r.items() if k not in ("num", "den"))
        row = out.setdefault(key, {**r, "num": 0, "den": 0})
        row["num"] += int(r["num"] or 0)
        row["den"] += int(r["den"] or 0)
    return list(out.values())


def figures(f: Filters, metrics: list[Metric] | None = None) -> dict[str, Figure]:
    """Every metric's figure over `f`, summed from the roll-ups in one query."""
    metrics = metrics if metrics is not None else all_metrics()
    sums = {
        r["metric"]: r
        for r in _summed(f, lambda month: {"metric": "metric"}, chart="", metrics=[m.key for m in metrics])
    }
    return {
        m.key: Figure(m, sums.get(m.key, {}).get("num", 0), sums.get(m.key, {}).get("den", 0))
        for m in metrics
    }


DIMENSIONS = {
    "unit": "unit_id",
    "territory": "territory_id",
    "category": "category_id",
    "petition_type": "petition_type",
    "channel": "channel",
}


def breakdown(f: Filters, metric: str, by: str | None, *, monthly: bool = False) -> list[dict[str, Any]]:
    """One metric summed per value of a dimension (DIMENSIONS) and/or per month, in one query: rows of
    {"k": dimension value, "m": first day of the month, "num", "den"}."""

    def keys(month: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if by is not None:
            out["k"] = F(DIMENSIONS[by])
        if monthly:
            out["m"] = month
        return out

    return _summed(f, keys, chart=by or "", metrics=[metric])


def breakdown_many(f: Filters, metrics: tuple[str, ...], by: str) -> dict[str, dict[Any, tuple[int, int]]]:
    """Several metrics summed per value of one dimension, in one query: {metric: {value: (num, den)}}."""
    out: dict[str, dict[Any, tuple[int, int]]] = {m: {} for m in metrics}
    rows = _summed(
        f, lambda month: {"metric": "metric", "k": F(DIMENSIONS[by])}, chart=by, metrics=list(metrics)
    )
    for r in rows:
        out[r["metric"]][r["k"]] = (r["num"], r["den"])
    return out


# --- the viewer -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Whose dashboard: a leader or supervisor sees the whole territory of their unit; anyone else their
    own unit's figures (a superuser without a unit: everything)."""

    kind: str  # "leader" | "unit" | "all"
    label: str
    scope_path: str = ""
    scope_unit_id: int | None = None


def viewer_for(user: User) -> Viewer:
    if user.is_superuser and not user.unit_id:
        return Viewer("all", "全部辖区")
    unit = user.unit
    if unit is None:
        return Viewer("unit", "无单位", scope_unit_id=-1)
    if user.role in SUPERVISORY_ROLES:
        return Viewer("leader", f"{unit.territory.name}全辖区", scope_path=unit.territory.path)
    return Viewer("unit", unit.name, scope_unit_id=unit.pk)


def scoped(f: Filters, viewer: Viewer) -> Filters:
    return replace(f, scope_path=viewer.scope_path, scope_unit_id=viewer.scope_unit_id)


def cases_behind(user: User, metric_key: str, f: Filters, part: str = "den") -> QuerySet[Case]:
    """The cases behind one figure, among those the user may see (cases.selectors.case_list)."""
    metric = get_metric(metric_key)
    return case_list(user).filter(pk__in=case_ids(metric, f, part)).distinct()


def backlog(viewer: Viewer, unit_id: int | None = None) -> list[dict[str, Any]]:
    """Open, due-soon and overdue by unit from the latest snapshot."""
    latest = BacklogSnapshot.objects.order_by("-day").values_list("day", flat=True).first()
    if latest is None:
        return []
    qs = BacklogSnapshot.objects.filter(day=latest).select_related("unit")
    if viewer.scope_path:
        qs = qs.filter(unit__territory__path__startswith=viewer.scope_path)
    if viewer.scope_unit_id is not None:
        qs = qs.filter(unit_id=viewer.scope_unit_id)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return [
        {"unit": s.unit, "open": s.open, "due_soon": s.due_soon, "overdue": s.overdue, "day": s.day}
        for s in qs.order_by("-overdue", "-due_soon", "-open", "unit__code")
    ]


def is_closed(month: date) -> bool:
    return ClosedMonth.objects.filter(month=month_start(month)).exists()


__all__ = [
    "Category",
    "Channel",
    "PetitionType",
    "Territory",
    "TerritoryLevel",
    "Unit",
    "next_month",
    "previous_month",
    "timedelta",
]


def is_admin(user: User) -> bool:
    """An administrator (or a superuser): opens 民主评议 rounds and sees every round of their territory."""
    return user.role == Role.ADMIN or user.is_superuser


def survey_rounds_for(user: User) -> QuerySet[Any]:  # rounds annotated with invited, answered
    """民主评议 rounds the user may see, each with `invited` and `answered` (the response rate): all of
    them for the whole-province view; a leader's or an administrator's, those of their territory; anyone
    else, the rounds their unit is rated in."""
    viewer = viewer_for(user)
    qs = SurveyRound.objects.select_related("territory").annotate(
        invited=Count("invitations", distinct=True),
        answered=Count("invitations", filter=Q(invitations__used_on__isnull=False), distinct=True),
    )
    if viewer.kind == "all":
        return qs
    if viewer.kind == "leader" or is_admin(user):
        unit = user.unit
        path = viewer.scope_path or (unit.territory.path if unit else "-")
        return qs.filter(territory__path__startswith=path)
    return qs.filter(units=user.unit_id) if user.unit_id else qs.none()
