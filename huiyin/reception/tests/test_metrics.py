"""The reception metrics on a hand-worked fixture (seeds/002 rule 5: 一次办结率和化解率, 严格考核): the
registry's figures (Module.metrics), their daily roll-ups, and the module page's per-leader and per-level
breakdown of the same rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from huiyin.analytics.registry import Filters, all_metrics, compute
from huiyin.analytics.selectors import figures
from huiyin.analytics.services import rollup_days
from huiyin.cases.choices import Status
from huiyin.cases.models import CaseEvent
from huiyin.reception import metrics
from huiyin.reception.choices import BookingStatus, Level, Outcome, SessionStatus
from huiyin.reception.models import Booking, Session
from huiyin.reception.tests.conftest import leader

pytestmark = pytest.mark.django_db

N = 0


def session(person, day, status=SessionStatus.HELD, org=None, level=Level.COUNTY, territory=None):
    return Session.objects.create(
        leader=person, level=level, territory=territory or org.county, office=org.county_office, date=day,
        planned_date=day, start_time=time(9), end_time=time(12), place="接待室", capacity=8, status=status,
    )  # fmt: skip


def visit(s, case, outcome, status=BookingStatus.RECEIVED):
    """A received visit as services.visit_record leaves it (settled on the day, or 90 days later)."""
    global N
    N += 1
    received = status == BookingStatus.RECEIVED
    settled = s.date if outcome == Outcome.RESOLVED else s.date + timedelta(days=90)
    return Booking.objects.create(
        session=s, code=f"YYT{N:05d}", channel="office", name="x", phone="13800000000", title="t", content="c",
        case=case, status=status, outcome=outcome if received else "", settled_on=settled if received else None,
        created_at=timezone.make_aware(datetime(2025, 1, 1)),
    )  # fmt: skip


def closed(case, day):
    CaseEvent.objects.create(
        case=case, event_type="close", from_status=Status.REPLIED, to_status=Status.CLOSED,
        created_at=timezone.make_aware(datetime(day.year, day.month, day.day, 15)),
    )  # fmt: skip


@pytest.fixture
def season(org, county_leader, township_leader, register_case, clock):
    """Hand-worked: the county leader's visits of 2025 and one township visit; today is 1 Dec 2025."""
    clock.set(date(2025, 12, 1))
    a, b, c, d, e = (register_case(title=t) for t in "ABCDE")
    s1 = session(county_leader, date(2025, 3, 5), org=org)
    s2 = session(county_leader, date(2025, 5, 28), org=org)  # 84 days after 5 Mar: inside its window
    s3 = session(county_leader, date(2025, 9, 10), org=org)  # 105 days after 28 May: outside its window
    s4 = session(county_leader, date(2025, 11, 12), org=org)
    t1 = session(township_leader, date(2025, 4, 1), org=org, level=Level.TOWNSHIP, territory=org.township)
    visit(s1, a, Outcome.EXPLAINED)  # settled 3 Jun; A came back on 28 May (84 ≤ 90): not once
    visit(s1, b, Outcome.RESOLVED)  # settled 5 Mar: once, 化解
    visit(s1, c, Outcome.ASSIGNED)  # settled 3 Jun; C never came back: once; C closed 20 May: 化解
    visit(s2, a, Outcome.LEADER_CASE)  # settled 26 Aug; A's next visit 10 Sep is later: once
    visit(s3, a, Outcome.EXPLAINED)  # settles 9 Dec, after today: not yet decidable, excluded
    visit(s4, d, Outcome.RESOLVED)  # settled 12 Nov: once, 化解
    visit(s4, c, Outcome.ASSIGNED, status=BookingStatus.CANCELLED)  # never received: not a visit
    visit(t1, e, Outcome.RESOLVED)  # the township leader: settled 1 Apr, once, 化解
    closed(c, date(2025, 5, 20))
    closed(a, date(2025, 11, 1))  # after A's windows (3 Jun, 26 Aug): not 化解
    return {"s": (s1, s2, s3, s4, t1)}


YEAR = {"start": date(2025, 1, 1), "end": date(2025, 12, 31)}


def test_the_module_declares_its_figures_in_the_analytics_registry():
    keys = {m.key for m in all_metrics()}
    assert {
        "reception_sessions_held",
        "reception_visits",
        "reception_once_rate",
        "reception_resolve_rate",
    } <= keys


