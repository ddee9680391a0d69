"""人民建议征集 — the suggestion-collection list (条例 §29; issue 10, HD-2): every suggestion the user may
see, with its adoption, filterable by adoption, status, handling unit and registration dates, with
totals per adoption for the §41 annual report (IS-3(三))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from huiyin.cases import selectors
from huiyin.cases.choices import Adoption, PetitionType, Status
from huiyin.cases.models import Case
from huiyin.org.models import Unit, User

PENDING = "pending"  # a filter value: not answered yet (no adoption recorded)


@dataclass(frozen=True)
class SuggestionFilter:
    adoption: str = ""
    status: str = ""
    unit: int | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_query(cls, query: Any) -> SuggestionFilter:
        """Read the filter from a query string; a value that is not a known choice is ignored."""
        adoption = query.get("adoption", "")
        status = query.get("status", "")
        unit = query.get("unit", "")
        return cls(
            adoption=adoption if adoption in (*Adoption.values, PENDING) else "",
            status=status if status in Status.values else "",
            unit=int(unit) if unit.isdigit() and len(unit) < 10 else None,
            since=_date(query.get("since", "")),
            until=_date(query.get("until", "")),
        )

    def query(self) -> str:
        pairs = {
            "adoption": self.adoption,
            "status": self.status,
            "unit": self.unit or "",
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def suggestions_for(user: User, f: SuggestionFilter) -> QuerySet[Case]:
    """The suggestions `user` may see (selectors.visible_to), filtered."""
    qs = selectors.visible_to(user).filter(petition_type=PetitionType.SUGGESTION)
    if f.adoption == PENDING:
        qs = qs.filter(adoption="")
    elif f.adoption:
        qs = qs.filter(adoption=f.adoption)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.unit is not None:
        qs = qs.filter(handling_unit_id=f.unit)
    if f.since is not None:
        qs = qs.filter(registered_at__date__gte=f.since)
    if f.until is not None:
        qs = qs.filter(registered_at__date__lte=f.until)
    return qs


def adoption_counts(qs: QuerySet[Case]) -> list[dict[str, Any]]:
    """How many suggestions were adopted, partly adopted, not adopted, or are not answered yet."""
    counts = dict(qs.order_by().values_list("adoption").annotate(n=Count("id")))
    rows = [{"value": a.value, "label": a.label, "count": counts.get(a.value, 0)} for a in Adoption]
    rows.append({"value": PENDING, "label": "尚未答复", "count": counts.get("", 0)})
    return rows


@login_required
@require_GET
def suggestion_list(request: HttpRequest) -> HttpResponse:
    from huiyin.org.views import nav_context
    from huiyin.workflow.web import case_rows, paginate

    user: User = request.user  # type: ignore[assignment]
    f = SuggestionFilter.from_query(request.GET)
    qs = suggestions_for(user, f).select_related("handling_unit", "office")
    page = paginate(request, qs)
    unit_ids = (
        selectors.visible_to(user)
        .filter(petition_type=PetitionType.SUGGESTION, handling_unit__isnull=False)
        .order_by()
        .values_list("handling_unit_id", flat=True)
        .distinct()
    )
    context = {
        **nav_context(request, "suggestions"),
        "f": f,
        "page": page,
        "rows": case_rows(page),
        "base_query": f.query(),
        # the totals ignore the adoption filter: they are what the filter chooses between
        "counts": adoption_counts(
            suggestions_for(
                user, SuggestionFilter(status=f.status, unit=f.unit, since=f.since, until=f.until)
            )
        ),
        "adoptions": [*Adoption.choices, (PENDING, "尚未答复")],
        "statuses": Status.choices,
        "units": Unit.objects.filter(pk__in=list(unit_ids)).order_by("name"),
    }
    return render(request, "cases/suggestions.html", context)
