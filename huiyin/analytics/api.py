"""JSON API of analytics: the registered metrics with their definitions, and their figures for a month
(from the roll-ups, scoped like the dashboard: a leader's territory, anyone else their own unit)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from huiyin.analytics import dashboard, selectors
from huiyin.analytics.forms import MONTH
from huiyin.analytics.registry import Filters, all_metrics
from huiyin.cases.schemas import ERRORS
from huiyin.core import access, timeutil
from huiyin.core.access import STAFF
from huiyin.core.errors import ValidationFailed
from huiyin.org.api import api_user

router = Router(tags=["analytics"])


class DefinitionOut(Schema):
    numerator: str
    denominator: str
    time_basis: str
    counts: str
    excludes: str
    article: str
    gaps: str


class MetricOut(Schema):
    key: str
    label: str
    kind: str
    module: str
    definition: DefinitionOut


class FigureOut(Schema):
    key: str
    label: str
    kind: str
    num: int
    den: int
    value: float | None
    text: str


class FiguresOut(Schema):
    scope: str
    start: date
    end: date
    figures: list[FigureOut]


@router.get(
    "/analytics/metrics",
    response={200: list[MetricOut], **ERRORS},
    url_name="analytics_metrics",
    summary="统计指标及其定义（docs/metrics.md）",
)
def metrics(request: HttpRequest) -> list[dict[str, Any]]:
    api_user(request)
    return [
        {
            "key": m.key,
            "label": m.label,
            "kind": str(m.kind),
            "module": m.module,
            "definition": m.definition.__dict__,
        }
        for m in all_metrics()
    ]


@router.get(
    "/analytics/figures",
    response={200: FiguresOut, **ERRORS},
    url_name="analytics_figures",
    summary="某月各项指标（领导、督查：辖区；其他：本单位）",
)
def figures(request: HttpRequest, month: str = "") -> dict[str, Any]:
    user = api_user(request)
    if month and not MONTH.match(month):
        raise ValidationFailed("月份格式为 YYYY-MM", extra={"fields": {"month": "格式为 YYYY-MM"}})
    if month and not 1 <= int(month[5:]) <= 12:
        raise ValidationFailed("月份无效", extra={"fields": {"month": "月份无效"}})
    first = date(int(month[:4]), int(month[5:]), 1) if month else timeutil.today().replace(day=1)
    start, end = dashboard.period_of(first)
    viewer = selectors.viewer_for(user)
    figs = selectors.figures(selectors.scoped(Filters(start=start, end=end), viewer))
    return {
        "scope": viewer.label,
        "start": start,
        "end": end,
        "figures": [
            {
                "key": f.metric.key,
                "label": f.metric.label,
                "kind": str(f.metric.kind),
                "num": f.num,
                "den": f.den,
                "value": f.value,
                "text": f.text,
            }
            for f in figs.values()
        ],
    }


access.declare(__name__, {"analytics_metrics": STAFF, "analytics_figures": STAFF})
