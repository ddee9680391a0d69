"""Issue 15: an analytics list's number of queries does not grow with its rows. The cases behind a
figure (page, past its first page, and export) and the 民主评议 rounds (page and ?format=xlsx) are each
measured with 3 rows and again with 30, and the two counts must be equal — an N+1 (a query per row)
makes the second larger and fails here. (The dashboard's own count is in test_dashboard.py.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huiyin.analytics import survey
from huiyin.analytics.models import SurveyAnswer
from huiyin.cases.tests.exporting import workbook_rows
from huiyin.workflow import services as wf
from huiyin.workflow.web import PAGE_SIZE

pytestmark = pytest.mark.django_db

SIZES = (3, 30)
DAY = date(2025, 11, 3)


def _queries(client, url: str, params: dict[str, str] | None = None) -> tuple[int, object]:
    """The queries of one GET, a streamed .xlsx read to its end (its rows are queried as it streams);
    the .xlsx's rows are left on the response as `sheet_rows`."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        assert response.status_code == 200, response.status_code
        if response.streaming:
            response.sheet_rows = workbook_rows(b"".join(response.streaming_content))
    return len(ctx.captured_queries), response


def _measure(client, grow, url: str, params: dict[str, str], rows_of) -> tuple[list[int], list[int]]:
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        count, response = _queries(client, url, params)
        counts.append(count)
        rows.append(rows_of(response))
    return counts, rows


class Cases:
    """Registers November complaints at the county office until there are `n`; the office accepts each
    and assigns it to 住建局 (unit A), half of them with 民政局 (unit B) co-handling, so each row has a
    handling unit, a running clock and a petitioner."""

    def __init__(self, org, register_case, dispatcher, clock):
        self.org, self.register_case, self.dispatcher, self.clock = org, register_case, dispatcher, clock
        self.made = 0

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            case = wf.case_accept(case=self.register_case(), actor=self.dispatcher)
            co = [self.org.unit_b] if i % 2 else None
            wf.case_assign(case=case, actor=self.dispatcher, unit=self.org.unit_a,
                           deadline=DAY + timedelta(days=30), co_units=co)  # fmt: skip
        self.clock.set(DAY + timedelta(days=7))
        self.made = n


FIGURES = {
    "registered": lambda org: {"metric": "registered", "part": "den", "start": "2025-11-01", "end": "2025-11-30"},
    "backlog": lambda org: {"backlog": "open", "unit": str(org.unit_a.pk)},
}  # fmt: skip
# who looks at which figure: a unit's view is its own (the office's backlog is its routing, which the
# assignments stopped; unit A registers nothing), so each figure is measured where it lists the cases
LOOKS = [
    ("supervisor_chen", "registered"),
    ("supervisor_chen", "backlog"),
    ("dispatcher_zhou", "registered"),
    ("handler_wang_unit_a", "backlog"),
]


@pytest.mark.parametrize(("who", "figure"), LOOKS)
def test_the_cases_behind_a_figure_take_as_many_queries_with_30_cases_as_with_3(
    who, figure, request, client, org, register_case, dispatcher_zhou, clock
):
    """The county's supervisor, the county office and unit A's own view; 30 cases run past the list's
    first page."""
    client.force_login(request.getfixturevalue(who))
    grow = Cases(org, register_case, dispatcher_zhou, clock)
    counts, rows = _measure(
        client, grow, reverse("analytics_cases"), FIGURES[figure](org), lambda r: len(r.context["rows"])
    )
    print(f"QUERIES analytics_cases {who} {figure}: {counts} rows {rows}")
    assert rows == [3, PAGE_SIZE]
    assert counts[0] == counts[1], f"cases of {figure} for {who}: {counts} queries with {SIZES} cases"