def test_one_time_resolution_per_leader_and_per_level(season, county_leader, township_leader):
    rows = metrics.one_time_resolution(**YEAR)
    # county: denominator v1, v2, v3, v4, v6 = 5 (v5 still open); numerator v2, v3, v4, v6 = 4
    assert [(r["session__leader"], r["visits"], r["once"], r["rate"]) for r in rows] == [
        (county_leader.pk, 5, 4, 0.8),
        (township_leader.pk, 1, 1, 1.0),
    ]
    levels = metrics.one_time_resolution(**YEAR, by_level=True)
    assert [(r["session__level"], r["visits"], r["once"]) for r in levels] == [
        (Level.COUNTY, 5, 4),
        (Level.TOWNSHIP, 1, 1),
    ]


def test_resolution_rate_counts_resolved_on_the_spot_and_cases_closed_within_the_window(
    season, county_leader
):
    rows = metrics.resolution(**YEAR)
    # county: v2 and v6 resolved on the spot, v3's case closed 20 May ≤ 3 Jun; A closed only on 1 Nov
    assert next((r["session__leader"], r["visits"], r["once"]) for r in rows) == (county_leader.pk, 5, 3)


def test_the_registry_figures_are_dated_by_the_day_the_result_is_known_and_roll_up_alike(season, org):
    june = Filters(start=date(2025, 6, 1), end=date(2025, 6, 30))
    # settled in June: v1 (not once) and v3 (once, 化解)
    assert (compute(metrics.ONCE, june).num, compute(metrics.ONCE, june).den) == (1, 2)
    assert compute(metrics.RESOLVED, june).value == 50.0
    year = Filters(**YEAR)
    assert (compute(metrics.ONCE, year).num, compute(metrics.ONCE, year).den) == (5, 6)
    township = Filters(**YEAR, territory_path=org.township.path)
    assert (compute(metrics.ONCE, township).num, compute(metrics.ONCE, township).den) == (1, 1)
    assert compute(metrics.VISITS, year).num == 7  # every received visit (v5 included), by session date
    rollup_days(year.start, date(2025, 12, 1))
    got = figures(year, [metrics.ONCE, metrics.RESOLVED])
    assert (got["reception_once_rate"].num, got["reception_once_rate"].den) == (5, 6)
    assert (got["reception_resolve_rate"].num, got["reception_resolve_rate"].den) == (4, 6)


def test_sessions_held_vs_scheduled_and_visits_received(org, county_leader, register_case, clock):
    clock.set(date(2025, 3, 20))
    case = register_case()
    held = session(county_leader, date(2025, 3, 5), org=org)
    session(county_leader, date(2025, 3, 12), status=SessionStatus.SCHEDULED, org=org)  # nobody came
    session(county_leader, date(2025, 3, 19), status=SessionStatus.CANCELLED, org=org)  # not counted
    session(county_leader, date(2025, 3, 26), status=SessionStatus.SCHEDULED, org=org)  # after today
    visit(held, case, Outcome.RESOLVED)
    visit(held, case, Outcome.EXPLAINED)
    march = {"start": date(2025, 3, 1), "end": date(2025, 3, 31)}
    assert metrics.sessions_held_vs_scheduled(**march) == [{"level": Level.COUNTY, "scheduled": 2, "held": 1}]
    assert compute(metrics.SESSIONS_HELD, Filters(**march)).value == 50.0
    assert [r["visits"] for r in metrics.visits_received(**march)] == [2]


def test_a_leader_of_another_county_is_not_in_this_countys_breakdown(season, org):
    from huiyin.org.models import Territory, Unit

    other = Territory.objects.create(code="430122000", name="西县", level=3, parent=org.city)
    gov = Unit.objects.create(code="XX-GOV", name="西县人民政府", kind="government", territory=other)
    west = leader("leader_west", "西县长", gov, Level.COUNTY, "县长")
    s = session(west, date(2025, 10, 8), org=org, territory=other)
    visit(s, None, Outcome.RESOLVED)
    assert {r["session__leader"] for r in metrics.one_time_resolution(**YEAR, territory=org.county)} == {
        season["s"][0].leader_id,
        season["s"][4].leader_id,
    }
