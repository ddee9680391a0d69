"""走访覆盖: the paired points not visited as often as their norm asks, by township and by cadre."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from huiyin.cases.exports import bad_format, export_audited
from huiyin.core import timeutil
from huiyin.core.xlsx import Column, xlsx_response
from huiyin.org.views import nav_context
from huiyin.outreach import selectors
from huiyin.outreach.choices import NormPeriod, PairingKind

COVERAGE_COLUMNS = (
    Column("township", "乡镇", 14),
    Column("point", "联系点", 30),
    Column("kind", "联系方式", 12),
    Column("contact", "联系人", 16),
    Column("window", "考核周期", 24),
    Column("visits", "走访次数", 8),
    Column("required", "要求次数", 8),
    Column("met", "达标", 6),
)


def _coverage_xlsx(
    request: HttpRequest, on: date, rows: list[selectors.CoverageRow]
) -> StreamingHttpResponse:
    """Every pairing of the period with its visits against its norm, as the page computes them (a report
    of at most the territory's pairings, not a list of records: streamed directly like the dashboard's
    tables, and audited as an export)."""

    def cells() -> Any:
        for r in rows:
            p = r.pairing
            yield {
                "township": r.township.name if r.township else "",
                "point": f"{p.point.territory.name}·{p.point.name}",
                "kind": p.get_kind_display(),
                "contact": (p.cadre.full_name or p.cadre.username) if p.cadre else p.unit.name,
                "window": f"{r.window[0]:%Y-%m-%d}—{r.window[1]:%Y-%m-%d}",
                "visits": r.visits,
                "required": r.required,
                "met": "是" if r.met else "否",
            }

    return xlsx_response(
        filename="走访覆盖",
        sheet="走访覆盖",
        columns=COVERAGE_COLUMNS,
        rows=cells(),
        heading=[f"统计日期所在周期：{on:%Y-%m-%d}"],
        on_done=export_audited(request, what="outreach_coverage"),
    )


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Which paired points were not visited as often as their norm asks, in the month or quarter
    containing the chosen day, by township and by cadre."""
    user: Any = request.user
    try:
        on = date.fromisoformat(request.GET.get("on", "")) if request.GET.get("on") else timeutil.today()
    except ValueError:
        on = timeutil.today()
        messages.error(request, "日期格式不正确，已显示今天")
    rows = selectors.coverage(user, on)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return _coverage_xlsx(request, on, rows)
    if fmt:
        return bad_format(fmt)
    by_town, by_cadre = selectors.coverage_totals(rows)
    norms = [(PairingKind(k).label, *selectors.norm_for(k)) for k in PairingKind.values]
    return render(
        request,
        "outreach/coverage.html",
        {
            **nav_context(request, "coverage"),
            "on": on,
            "on_iso": on.isoformat(),
            "missed": [r for r in rows if not r.met],
            "rows": rows,
            "by_town": by_town,
            "by_cadre": by_cadre,
            "norms": [(label, NormPeriod(p).label, n) for label, p, n in norms],
        },
    )