@pytest.mark.parametrize("identity", ["masked", "full"])
@pytest.mark.parametrize("figure", list(FIGURES))
def test_the_cases_export_takes_as_many_queries_with_30_cases_as_with_3(
    figure, identity, client, org, register_case, dispatcher_zhou, supervisor_chen, clock
):
    client.force_login(supervisor_chen)
    grow = Cases(org, register_case, dispatcher_zhou, clock)
    params = FIGURES[figure](org) | ({"identity": "full"} if identity == "full" else {})
    heading = 2  # the figure and its filters, then the header row
    counts, rows = _measure(
        client, grow, reverse("analytics_cases_export"), params, lambda r: len(r.sheet_rows) - heading - 1
    )
    print(f"QUERIES analytics_cases_export {figure} {identity}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"export of {figure}: {counts} queries with {SIZES} cases"


class Rounds:
    """An administrator opens monthly 民主评议 rounds over the county until there are `n`, rating units A
    and B; each gets three residents' cards, one of them answered, and every other round is closed."""

    def __init__(self, org, admin, clock):
        self.org, self.admin, self.clock, self.made = org, admin, clock, 0

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        units = [self.org.unit_a, self.org.unit_b]
        for i in range(self.made, n):
            start = date(2025 - i // 12, 12 - i % 12, 1) - timedelta(days=31)
            r = survey.round_open(title=f"民主评议{i}", territory=self.org.county, start=start.replace(day=1),
                                  end=start.replace(day=28), units=units, actor=self.admin)  # fmt: skip
            tokens = survey.invite(round=r, petitioners=0, residents=3)
            survey.answer(token=tokens[0].token, scores={u.pk: SurveyAnswer.Score.SATISFIED for u in units})
            if i % 2:
                survey.round_close(round=r, actor=self.admin)
        self.made = n


@pytest.mark.parametrize("fmt", ["page", "xlsx"])
@pytest.mark.parametrize("who", ["admin_ma", "supervisor_chen", "handler_wang_unit_a"])
def test_the_survey_rounds_take_as_many_queries_with_30_rounds_as_with_3(
    who, fmt, request, client, org, admin_ma, clock
):
    """The administrator and the county's supervisor see the territory's rounds; unit A the rounds it is
    rated in."""
    client.force_login(request.getfixturevalue(who))
    grow = Rounds(org, admin_ma, clock)
    params = {"format": "xlsx"} if fmt == "xlsx" else {}
    rows_of = (lambda r: len(r.sheet_rows) - 1) if fmt == "xlsx" else (lambda r: len(r.context["rounds"]))
    counts, rows = _measure(client, grow, reverse("analytics_surveys"), params, rows_of)
    print(f"QUERIES analytics_surveys {who} {fmt}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"rounds {fmt} for {who}: {counts} queries with {SIZES} rounds"


class Offices:
    """Adds township petition offices under the county until `n` units are scored, each registering
    one November complaint and, every other one, a collective one (集体访占比, weighed by the
    administrator), then rebuilds the roll-ups the scorecard reads; January to November are closed."""

    def __init__(self, org, admin, clerk, clock):
        self.org, self.admin, self.clerk, self.clock, self.made = org, admin, clerk, clock, 0

    def __call__(self, n: int) -> None:
        from huiyin.analytics import scorecard, services
        from huiyin.analytics.models import ClosedMonth
        from huiyin.cases.services import CaseIn, PetitionerIn
        from huiyin.intake.services import case_register
        from huiyin.org.choices import UnitKind
        from huiyin.org.models import Unit

        self.clock.set(DAY)
        for i in range(self.made, n):
            office = Unit.objects.create(code=f"XF-{i}", name=f"第{i}信访办", kind=UnitKind.PETITION_OFFICE,
                                         territory=self.org.county, parent=self.org.county_gov)  # fmt: skip
            for collective in (False, bool(i % 2)):
                person = PetitionerIn(name=f"群众{i}", phone=f"139{i:08d}", is_representative=collective)
                data = CaseIn(channel="visit", petition_type="complaint", title="楼道漏水", content="漏水半年",
                              request="维修", petitioners=[person], is_collective=collective,
                              headcount=6 if collective else 1)  # fmt: skip
                case_register(data=data, office=office, actor=self.clerk)
        self.made = n
        self.clock.set(date(2025, 12, 3))
        if not ClosedMonth.objects.exists():
            for m in range(1, 12):
                ClosedMonth.objects.create(month=date(2025, m, 1), closed_at=services.timeutil.now())
            scorecard.weights_set(year=2025, weights={"collective_share": 100}, actor=self.admin)
        services.rollup_rebuild(include_closed=True)


def test_the_scorecard_takes_as_many_queries_with_30_units_as_with_3(
    client, org, admin_ma, clerk_li, supervisor_chen, clock
):
    """考核 (条例 §39): one row per unit scored, each cell with its link to the cases behind it."""
    client.force_login(supervisor_chen)
    grow = Offices(org, admin_ma, clerk_li, clock)
    counts, rows = _measure(
        client, grow, reverse("analytics_scorecard"), {"year": "2025"}, lambda r: len(r.context["card"].rows)
    )
    print(f"QUERIES analytics_scorecard: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"scorecard: {counts} queries with {SIZES} units"
