"""Issue 15: a reception list's number of queries does not grow with its rows. Each screen (领导接待日程
and its .xlsx, a session's agenda, the 接访登记 export) is measured with few rows and again with many,
and the two counts must be equal — an N+1 (a query per row) makes the second larger and fails here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huiyin.cases.tests.exporting import workbook_rows
from huiyin.reception import services
from huiyin.reception.choices import Level
from huiyin.reception.models import Booking, Session
from huiyin.workflow import services as wf

pytestmark = pytest.mark.django_db

SIZES = (3, 30)
SEPTEMBER = date(2025, 9, 1)


def _queries(client, url: str, params: dict[str, object] | None = None) -> tuple[int, object]:
    """The queries of one GET, a streamed .xlsx read to its end (its rows are queried as it streams);
    the .xlsx's data rows are left on the response as `sheet_rows`."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        assert response.status_code == 200, response.status_code
        if response.streaming:
            response.sheet_rows = workbook_rows(b"".join(response.streaming_content))[1:]
    return len(ctx.captured_queries), response


def _book(session: Session, n: int) -> Booking:
    data = services.BookingIn(name=f"群众{n}", phone=f"138{n:08d}", title=f"事项{n}", content="屋顶漏水")
    return services.booking_create(session=session, data=data, actor=None)


class Bookings:
    """Books the township's first session up to `n` visits, each registered as a case by its office,
    accepted and assigned to the township government, and taken in charge (包案) by the session's
    leader: the agenda shows each matter's handling unit, leader, events and clocks."""

    def __init__(self, session: Session, office_user, unit, clock):
        self.session, self.office_user, self.unit, self.clock = session, office_user, unit, clock
        Session.objects.filter(pk=session.pk).update(capacity=100)  # room for the larger size
        self.made = 0

    def __call__(self, n: int) -> None:
        for i in range(self.made, n):
            self.clock.set(SEPTEMBER)
            booking = _book(self.session, i)
            self.clock.set(self.session.date)
            case = services.booking_register(booking=booking, actor=self.office_user)
            case = wf.case_accept(case=case, actor=self.office_user)
            deadline = self.session.date + timedelta(days=30)
            case = wf.case_assign(case=case, actor=self.office_user, unit=self.unit, deadline=deadline)
            wf.case_attach_leader(case=case, actor=self.office_user, leader=self.session.leader)
        self.made = n


@pytest.fixture
def leaders(org, county_leader, township_leader, township_dispatcher):
    return county_leader, township_leader


def _sessions_until(territory, end: date, clock) -> int:
    """Generate the roster's sessions from September to `end` (the generator adds only the new days)
    and book a visit on each township session (a county leader's wants the township's first, seeds/002
    rule 2), so rows have bookings counted."""
    clock.set(SEPTEMBER)
    services.sessions_generate(territory=territory, start=SEPTEMBER, end=end, actor=None)
    for s in Session.objects.filter(level=Level.TOWNSHIP, bookings__isnull=True):
        _book(s, 1000 + s.pk)
    return Session.objects.count()


@pytest.mark.parametrize("fmt", ["page", "xlsx"])
@pytest.mark.parametrize("who", ["dispatcher_zhou", "county_leader"])
def test_the_reception_home_takes_as_many_queries_with_many_sessions_as_with_few(
    who, fmt, request, client, org, leaders, clock
):
    """The county office and the county leader work with every session of the county and its
    townships (the leader's own are listed again under 我的接待)."""
    client.force_login(request.getfixturevalue(who))
    params = {"format": "xlsx"} if fmt == "xlsx" else {}
    counts, sizes, shown = [], [], []
    for end in (date(2025, 9, 9), date(2026, 1, 31)):
        sizes.append(_sessions_until(org.county, end, clock))
        clock.set(SEPTEMBER)
        count, response = _queries(client, reverse("reception_home"), params)
        counts.append(count)
        shown.append(len(response.sheet_rows if fmt == "xlsx" else response.context["upcoming"]))
    print(f"QUERIES reception_home {who} {fmt}: {counts} sessions {sizes} listed {shown}")
    assert shown == sizes and sizes[0] <= 5 and sizes[1] >= 30
    assert counts[0] == counts[1], f"reception home {fmt}: {counts} queries with {sizes} sessions"


@pytest.mark.parametrize("who", ["township_dispatcher", "township_leader", "handler_zhao_unit_b"])
def test_a_sessions_agenda_takes_as_many_queries_with_30_bookings_as_with_3(
    who, request, client, org, sessions, township_dispatcher, clock
):
    """The arranging office and the leader see every booking in full; 民政局 (a county unit) has each
    withheld — every path through selectors.agenda is measured."""
    _county, township = sessions
    grow = Bookings(township, township_dispatcher, org.township_gov, clock)
    client.force_login(request.getfixturevalue(who))
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        count, response = _queries(client, reverse("reception_agenda"), {"session": township.pk})
        counts.append(count)
        rows.append(len(response.context["rows"]))
    print(f"QUERIES reception_agenda {who}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"agenda for {who}: {counts} queries with {SIZES} bookings"


@pytest.mark.parametrize("identity", ["masked", "full"])
@pytest.mark.parametrize("who", ["township_dispatcher", "handler_zhao_unit_b"])
def test_the_register_export_takes_as_many_queries_with_30_bookings_as_with_3(
    who, identity, request, client, org, sessions, township_dispatcher, clock
):
    _county, township = sessions
    grow = Bookings(township, township_dispatcher, org.township_gov, clock)
    client.force_login(request.getfixturevalue(who))
    params = {"session": township.pk} | ({"identity": "full"} if identity == "full" else {})
    counts, rows = [], []
    for n in SIZES:
        grow(n)
        count, response = _queries(client, reverse("reception_register_export"), params)
        counts.append(count)
        rows.append(len(response.sheet_rows))
    print(f"QUERIES reception_register_export {who} {identity}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"register for {who}: {counts} queries with {SIZES} bookings"
