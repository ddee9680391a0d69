"""The assist module's staff list as .xlsx (issue 11 item 5; huiyin.cases.exports.list_export runs it):
the hot issues (热点问题) of the user's stored snapshot for the page's window and span.

A kind's records are what an export job could hold by id; here that is the snapshot itself (one row of
`HotIssueSnapshot`, the user's own, for that period), and its rows are the snapshot's clusters as the
page charts them. It names matters, never people: a cluster counts petitioners, it does not list them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet

from huiyin.assist.models import HotIssueSnapshot
from huiyin.assist.selectors import hot_period, revive
from huiyin.core.registry import ExportContext, ExportKind
from huiyin.core.xlsx import Column


def hotspots_select(user: Any, filters: Mapping[str, str]) -> QuerySet[HotIssueSnapshot]:
    """The user's own snapshot for the period (none before the worker first computed it): another
    account's snapshot is never in it, whatever the query says."""
    window, since = hot_period(filters)
    return HotIssueSnapshot.objects.filter(
        user=user, window_days=window, since_days=since, computed_at__isnull=False
    ).order_by("pk")


def hotspot_rows(user: Any, records: list[HotIssueSnapshot], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    for snap in records:
        for h in revive(snap.result)["hotspots"]:
            yield {**h, "places": "、".join(h.get("places") or []), "codes": " ".join(h.get("codes") or [])}


HOTSPOTS = ExportKind(
    kind="assist_hotspots",
    title="热点问题",
    columns=(
        Column("rank", "序号", 6),
        Column("label", "问题", 36),
        Column("places", "地点", 20),
        Column("start", "起", 18),
        Column("end", "止", 18),
        Column("window_petitioners", "窗口内人数", 10),
        Column("window_cases", "窗口内件数", 10),
        Column("n_cases", "合计件数", 10),
        Column("growth", "增长", 8),
        Column("codes", "事项", 60),
    ),
    select=hotspots_select,
    rows=hotspot_rows,
)
EXPORTS = (HOTSPOTS,)
