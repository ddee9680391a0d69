"""Reads of analytics: figures summed from the daily roll-ups (never a scan of the case table), the
tables behind every chart, and the cases behind a figure, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from huiyin.analytics.models import BacklogSnapshot, ClosedMonth, DailyFact
from huiyin.analytics.registry import Figure, Filters, Metric, all_metrics, case_ids, get_metric
from huiyin.analytics.services import month_start, next_month, previous_month
from huiyin.cases.choices import Channel, PetitionType
from huiyin.cases.models import Case, Category
from huiyin.cases.selectors import case_list
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory, Unit, User
from huiyin.org.roles import OVERSEE as SUPERVISORY_ROLES


def fact_q(f: Filters) -> Q:
    """The filters as a condition on DailyFact rows (the same meaning as registry.dimension_q)."""
    q = Q(day__gte=f.start, day__lte=f.end)
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


def figures(f: Filters, metrics: list[Metric] | None = None) -> dict[str, Figure]:
    """Every metric's figure over `f`, summed from the roll-ups in one query."""
    metrics = metrics if metrics is not None else all_metrics()
    sums: dict[str, dict[str, Any]] = {
        r["metric"]: dict(r)
        for r in DailyFact.objects.filter(fact_q(f), metric__in=[m.key for m in metrics])
        .values("metric")
        .annotate(num=Sum("num"), den=Sum("den"))
        .order_by()
    }
    return {
        m.key: Figure(m, int(sums.get(m.key, {}).get("num") or 0), int(sums.get(m.key, {}).get("den") or 0))
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
    keys: dict[str, Any] = {}
    if by is not None:
        keys["k"] = F(DIMENSIONS[by])
    if monthly:
        keys["m"] = TruncMonth("day")
    qs = DailyFact.objects.filter(fact_q(f), metric=metric).values(**keys)
    return [dict(r) for r in qs.annotate(num=Sum("num"), den=Sum("den")).order_by()]


def breakdown_many(f: Filters, metrics: tuple[str, ...], by: str) -> dict[str, dict[Any, tuple[int, int]]]:
    """Several metrics summed per value of one dimension, in one query: {metric: {value: (num, den)}}."""
    out: dict[str, dict[Any, tuple[int, int]]] = {m: {} for m in metrics}
    qs = (
        DailyFact.objects.filter(fact_q(f), metric__in=metrics)
        .values("metric", k=F(DIMENSIONS[by]))
        .annotate(num=Sum("num"), den=Sum("den"))
        .order_by()
    )
    for r in qs:
        out[r["metric"]][r["k"]] = (int(r["num"] or 0), int(r["den"] or 0))
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
