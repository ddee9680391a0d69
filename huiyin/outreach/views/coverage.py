"""走访覆盖: the paired points not visited as often as their norm asks, by township and by cadre."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from huiyin.core import timeutil
from huiyin.org.views import nav_context
from huiyin.outreach import selectors
from huiyin.outreach.choices import NormPeriod, PairingKind


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Which paired points were not visited as often as their norm asks, in the month or quarter
    containing the chosen day, by township and by cadre."""
    user: Any = request.user
    try:
        on = date.fromisoformat(request.GET.get("on", "")) if request.GET.get("on") else timeutil.today()
    except ValueError:
        on = timeutil.today()
        messages.error(request, "日期格式不正确，已显示今天")
    rows = selectors.coverage(user, on)
    by_town, by_cadre = selectors.coverage_totals(rows)
    norms = [(PairingKind(k).label, *selectors.norm_for(k)) for k in PairingKind.values]
    return render(
        request,
        "outreach/coverage.html",
        {
            **nav_context(request, "coverage"),
            "on": on,
            "missed": [r for r in rows if not r.met],
            "rows": rows,
            "by_town": by_town,
            "by_cadre": by_cadre,
            "norms": [(label, NormPeriod(p).label, n) for label, p, n in norms],
        },
    )
