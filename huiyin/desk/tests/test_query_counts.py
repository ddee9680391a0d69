"""Issue 15: a staff list's number of queries does not grow with its rows. Each screen is measured with
3 cases and again with 30 (more than a page of 25), and the two counts must be equal — an N+1 (a
query per row) makes the second larger and fails here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huiyin.cases import selectors
from huiyin.cases.tests.exporting import measure_sizes
from huiyin.core import timeutil
from huiyin.supervision.services import order_issue
from huiyin.workflow import services as wf
from huiyin.workflow.clocks import sweep_clocks

pytestmark = pytest.mark.django_db

SIZES = (3, 30)
START = date(2025, 3, 3)  # a Monday; 登记分办 turns yellow by 3/14 and red by 3/20 (as in test_views)


def _queries(client, url: str, params: dict[str, str] | None = None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


class Grower:
    """Adds cases until there are `n`, each brought to the state its queue lists."""

    def __init__(self, scenario, request, register_case, clock):
        self.scenario, self.request, self.register_case, self.clock = scenario, request, register_case, clock
        self.made = 0

    def __call__(self, n):
        who = self.request.getfixturevalue
        org, dispatcher = who("org"), who("dispatcher_zhou")
        self.clock.set(START)
        for _ in range(n - self.made):
            case = self.register_case()
            if self.scenario in ("assigned", "handling", "co_handling", "extension"):
                wf.case_accept(case=case, actor=dispatcher)
                co = [org.unit_b] if self.scenario == "co_handling" else None
                deadline = timeutil.today() + timedelta(days=30)
                wf.case_assign(case=case, actor=dispatcher, unit=org.unit_a, deadline=deadline, co_units=co)
            if self.scenario in ("handling", "extension"):
                case = wf.case_accept_assignment(case=case, actor=who("handler_wang_unit_a"))
            if self.scenario == "extension":
                wf.case_request_extension(
                    case=case, actor=who("handler_wang_unit_a"), days=10, reason="需调查"
                )
            if self.scenario == "supervised":  # 督办 addressed to the office (条例 §40)
                order_issue(
                    case=case,
                    actor=who("supervisor_chen"),
                    instructions="限期办理",
                    due_on=START + timedelta(9),
                )
        self.made = n
        if self.scenario in ("yellow", "red"):
            self.clock.set(START + timedelta(days=11))
            sweep_clocks()
        if self.scenario == "red":
            self.clock.set(START + timedelta(days=17))
            sweep_clocks()


# queue -> (who looks, what state the cases are in)
QUEUES = {
    "to_route": ("dispatcher_zhou", "registered"),
    "my_unit": ("handler_wang_unit_a", "handling"),
    "due_soon": ("dispatcher_zhou", "yellow"),
    "overdue": ("dispatcher_zhou", "red"),
    "co_handling": ("handler_zhao_unit_b", "co_handling"),
    "to_accept": ("handler_wang_unit_a", "assigned"),
    "supervised": ("dispatcher_zhou", "supervised"),
    "extension_requests": ("head_sun_unit_a", "extension"),
}


def test_every_declared_queue_is_measured():
    assert set(QUEUES) == set(selectors.queues())


@pytest.mark.parametrize("queue", list(QUEUES))
def test_workbench_queue_takes_as_many_queries_with_30_cases_as_with_3(
    queue, request, client, register_case, clock
):
    who, scenario = QUEUES[queue]
    client.force_login(request.getfixturevalue(who))
    grow = Grower(scenario, request, register_case, clock)
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _queries(client, reverse("workbench"), {"queue": queue}),
        lambda response: len(response.context["rows"]),
    )
    print(f"QUERIES workbench {queue}: {counts} rows {rows}")
    assert rows == [3, 25]  # the queue lists the cases: a query per row would show here
    assert counts[0] == counts[1], f"{queue}: {counts} queries with {SIZES} cases"


SHAPES = {
    "code": None,  # the newest case's code
    "phone": "13800001234",
    "id_number": "11010519491231002X",
    "name": "刘群众",
    "free text": "漏水",
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_search_takes_as_many_queries_with_30_cases_as_with_3(
    shape, request, client, register_case, clock, dispatcher_zhou
):
    client.force_login(dispatcher_zhou)
    grow = Grower("registered", request, register_case, clock)
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        q = SHAPES[shape] or selectors.case_list(dispatcher_zhou).first().code
        count, response = _queries(client, reverse("search"), {"q": q})
        counts.append(count)
        rows.append(len(response.context["rows"]))
    print(f"QUERIES search {shape}: {counts} rows {rows}")
    assert rows[0] >= 1 and rows[1] >= 1
    assert counts[0] == counts[1], f"search {shape}: {counts} queries with {SIZES} cases"


# --- 终结后跟进 (条例 §37¶3): the unit's follow-ups and their export ------------------------------------


class FollowedUp:
    """Adds follow-ups of the county office until there are `n`, on cases driven to 复核终结 through
    the real services (a new final case for every ten follow-ups), dated one a day from 5 January."""

    def __init__(self, request, register_case, clock):
        self.request, self.register_case, self.clock = request, register_case, clock
        self.made, self.cases = 0, []

    def __call__(self, n):
        from huiyin.cases.choices import Status
        from huiyin.workflow import aftercare
        from huiyin.workflow.tests.drive import drive_to

        cast, clerk = self.request.getfixturevalue("cast_all"), self.request.getfixturevalue("clerk_li")
        for i in range(self.made, n):
            self.clock.set(date(2025, 12, 30))
            if i % 10 == 0:
                self.cases.append(drive_to(self.register_case(), Status.FINAL, cast))
            aftercare.followup_plan(
                case=self.cases[i % len(self.cases)],
                actor=clerk,
                plan=f"上门回访{i}",
                due_on=date(2026, 1, 5) + timedelta(days=i),
            )
        self.clock.set(date(2026, 1, 20))  # some are past their date: the 已过计划日期 badge shows
        self.made = n


def _streamed(client, url: str, params: dict[str, str]) -> tuple[int, int]:
    """The queries of a streamed .xlsx read to its end (its rows are read as the file is written), and
    how many rows the file holds (the header included)."""
    from huiyin.cases.tests.exporting import workbook_rows

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
        assert response.status_code == 200 and response.streaming
        data = b"".join(response.streaming_content)
    return len(ctx.captured_queries), len(workbook_rows(data))


def test_the_follow_ups_list_takes_as_many_queries_with_30_as_with_3(
    request, client, register_case, clock, clerk_li
):
    grow = FollowedUp(request, register_case, clock)
    client.force_login(clerk_li)
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _queries(client, reverse("followups")),
        lambda response: len(response.context["rows"]),
    )
    print(f"QUERIES followups: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"followups: {counts} queries with {SIZES} follow-ups"


def test_the_follow_ups_export_takes_as_many_queries_with_30_rows_as_with_3(
    request, client, register_case, clock, clerk_li
):
    grow = FollowedUp(request, register_case, clock)
    client.force_login(clerk_li)
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        count, listed = _streamed(client, reverse("followups"), {"format": "xlsx"})
        counts.append(count)
        rows.append(listed)
    print(f"QUERIES followups export: {counts} rows {rows}")
    assert rows == [n + 1 for n in SIZES]  # the header, then a row per follow-up
    assert counts[0] == counts[1], f"followups export: {counts} queries with {SIZES} rows"


# --- a long list's export job: its page shows the progress, whatever the job's size ------------------


def test_an_export_jobs_page_takes_as_many_queries_for_30_rows_as_for_3(
    request,
    client,
    register_case,
    clock,
    dispatcher_zhou,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    from huiyin.cases import exports
    from huiyin.cases.models import ExportJob

    settings.HUIYIN_EXPORT_STREAM_ROWS = 0  # every list is long: an ExportJob the worker writes
    settings.MEDIA_ROOT = tmp_path
    client.force_login(dispatcher_zhou)
    grow = Grower("registered", request, register_case, clock)
    counts: dict[str, list[int]] = {
        "queued": [],
        "queued_partial": [],
        "done": [],
        "done_partial": [],
        "file": [],
    }
    totals = []
    for n in SIZES:
        grow(n)
        with django_capture_on_commit_callbacks(execute=False):
            response = client.get(reverse("workbench"), {"queue": "to_route", "format": "xlsx"})
        assert response.status_code == 302
        job = ExportJob.objects.order_by("-id").first()
        page = reverse("export_job", kwargs={"job": job.pk})
        htmx = {"HX-Request": "true"}
        counts["queued"].append(_queries(client, page)[0])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page, headers=htmx).status_code == 200
        counts["queued_partial"].append(len(ctx.captured_queries))
        assert exports.job_run(job.pk) == "done"  # the worker's part
        job.refresh_from_db()
        totals.append(job.done_rows)
        counts["done"].append(_queries(client, page)[0])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page, headers=htmx).status_code == 200
        counts["done_partial"].append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            file = client.get(reverse("export_job_file", kwargs={"job": job.pk}))
            assert file.status_code == 200
            b"".join(file.streaming_content)
        counts["file"].append(len(ctx.captured_queries))
    print(f"QUERIES export job: {counts} rows {totals}")
    assert totals == list(SIZES)
    for state, (few, many) in counts.items():
        assert few == many, f"export job {state}: {[few, many]} queries with {SIZES} rows"


def _case_with(org, clerk, dispatcher, handler, clock, n: int):
    """A collective complaint registered with `n` petitioners (the first five its representatives) and
    `n` attachments, then assigned to 住建局 `n` times: each time but the last 住建局 objects (异议) and
    the office takes it back (退回), so the timeline grows by three events and the clocks by two a round;
    the last assignment is accepted and in hand."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from huiyin.cases.services import CaseIn, PetitionerIn
    from huiyin.intake.services import case_register

    clock.set(START)
    people = [
        PetitionerIn(name=f"群众{i}", phone=f"139{n:02d}{i:06d}", is_representative=i < 5) for i in range(n)
    ]
    files = [
        SimpleUploadedFile(f"材料{i}.pdf", b"%PDF-1.4 test", content_type="application/pdf") for i in range(n)
    ]
    data = CaseIn(channel="visit", petition_type="complaint", title="安置房漏水", content="三栋楼道漏水半年",
                  request="维修", petitioners=people, is_collective=True, headcount=n)  # fmt: skip
    case, _ = case_register(data=data, office=org.county_office, actor=clerk, attachments=files)
    case = wf.case_accept(case=case, actor=dispatcher)
    for i in range(n):
        deadline = timeutil.today() + timedelta(days=30)
        case = wf.case_assign(case=case, actor=dispatcher, unit=org.unit_a, deadline=deadline)
        if i < n - 1:
            case = wf.case_object(case=case, actor=handler, reason=f"第{i}次：不属本局职责，应由街道办理")
            case = wf.case_return(case=case, actor=dispatcher, reason="同意异议")
    return wf.case_accept_assignment(case=case, actor=handler)


