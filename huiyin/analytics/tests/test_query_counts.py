"""Issue 15: an analytics list's number of queries does not grow with its rows. The cases behind a
figure (page, past its first page, and export), the 民主评议 rounds (page and ?format=xlsx) and a round's
units, the 考核
scorecard, the dashboard with its rankings (红黑榜 of units and of townships; the territory's, a unit's
own), the portal's anonymised statistics and the stored 通报 list are each measured with 3 rows and
again with 30, and the two counts must be equal — an N+1 (a query per row) makes the second larger and
fails here. (test_dashboard.py also compares the dashboard before and after five more cases.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from huiyin.analytics import survey
from huiyin.analytics.models import SurveyAnswer
from huiyin.cases.tests.exporting import counted_get, measure_sizes
from huiyin.workflow import services as wf
from huiyin.workflow.web import PAGE_SIZE

pytestmark = pytest.mark.django_db

SIZES = (3, 30)
DAY = date(2025, 11, 3)


def _measure(client, grow, url: str, params, rows_of) -> tuple[list[int], list[int]]:
    return measure_sizes(SIZES, grow, lambda: _queries(client, url, params), rows_of)


def _queries(client, url: str, params: dict[str, object] | None = None) -> tuple[int, object]:
    return counted_get(client, url, params, skip=0)


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


class Ranked:
    """Adds townships under the county and departments to handle their matters until there are `n` of
    each (the first the fixture's 东城镇 and 住建局): in each township a November complaint is registered
    at the county office, assigned to its department, accepted and answered there — by turns on time or
    past a deadline already gone — so each department is ranked (红黑榜) and each township too; a second
    one is assigned to 住建局 and left open (its own view grows by township). Then the roll-ups the
    dashboard and the portal read are rebuilt."""

    def __init__(self, org, register_case, dispatcher, clock):
        self.org, self.register_case, self.dispatcher, self.clock = org, register_case, dispatcher, clock
        self.made = 0

    def __call__(self, n: int) -> None:
        from huiyin.analytics import services
        from huiyin.analytics.tests.story import REPLY
        from huiyin.org.choices import TerritoryLevel, UnitKind
        from huiyin.org.models import Territory, Unit, User

        for i in range(self.made, n):
            if i == 0:
                town, unit = self.org.township, self.org.unit_a
            else:
                town = Territory.objects.create(code=f"4301211{i:02d}", name=f"第{i}镇", level=TerritoryLevel.TOWNSHIP,
                                                parent=self.org.county)  # fmt: skip
                unit = Unit.objects.create(code=f"X-D{i}", name=f"示范县第{i}局", kind=UnitKind.HOUSING,
                                           territory=self.org.county, parent=self.org.county_gov)  # fmt: skip
            handler = User.objects.create_user(username=f"rank_h{i}", password="x", unit=unit, role="handler")
            self.clock.set(DAY)
            case = wf.case_accept(case=self.register_case(territory_id=town.pk), actor=self.dispatcher)
            due = DAY + timedelta(days=1 if i % 2 else 30)
            case = wf.case_assign(case=case, actor=self.dispatcher, unit=unit, deadline=due)
            case = wf.case_accept_assignment(case=case, actor=handler)
            self.clock.set(DAY + timedelta(days=3))
            wf.case_reply(case=case, actor=handler, decision="support", completion_report="已办结", **REPLY)
            self.clock.set(DAY)  # and a second matter of the township, left in 住建局's hands
            case = wf.case_accept(case=self.register_case(territory_id=town.pk), actor=self.dispatcher)
            wf.case_assign(
                case=case, actor=self.dispatcher, unit=self.org.unit_a, deadline=DAY + timedelta(days=30)
            )
        self.made = n
        self.clock.set(date(2025, 12, 3))
        services.rollup_rebuild()


@pytest.mark.parametrize("who", ["supervisor_chen", "handler_wang_unit_a"])
def test_the_dashboard_takes_as_many_queries_with_30_ranked_units_and_townships_as_with_3(
    who, request, client, org, register_case, dispatcher_zhou, clock
):
    """The county's supervisor sees every department and township ranked (红黑榜); 住建局's own view, its
    own figures: one ranked unit, its matters by township."""
    client.force_login(request.getfixturevalue(who))
    grow = Ranked(org, register_case, dispatcher_zhou, clock)

    def rows_of(response) -> tuple[int, int, int, int]:
        tables = response.context["tables"]
        by_town = [r for r in tables["volume_by_territory"].rows if r[1]]
        backlog = {r[0]: r[1] for r in tables["backlog"].rows}.get(org.unit_a.name, 0)
        return len(tables["rankings"].rows), len(tables["territory_rankings"].rows), len(by_town), backlog

    counts, rows = _measure(client, grow, reverse("analytics_dashboard"), {"month": "2025-11"}, rows_of)
    print(f"QUERIES analytics_dashboard {who}: {counts} rankings, townships, by township, backlog {rows}")
    if who == "supervisor_chen":
        assert rows == [(n, n, n, n) for n in SIZES]
    else:
        assert [(r[0], r[3]) for r in rows] == [(1, n) for n in SIZES]
    assert counts[0] == counts[1], f"dashboard for {who}: {counts} queries with {SIZES} units and townships"


def test_the_public_statistics_take_as_many_queries_with_30_ranked_units_as_with_3(
    client, org, register_case, dispatcher_zhou, clock
):
    """The portal's page, anonymised and cached: measured with the cache cleared, so each figure is read."""
    from django.core.cache import cache

    grow = Ranked(org, register_case, dispatcher_zhou, clock)

    def rows_of(response) -> tuple[int, int, int]:
        stats = response.context["stats"]
        heat = [r for r in stats["tables"]["territory_heat"].extra if r["name"].endswith("镇")]
        return stats["total"], len(stats["rankings"]), len(heat)

    counts, rows = [], []
    for n in SIZES:
        grow(n)
        cache.clear()
        count, response = _queries(client, reverse("portal_statistics"))
        counts.append(count)
        rows.append(rows_of(response))
    print(f"QUERIES portal_statistics: {counts} total, ranked, townships {rows}")
    assert rows == [(2 * n, n, n) for n in SIZES]
    assert counts[0] == counts[1], f"public statistics: {counts} queries with {SIZES} units"


def test_the_documents_list_takes_as_many_queries_with_30_documents_as_with_3(
    client, org, supervisor_chen, admin_ma, clock
):
    """The stored 通报 of the county's months (and of the township's office every third month), each
    named with its territory and who generated it."""
    from huiyin.analytics import documents
    from huiyin.analytics.models import Document
    from huiyin.org.models import Unit

    Unit.objects.create(code="T-XF", name="东城镇信访办", kind="petition_office", territory=org.township,
                        parent=org.township_gov)  # fmt: skip
    clock.set(date(2025, 12, 3))
    client.force_login(supervisor_chen)
    counts, rows, made = [], [], 0
    for n in SIZES:
        for i in range(made, n):
            back = 2025 * 12 + 10 - i  # November 2025, then each month before it
            month = date(back // 12, back % 12 + 1, 1)
            territory = org.township if i % 3 == 2 else org.county
            documents.document_ensure(Document.Kind.BULLETIN, month, territory, actor=admin_ma)
        made = n
        count, response = _queries(client, reverse("analytics_documents"))
        counts.append(count)
        rows.append(len(response.context["documents"]))
    print(f"QUERIES analytics_documents: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"documents: {counts} queries with {SIZES} documents"


@pytest.mark.parametrize("who", ["admin_ma", "supervisor_chen"])
def test_a_survey_rounds_page_takes_as_many_queries_with_30_units_rated_as_with_3(
    who, request, client, org, admin_ma, clock
):
    """A 民主评议 round rating `n` departments, each rated by `n` invited residents who answered."""
    from huiyin.org.choices import UnitKind
    from huiyin.org.models import Unit

    clock.set(DAY)
    client.force_login(request.getfixturevalue(who))
    counts, rows = [], []
    for n in SIZES:
        units = [
            Unit.objects.create(code=f"S{n}-{i}", name=f"评议单位{n}-{i}", kind=UnitKind.HOUSING,
                                territory=org.county, parent=org.county_gov)
            for i in range(n)
        ]  # fmt: skip
        r = survey.round_open(title=f"民主评议{n}", territory=org.county, start=date(2025, 10, 1),
                              end=date(2025, 10, 28), units=units, actor=admin_ma)  # fmt: skip
        for token in survey.invite(round=r, petitioners=0, residents=n):
            survey.answer(token=token.token, scores={u.pk: SurveyAnswer.Score.SATISFIED for u in units})
        count, response = _queries(client, reverse("analytics_survey", args=[r.pk]))
        counts.append(count)
        results = response.context["results"]
        rows.append((len(results["units"]), sum(u["n"] for u in results["units"])))
    print(f"QUERIES analytics_survey {who}: {counts} units, answers {rows}")
    assert rows == [(n, n * n) for n in SIZES]
    assert counts[0] == counts[1], f"survey round for {who}: {counts} queries with {SIZES} units"
