"""Issue 15: the 历史数据导入 screens take as many queries with many batches as with few. The office's
batches list and its .xlsx export are measured with 3 batches and with 55 (more than the list's 50), a
batch's page with 3 imported cases and with 55; the two counts must be equal — a query per row (an N+1)
makes the second larger and fails here."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.cases.tests.exporting import counted_get, measure_sizes
from huiyin.imports import services
from huiyin.imports.choices import BatchState
from huiyin.imports.demo import workbook
from huiyin.imports.tests.test_import import row

pytestmark = pytest.mark.django_db

SIZES = (3, 55)  # 55: more than the LIST_LIMIT of 50 the page shows
TODAY = date(2025, 12, 1)


def _count(client, url: str, params: dict[str, str] | None = None) -> tuple[int, object]:
    """The queries of one GET and its response, or a streamed .xlsx's rows (read inside the count)."""
    count, response = counted_get(client, url, params)
    return count, (response.sheet_rows if response.streaming else response)


class Batches:
    """Adds import batches of the county office until there are `n` (each a one-row file through
    `batch_submit`; every third one fails validation, every fifth is a re-import skipped as done),
    uploaded by the clerk and the dispatcher in turn."""

    def __init__(self, request, clock):
        self.request, self.clock = request, clock
        self.made = 0

    def __call__(self, n: int) -> None:
        clerk, dispatcher = (self.request.getfixturevalue(p) for p in ("clerk_li", "dispatcher_zhou"))
        self.clock.set(TODAY)
        for i in range(self.made, n):
            if i % 3 == 2:
                rows = [row(i, channel="飞鸽传书")]  # an unknown channel: the whole file is refused
            elif i % 5 == 4:
                rows = [row(0)]  # imported already: skipped
            else:
                rows = [row(i)]
            batch = services.batch_submit(
                content=workbook(rows), file_name=f"台账{i}.xlsx", actor=dispatcher if i % 2 else clerk
            )
            assert batch.state in (BatchState.DONE, BatchState.FAILED)
        self.made = n


@pytest.mark.parametrize("who", ["dispatcher_zhou", "clerk_li"])
def test_the_batches_list_takes_as_many_queries_with_55_batches_as_with_3(who, request, client, clock):
    grow = Batches(request, clock)
    client.force_login(request.getfixturevalue(who))
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _count(client, reverse("imports_home")),
        lambda response: len(response.context["batches"]),
    )
    print(f"QUERIES imports list {who}: {counts} rows {rows}")
    assert rows == [3, 50]
    assert counts[0] == counts[1], f"imports list: {counts} queries with {SIZES} batches"


def test_the_batches_export_takes_as_many_queries_with_55_rows_as_with_3(
    request, client, clock, dispatcher_zhou
):
    grow = Batches(request, clock)
    client.force_login(dispatcher_zhou)
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        count, sheet = _count(client, reverse("imports_home"), {"format": "xlsx"})
        counts.append(count)
        rows.append(len(sheet))
    print(f"QUERIES imports export: {counts} rows {rows}")
    assert rows == [n + 1 for n in SIZES]  # the header, then every batch (not only the page's 50)
    assert counts[0] == counts[1], f"imports export: {counts} queries with {SIZES} rows"


def test_a_batchs_page_takes_as_many_queries_with_55_imported_cases_as_with_3(client, clock, dispatcher_zhou):
    clock.set(TODAY)
    client.force_login(dispatcher_zhou)
    counts, rows = [], []
    for n in SIZES:
        batch = services.batch_submit(
            content=workbook([row(1000 * n + i) for i in range(n)]),
            file_name=f"台账{n}.xlsx",
            actor=dispatcher_zhou,
        )
        assert batch.state == BatchState.DONE, (batch.state, batch.message)
        count, response = _count(client, reverse("imports_batch", kwargs={"pk": batch.pk}))
        counts.append(count)
        rows.append(len(response.context["cases"]))
    print(f"QUERIES import batch page: {counts} cases {rows}")
    assert rows == [3, 50]
    assert counts[0] == counts[1], f"batch page: {counts} queries with {SIZES} imported cases"
