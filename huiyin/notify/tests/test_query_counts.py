"""Issue 15: the 通知 inbox's number of queries does not grow with its rows. The inbox page (all, and
unread only) and its API collection are measured with 3 notices and again with 30, and the two counts
must be equal — an N+1 (a query per notice, e.g. its case) makes the second larger and fails here."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huiyin.notify import staff
from huiyin.org.services import token_issue
from huiyin.workflow import services as wf

pytestmark = pytest.mark.django_db

SIZES = (3, 30)
DAY = date(2025, 3, 3)


class Forwarded:
    """The county office accepts cases and forwards each to 住建局 until its handler has `n` notices
    (转送: one notice to each of the unit's staff), every other one then opened (read)."""

    def __init__(self, committed, register_case, org, dispatcher, handler, clock):
        self.committed, self.register_case, self.org = committed, register_case, org
        self.dispatcher, self.handler, self.clock, self.made = dispatcher, handler, clock, 0

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            case = self.committed(self.register_case, title=f"楼道漏水{i}")
            case = self.committed(wf.case_accept, case=case, actor=self.dispatcher)
            self.committed(wf.case_forward, case=case, actor=self.dispatcher, unit=self.org.unit_a)
            if i % 2:
                latest = staff.inbox(self.handler).filter(case=case).get()
                staff.mark_read(self.handler, [latest.pk])
        self.made = n


def _measure(grow, get, rows_of) -> tuple[list[int], list[int]]:
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        with CaptureQueriesContext(connection) as ctx:
            response = get()
            assert response.status_code == 200, response.status_code
        counts.append(len(ctx.captured_queries))
        rows.append(rows_of(response))
    return counts, rows


@pytest.mark.parametrize("unread", [False, True])
def test_the_inbox_takes_as_many_queries_with_30_notices_as_with_3(
    unread, client, committed, register_case, org, dispatcher_zhou, handler_wang_unit_a, clock
):
    grow = Forwarded(committed, register_case, org, dispatcher_zhou, handler_wang_unit_a, clock)
    client.force_login(handler_wang_unit_a)
    params = {"unread": "1"} if unread else {}
    counts, rows = _measure(
        grow, lambda: client.get(reverse("notices"), params), lambda r: len(r.context["notices"])
    )
    print(f"QUERIES notices unread={unread}: {counts} rows {rows}")
    assert rows == ([2, 15] if unread else list(SIZES))
    assert counts[0] == counts[1], f"inbox: {counts} queries with {SIZES} notices"


def test_the_notices_api_takes_as_many_queries_with_30_notices_as_with_3(
    committed, register_case, org, dispatcher_zhou, handler_wang_unit_a, clock
):
    grow = Forwarded(committed, register_case, org, dispatcher_zhou, handler_wang_unit_a, clock)
    _, raw = token_issue(user=handler_wang_unit_a, name="测试")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    assert api.get("/api/notices").status_code == 200  # the token's first use is recorded once, not measured
    counts, rows = _measure(grow, lambda: api.get("/api/notices"), lambda r: len(r.json()["items"]))
    print(f"QUERIES notices_api: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"notices API: {counts} queries with {SIZES} notices"