@pytest.mark.parametrize("who", ["dispatcher_zhou", "handler_wang_unit_a"])
def test_the_case_page_takes_as_many_queries_with_30_petitioners_attachments_and_rounds_as_with_3(
    who, request, client, org, clerk_li, dispatcher_zhou, handler_wang_unit_a, clock
):
    """The case page: its petitioners (masked), attachments, timeline and every clock, past and live,
    for the office that routes it and the unit that handles it."""
    client.force_login(request.getfixturevalue(who))
    counts, rows = [], []
    for n in SIZES:
        case = _case_with(org, clerk_li, dispatcher_zhou, handler_wang_unit_a, clock, n)
        count, response = _queries(client, reverse("case_detail", args=[case.code]))
        ctx = response.context
        counts.append(count)
        rows.append(
            (len(ctx["parties"]), len(ctx["attachments"]), len(ctx["events"]), len(ctx["past_clocks"]))
        )
    print(f"QUERIES case_detail {who}: {counts} parties, attachments, events, past clocks {rows}")
    assert [r[:2] for r in rows] == [(n, n) for n in SIZES]
    assert rows[1][2] - rows[0][2] >= 3 * 27 and rows[1][3] > rows[0][3] + 27
    assert counts[0] == counts[1], f"case page for {who}: {counts} queries with {rows}"
