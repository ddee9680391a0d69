"""Issue 15: an outreach list's number of queries does not grow with its rows. The 民情日记 (page and
export), the 公开承诺 (page and export) and the 走访覆盖 (page and ?format=xlsx) are each measured with 3
rows and again with 30, and the two counts must be equal — an N+1 (a query per row) makes the second
larger and fails here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huiyin.cases.exports import WITHHELD
from huiyin.cases.tests.exporting import workbook_rows
from huiyin.org.models import User
from huiyin.outreach import services
from huiyin.outreach.choices import CommitmentAction, PairingKind
from huiyin.outreach.models import Pairing

pytestmark = pytest.mark.django_db

SIZES = (3, 30)
DAY = date(2025, 3, 3)


def _queries(client, url: str, params: dict[str, str] | None = None) -> tuple[int, object]:
    """The queries of one GET, a streamed .xlsx read to its end (its rows are queried as it streams);
    the .xlsx's data rows are left on the response as `sheet_rows`."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        assert response.status_code == 200, response.status_code
        if response.streaming:
            response.sheet_rows = workbook_rows(b"".join(response.streaming_content))[1:]
    return len(ctx.captured_queries), response


def _measure(client, grow, url: str, params: dict[str, str] | None, rows_of) -> tuple[list[int], list[int]]:
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        count, response = _queries(client, url, params)
        counts.append(count)
        rows.append(rows_of(response))
    return counts, rows


class Entries:
    """Writes 柳林村 diary entries until there are `n`, each with two problems found; in every third
    entry one problem becomes an accusation against the township government (条例 §30¶3: its staff may
    not read that entry), registered with the person's consent."""

    def __init__(self, make_entry, grid_ma, org, clock):
        self.make_entry, self.grid_ma, self.org, self.clock = make_entry, grid_ma, org, clock
        self.made = 0

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            entry = self.make_entry(problems=[f"村口道路塌陷{i}", f"路灯不亮{i}"])
            if i % 3 == 0:
                data = services.CaseFromProblemIn(
                    title="截留补助", request="请查处", person_name="李某", consent_given=True,
                    consent_note="当面口头同意", petition_type="accusation", accused_person="某镇干部",
                )  # fmt: skip
                data.accused_unit_id = self.org.township_gov.pk
                problem = entry.problems.order_by("id").first()
                services.problem_to_case(problem=problem, data=data, actor=self.grid_ma)
        self.made = n


@pytest.fixture
def township_staff(org):
    """A handler of 东城镇人民政府: reads the township's diaries, but not the entries about accusations
    against his own government."""
    return User.objects.create_user(username="town_h", password="x", unit=org.township_gov, role="handler")


READERS = ["grid_ma", "township_dispatcher", "township_staff", "supervisor_chen"]


