"""考核 scorecards (条例 §39; SPEC §3.7; seeds 000 §四): an administrator gives each registered rate metric
a weight for the year (满意率, 民主评议满意率 and any module's rate that arrives through Module.metrics);
each unit's score is computed from the year's closed months only, from the roll-ups.

  score = Σ (weight × points) ÷ Σ weight, over the weighted metrics for which the unit has figures
  points = the rate in % (higher is better), or 100 − the rate for a metric where lower is better

A metric without figures for a unit (no denominator) leaves the unit's score over the other weights
(shown as "—"). Every cell links to the cases behind it (analytics_cases), the closed months' span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse

from huiyin.analytics import selectors
from huiyin.analytics.choices import MetricKind
from huiyin.analytics.models import ClosedMonth, ScoreWeight
from huiyin.analytics.registry import Filters, Metric, all_metrics, get_metric, has_metric
from huiyin.analytics.selectors import Viewer
from huiyin.analytics.services import next_month
from huiyin.core import timeutil
from huiyin.core.errors import ValidationFailed
from huiyin.org.models import Unit, User

FORMULA = (
    "得分 = Σ（权重 × 指标得分）÷ Σ 权重；指标得分 = 该指标比率（%），越低越好的指标为 100 − 比率；"
    "某单位某项指标无数据（分母为零）时，该项不计，按其余权重计算。只计本年度已关账的月份。"
)


def weighable() -> list[Metric]:
    """The metrics a scorecard may weigh: every registered rate (percentages are comparable)."""
    return [m for m in all_metrics() if m.kind == MetricKind.RATE]


def weights_set(*, year: int, weights: dict[str, int], actor: User) -> None:
    """Replace the year's weights (0 removes a metric)."""
    if not 2000 <= year <= 2100:
        raise ValidationFailed("年度无效")
    allowed = {m.key for m in weighable()}
    bad = [k for k in weights if k not in allowed]
    if bad:
        raise ValidationFailed(
            "只能为比率类指标设置权重", extra={"fields": {k: "不是可考核的比率指标" for k in bad}}
        )
    if any(w < 0 or w > 100 for w in weights.values()):
        raise ValidationFailed("权重须在 0 至 100 之间")
    now = timeutil.now()
    with transaction.atomic():
        ScoreWeight.objects.filter(year=year).delete()
        ScoreWeight.objects.bulk_create(
            ScoreWeight(year=year, metric=k, weight=w, set_by=actor, set_at=now)
            for k, w in weights.items()
            if w
        )


def weights_of(year: int) -> dict[str, int]:
    return {w.metric: w.weight for w in ScoreWeight.objects.filter(year=year) if has_metric(w.metric)}


def closed_span(year: int) -> tuple[date, date] | None:
    """January to the last month of the unbroken run of closed months from January (a month left open in
    between would let figures still move)."""
    closed = set(ClosedMonth.objects.filter(month__year=year).values_list("month", flat=True))
    month, last = date(year, 1, 1), None
    while month in closed:
        last = month
        month = next_month(month)
    if last is None:
        return None
    return date(year, 1, 1), next_month(last) - timedelta(days=1)


def default_year(today: date | None = None) -> int:
    """The year the 考核 page opens on when none is asked for. Before January of this year is closed
    (all of January, and often early February) this year's scorecard is empty, so the page opens on the
    latest year up to this one that has scores to show: closed months from January and weights; else
    the latest with closed months; else the latest with weights; else the previous year in January
    (the year just ended is the one being assessed) and this year otherwise."""
    from django.db.models.functions import ExtractYear

    today = today or timeutil.today()
    spans = set(
        ClosedMonth.objects.filter(month__month=1, month__year__lte=today.year)
        .annotate(y=ExtractYear("month"))
        .values_list("y", flat=True)
    )
    weighted = set(ScoreWeight.objects.filter(year__lte=today.year).values_list("year", flat=True).distinct())
    for years in (spans & weighted, spans, weighted):
        if years:
            return max(years)
    return today.year - 1 if today.month == 1 else today.year


@dataclass
class Card:
    year: int
    span: tuple[date, date] | None
    metrics: list[tuple[Metric, int]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    formula: str = FORMULA


def scorecard(year: int, viewer: Viewer) -> Card:
    weights = weights_of(year)
    metrics = [(get_metric(k), w) for k, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]
    card = Card(year, closed_span(year), metrics)
    if card.span is None or not metrics:
        return card
    start, end = card.span
    f = selectors.scoped(Filters(start=start, end=end), viewer)
    per = selectors.breakdown_many(f, tuple(m.key for m, _w in metrics), "unit")
    unit_ids = {u for values in per.values() for u, (_n, d) in values.items() if u is not None and d}
    names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    for uid in unit_ids:
        cells, total, weight_sum = [], 0.0, 0
        for m, w in metrics:
            num, den = per[m.key].get(uid, (0, 0))
            rate = round(100 * num / den, 1) if den else None
            points = None if rate is None else (rate if m.higher_is_better else round(100 - rate, 1))
            if points is not None:
                total += w * points
                weight_sum += w
            cells.append(
                {"num": num, "den": den, "rate": rate, "points": points, "link": _link(m, uid, start, end)}
            )
        score = round(total / weight_sum, 2) if weight_sum else None
        card.rows.append({"unit_id": uid, "unit": names.get(uid, ""), "cells": cells, "score": score})
    card.rows.sort(key=lambda r: (-(r["score"] if r["score"] is not None else -1), r["unit"]))
    return card


def _link(m: Metric, unit_id: int, start: date, end: date) -> str | None:
    if m.case_path is None:  # records without cases (民主评议): the rounds list tells where they come from
        return reverse("analytics_surveys")
    query = {
        "metric": m.key,
        "part": "den",
        "unit": unit_id,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    return f"{reverse('analytics_cases')}?{urlencode(query)}"
