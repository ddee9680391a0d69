"""Issue 15: a reception list's number of queries does not grow with its rows. Each screen (领导接待日程
and its .xlsx, a session's agenda, the 接访登记 export, the 接待日规则与排班 roster, the 一站式接待 hall
the 约访、下访 list and the portal's published schedule) is measured with few rows and again with many, and the two counts must be
equal — an N+1 (a query per row) makes the second larger and fails here."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from huiyin.cases.tests.exporting import counted_get, measure_sizes
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit
from huiyin.reception import hall, services
from huiyin.reception.choices import Level, SessionKind
from huiyin.reception.models import Booking, ReceptionLeader, Session
from huiyin.reception.tests.conftest import leader
from huiyin.workflow import services as wf

pytestmark = pytest.mark.django_db

SIZES = (3, 30)
SEPTEMBER = date(2025, 9, 1)


def _queries(client, url: str, params: dict[str, object] | None = None) -> tuple[int, object]:
    return counted_get(client, url, params, skip=1)


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
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _queries(client, reverse("reception_agenda"), {"session": township.pk}),
        lambda response: len(response.context["rows"]),
    )
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
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _queries(client, reverse("reception_register_export"), params),
        lambda response: len(response.sheet_rows),
    )
    print(f"QUERIES reception_register_export {who} {identity}: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"register for {who}: {counts} queries with {SIZES} bookings"


class Roster:
    """Puts leaders on the county's reception roster until there are `n` (a county and a township level
    in turn, each with the county leader as their default deputy)."""

    def __init__(self, org, deputy):
        self.org, self.deputy, self.made = org, deputy, ReceptionLeader.objects.count()

    def __call__(self, n: int) -> None:
        for i in range(self.made, n):
            unit, level = (
                (self.org.county_gov, Level.COUNTY) if i % 2 else (self.org.township_gov, Level.TOWNSHIP)
            )
            user = leader(f"roster{i}", f"领导{i}", unit, level, "副职")
            ReceptionLeader.objects.filter(user=user).update(deputy=self.deputy)
        self.made = n


def test_the_plan_page_takes_as_many_queries_with_30_leaders_on_the_roster_as_with_3(
    client, org, county_leader, township_office, dispatcher_zhou
):
    """The county office manages the roster: every leader is listed, and again as a choice in the
    absence form."""
    grow = Roster(org, county_leader)
    client.force_login(dispatcher_zhou)
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _queries(client, reverse("reception_plan")),
        lambda response: len(response.context["roster"]),
    )
    print(f"QUERIES reception_plan: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"plan: {counts} queries with {SIZES} leaders"


class Hall:
    """Stations departments of the county in the county office's hall until there are `n` windows, all
    staffed on Tuesdays, and sends walk-ins to them: one to each new window and one more to 住建局's
    window each time (so it has `n`), the first registered there as a case, the others waiting."""

    def __init__(self, org, clerk, office_head, officer, clock):
        self.org, self.clerk, self.office_head, self.officer = org, clerk, office_head, officer
        self.clock, self.windows = clock, []

    def _send(self, window, i: int):
        data = hall.ReferralIn(name=f"来访人{i}", phone=f"139{i:08d}", title=f"事项{i}", content="屋顶漏水")
        return hall.referral_send(window=window, data=data, actor=self.clerk)

    def __call__(self, n: int) -> None:
        self.clock.set(date(2025, 9, 2))  # a Tuesday
        for i in range(len(self.windows), n):
            unit = self.org.unit_a if i == 0 else Unit.objects.create(
                code=f"X-D{i}", name=f"示范县第{i}局", kind=UnitKind.HOUSING, territory=self.org.county,
                parent=self.org.county_gov,
            )  # fmt: skip
            window = hall.window_save(office=self.org.county_office, unit=unit, number=str(i + 1), weekdays="1",
                                      matters="本部门职责内事项", actor=self.office_head)  # fmt: skip
            self.windows.append(window)
            if i > 0:
                self._send(window, 100 + i)
            referral = self._send(self.windows[0], i)
            if i == 0:
                hall.referral_take(referral=referral, actor=self.officer, guidance="由本局三日内上门查看")


@pytest.mark.parametrize("who", ["clerk_li", "dispatcher_zhou", "handler_wang_unit_a"])
def test_the_hall_takes_as_many_queries_with_30_windows_and_their_walk_ins_as_with_3(
    who, request, client, org, clerk_li, dispatcher_zhou, handler_wang_unit_a, clock
):
    """The hall's clerk and the office see every window and every referral of the hall; 住建局's officer
    sees the walk-ins sent to its own window (one of them registered as a case)."""
    grow = Hall(org, clerk_li, dispatcher_zhou, handler_wang_unit_a, clock)
    client.force_login(request.getfixturevalue(who))
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _queries(client, reverse("reception_hall")),
        lambda response: (len(response.context["windows"]), len(response.context["referrals"])),
    )
    print(f"QUERIES reception_hall {who}: {counts} rows {rows}")
    if who == "handler_wang_unit_a":
        assert rows == [(0, n) for n in SIZES]
    else:
        assert rows == [(n, 2 * n - 1) for n in SIZES]
    assert counts[0] == counts[1], f"hall for {who}: {counts} queries with {rows} rows"


class Visits:
    """Schedules 下访 and 约访 for the county's two leaders in turn, one a day from 2 September, until
    there are `n`, each with a petitioner invited."""

    def __init__(self, org, leaders, office_user, clock):
        self.org, self.leaders, self.office_user, self.clock, self.made = org, leaders, office_user, clock, 0

    def __call__(self, n: int) -> None:
        self.clock.set(date(2025, 9, 1))
        for i in range(self.made, n):
            kind = SessionKind.DOWN if i % 2 else SessionKind.APPOINTMENT
            data = services.VisitIn(
                kind=kind, territory=self.org.township, day=date(2025, 9, 2) + timedelta(days=i),
                start_time=time(14), end_time=time(17), place="东城镇柳林村村委会", purpose=f"安置小区问题{i}",
            )  # fmt: skip
            session = services.visit_schedule(leader=self.leaders[i % 2], data=data, actor=self.office_user)
            data = services.BookingIn(name=f"群众{i}", phone=f"137{i:08d}", title=f"约谈{i}", content="约谈")
            services.booking_create(session=session, data=data, actor=self.office_user)
        self.made = n


def test_the_visits_list_takes_as_many_queries_with_30_visits_as_with_3(
    client, org, county_leader, county_deputy, dispatcher_zhou, clock
):
    grow = Visits(org, (county_leader, county_deputy), dispatcher_zhou, clock)
    client.force_login(dispatcher_zhou)
    counts, rows = measure_sizes(
        SIZES,
        grow,
        lambda: _queries(client, reverse("reception_visits")),
        lambda response: len(response.context["visits"]),
    )
    print(f"QUERIES reception_visits: {counts} rows {rows}")
    assert rows == list(SIZES)
    assert counts[0] == counts[1], f"visits: {counts} queries with {SIZES} visits"


def test_the_published_schedule_takes_as_many_queries_with_many_sessions_as_with_few(
    client, org, leaders, county_leader, clock
):
    """The portal's 领导接待日程 (anonymous): the next eight weeks' sessions of eight leaders, each with
    its leader's title and the slots left."""
    Roster(org, county_leader)(8)
    counts, sizes, shown = [], [], []
    for end in (date(2025, 9, 2), date(2025, 10, 26)):
        sizes.append(_sessions_until(org.county, end, clock))
        clock.set(SEPTEMBER)
        count, response = _queries(client, reverse("portal_reception"))
        counts.append(count)
        shown.append(len(response.context["sessions"]))
    print(f"QUERIES portal_reception: {counts} sessions {sizes} listed {shown}")
    assert shown == sizes and 0 < sizes[0] <= 8 and sizes[1] >= 30
    assert counts[0] == counts[1], f"published schedule: {counts} queries with {sizes} sessions"
