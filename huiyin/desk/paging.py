"""Pages of the staff lists without COUNT(*) (issue 15): the workbench's queues and search read one
row past the page to know whether a next page exists, and the next page starts after the last row
shown (keyset on the lists' order, newest first on (registered_at, id)). `?page=N` alone still works
(an offset, for the links people already have); the tabs count at most `COUNT_CAP` rows each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from huiyin.cases.models import Case
from huiyin.cases.schemas import decode_cursor, encode_cursor
from huiyin.core import timeutil
from huiyin.core.errors import ValidationFailed
from huiyin.workflow.web import PAGE_SIZE, most_urgent, with_live_clocks

COUNT_CAP = 100  # a tab shows 0…99, then "99+"
MAX_PAGE = 10_000  # an offset page beyond this is the last one offered (no huge OFFSET from a URL)


@dataclass(frozen=True)
class KeysetPage:
    """What `_case_table.html` needs of a page: its rows, its number, and the links either side."""

    object_list: list[Case]
    number: int
    next_query: str  # the query string of the next page ("" when this is the last)
    keyset: bool = True

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def has_next(self) -> bool:
        return bool(self.next_query)


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def keyset_paginate(request: HttpRequest, qs: QuerySet[Case]) -> KeysetPage:
    """The page of `qs` the request asks for (`after` a row, or `page` N), with one row read ahead."""
    number = _page_number(request.GET.get("page"))
    ordered = with_live_clocks(qs.order_by("-registered_at", "-id"))
    after = request.GET.get("after")
    cursor = None
    if after:
        try:
            cursor = decode_cursor(after[:200])
        except ValidationFailed:
            cursor = None  # a mangled link: the first page, as for a bad page number
            number = 1
    if cursor is not None:
        moment, pk = cursor
        ordered = ordered.filter(Q(registered_at__lt=moment) | Q(registered_at=moment, pk__lt=pk))
        rows = list(ordered[: PAGE_SIZE + 1])
    else:
        start = (number - 1) * PAGE_SIZE
        rows = list(ordered[start : start + PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_query = urlencode({"after": encode_cursor(rows[-1]), "page": number + 1}) if more else ""
    return KeysetPage(rows, number, next_query)


def capped_count(qs: QuerySet[Case]) -> int:
    """How many rows, counting at most `COUNT_CAP` (the template shows "99+" beyond 99)."""
    return qs.order_by().values("pk")[:COUNT_CAP].count()


def page_rows(page: KeysetPage) -> list[dict[str, Any]]:
    """The table's rows: each case with its most urgent live clock (prefetched: no query per row)."""
    today = timeutil.today()
    return [{"case": c, "clock": most_urgent(c.live_clocks, today)} for c in page.object_list]  # type: ignore[attr-defined]
