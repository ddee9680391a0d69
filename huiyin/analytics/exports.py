"""The analytics module's staff lists as .xlsx (issue 11 item 5; huiyin.cases.exports.list_export runs
them): the 民主评议 rounds, each with its response rate (seed 000 §四: the public evaluation of units).
Anonymous by construction: a round's row holds its counts, never who was invited or what they answered."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet

from huiyin.analytics import selectors
from huiyin.core.registry import ExportContext, ExportKind
from huiyin.core.xlsx import Column


def surveys_select(user: Any, filters: Mapping[str, str]) -> QuerySet[Any]:
    """The rounds the user may see (selectors.survey_rounds_for), newest first, as the page lists them."""
    return selectors.survey_rounds_for(user).order_by("-opened_at", "-id")


def survey_rows(user: Any, records: list[Any], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    from huiyin.analytics import survey  # here: importing it registers 民主评议's metric, after metrics.py's

    for r in records:
        rate = survey.round_rate(r.answered, r.invited)
        yield {
            "title": r.title,
            "territory": r.territory.name,
            "period": f"{r.period_start:%Y-%m-%d}—{r.period_end:%Y-%m-%d}",
            "invited": r.invited,
            "answered": r.answered,
            "rate": "" if rate is None else f"{rate}%",
            "closed_on": r.closed_on,
        }


SURVEYS = ExportKind(
    kind="analytics_surveys",
    title="民主评议",
    columns=(
        Column("title", "评议名称", 24),
        Column("territory", "区域", 12),
        Column("period", "评议期间", 24),
        Column("invited", "邀请", 8),
        Column("answered", "回复", 8),
        Column("rate", "回复率", 8),
        Column("closed_on", "结束日期", 12),
    ),
    select=surveys_select,
    rows=survey_rows,
)
EXPORTS = (SURVEYS,)