@pytest.mark.parametrize("who", READERS)
def test_the_diary_takes_as_many_queries_with_30_entries_as_with_3(
    who, request, client, make_entry, grid_ma, org, clock
):
    client.force_login(request.getfixturevalue(who))
    grow = Entries(make_entry, grid_ma, org, clock)
    counts, rows = _measure(
        client, grow, reverse("outreach_diary"), None, lambda r: len(r.context["entries"])
    )
    print(f"QUERIES outreach_diary {who}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"diary for {who}: {counts} queries with {SIZES} entries"


@pytest.mark.parametrize("identity", ["masked", "full"])
@pytest.mark.parametrize("who", READERS)
def test_the_diary_export_takes_as_many_queries_with_30_entries_as_with_3(
    who, identity, request, client, make_entry, grid_ma, org, clock
):
    """Each entry is read as its page reads it (selectors.entry_redacted): the author reads every entry
    whole; the township's staff and office (the accused side) and the county's supervisor (the
    accused's superior, not deciding it) have each accusation's entry withheld (条例 §30¶3)."""
    client.force_login(request.getfixturevalue(who))
    grow = Entries(make_entry, grid_ma, org, clock)
    params = {"identity": "full"} if identity == "full" else {}
    heard = 6  # the column 听到的情况

    def rows_of(response) -> tuple[int, int]:
        return len(response.sheet_rows), sum(r[heard] == WITHHELD for r in response.sheet_rows)

    counts, rows = _measure(client, grow, reverse("outreach_diary_export"), params, rows_of)
    print(f"QUERIES outreach_diary_export {who} {identity}: {counts} rows, withheld {rows}")
    assert rows == ([(3, 0), (30, 0)] if who == "grid_ma" else [(3, 1), (30, 10)])
    assert counts[0] == counts[1], f"diary export for {who}: {counts} queries with {SIZES} entries"


class Commitments:
    """住建局's head publishes promises for 东城镇 until there are `n`; one in three is kept, one in three
    broken, the rest ongoing."""

    def __init__(self, org, head, clock):
        self.org, self.head, self.clock, self.made = org, head, clock, 0

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            c = services.commitment_publish(
                data=services.CommitmentIn(
                    f"修复道路{i}", "柳林村群众", "道路通行", DAY + timedelta(days=30 + i), self.org.township
                ),
                actor=self.head,
            )
            if i % 3:
                action = CommitmentAction.FULFIL if i % 3 == 1 else CommitmentAction.BREAK
                services.commitment_act(
                    commitment=c, action=action, text="已办", progress=100, actor=self.head
                )
        self.made = n


@pytest.mark.parametrize("page", ["outreach_commitments", "outreach_commitments_export"])
@pytest.mark.parametrize("who", ["head_sun_unit_a", "supervisor_chen"])
def test_the_commitments_take_as_many_queries_with_30_promises_as_with_3(
    who, page, request, client, org, head_sun_unit_a, clock
):
    client.force_login(request.getfixturevalue(who))
    grow = Commitments(org, head_sun_unit_a, clock)
    rows_of = (
        (lambda r: len(r.sheet_rows)) if page.endswith("export") else (lambda r: len(r.context["items"]))
    )
    counts, rows = _measure(client, grow, reverse(page), None, rows_of)
    print(f"QUERIES {page} {who}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"{page} for {who}: {counts} queries with {SIZES} promises"


class Pairings:
    """Adds liaison points in 柳林村 and pairs each until there are `n` pairings — by turns a cadre's
    household pairing (the grid worker), 住建局's village pairing (no person named) and a leader's point
    (住建局's head) — every other one visited this month."""

    KINDS = (PairingKind.CADRE_HOUSEHOLD, PairingKind.DEPT_VILLAGE, PairingKind.LEADER_POINT)

    def __init__(self, org, head, grid_ma, village_committee, make_entry, clock):
        self.org, self.head, self.grid_ma, self.committee = org, head, grid_ma, village_committee
        self.make_entry, self.clock = make_entry, clock
        self.made = Pairing.objects.count()  # make_entry's own pairing (the grid worker's household)

    def __call__(self, n: int) -> None:
        self.clock.set(DAY)
        for i in range(self.made, n):
            point = services.point_create(kind="village", name=f"柳林村{i}组", territory=self.org.village,
                                          actor=self.head)  # fmt: skip
            kind = self.KINDS[i % 3]
            unit, cadre = {
                PairingKind.CADRE_HOUSEHOLD: (self.committee, self.grid_ma),
                PairingKind.DEPT_VILLAGE: (self.org.unit_a, None),
                PairingKind.LEADER_POINT: (self.org.unit_a, self.head),
            }[kind]
            pairing = services.pairing_create(kind=kind, point=point, unit=unit, cadre=cadre,
                                              starts_on=date(2025, 1, 1), ends_on=None, actor=self.head)  # fmt: skip
            if i % 2:
                self.make_entry(pairing_=pairing, actor=cadre or self.head)
        self.made = n


@pytest.mark.parametrize("fmt", ["page", "xlsx"])
def test_the_coverage_takes_as_many_queries_with_30_pairings_as_with_3(
    fmt, client, org, head_sun_unit_a, grid_ma, village_committee, make_entry, supervisor_chen, clock
):
    client.force_login(supervisor_chen)
    grow = Pairings(org, head_sun_unit_a, grid_ma, village_committee, make_entry, clock)
    params = {"on": DAY.isoformat()} | ({"format": "xlsx"} if fmt == "xlsx" else {})
    rows_of = (lambda r: len(r.sheet_rows) - 1) if fmt == "xlsx" else (lambda r: len(r.context["rows"]))
    counts, rows = _measure(client, grow, reverse("outreach_coverage"), params, rows_of)
    print(f"QUERIES outreach_coverage {fmt}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"coverage {fmt}: {counts} queries with {SIZES} pairings"


def test_the_liaison_map_takes_as_many_queries_with_30_points_as_with_3(
    client, org, head_sun_unit_a, grid_ma, village_committee, make_entry, supervisor_chen, clock
):
    """联系点 (the outreach home): townships › villages › points, each with its pairings and last visit."""
    client.force_login(supervisor_chen)
    grow = Pairings(org, head_sun_unit_a, grid_ma, village_committee, make_entry, clock)

    def points(response) -> int:
        return sum(len(v.points) for b in response.context["blocks"] for v in b.villages)

    counts, rows = _measure(client, grow, reverse("outreach_home"), None, points)
    print(f"QUERIES outreach_home: {counts} points {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"liaison map: {counts} queries with {SIZES} points"
