"""The reception metrics on a hand-worked fixture (seeds/002 rule 5: 一次办结率)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from huiyin.reception import metrics
from huiyin.reception.choices import BookingStatus, Level, Outcome, SessionStatus
from huiyin.reception.models import Booking, Session

pytestmark = pytest.mark.django_db

N = 0


def session(leader, day, status=SessionStatus.HELD, org=None):
    return Session.objects.create(
        leader=leader, level=Level.COUNTY, territory=org.county, office=org.county_office, date=day, planned_date=day,
        start_time=time(9), end_time=time(12), place="接待室", capacity=8, status=status,
    )  # fmt: skip


def visit(s, case, outcome, status=BookingStatus.RECEIVED):
    global N
    N += 1
    return Booking.objects.create(
        session=s, code=f"YYT{N:05d}", channel="office", name="x", phone="13800000000", title="t", content="c",
        case=case, status=status, outcome=outcome if status == BookingStatus.RECEIVED else "",
        created_at=timezone.make_aware(datetime(2025, 1, 1)),
    )  # fmt: skip


def test_one_time_resolution_counts_resolved_and_visits_not_repeated_within_90_days(
    org, county_leader, county_deputy, register_case
):
    a, b, c, d = (register_case(title=t) for t in "ABCD")
    s1 = session(county_leader, date(2025, 3, 5), org=org)
    s2 = session(county_leader, date(2025, 5, 28), org=org)  # 84 days after 5 Mar: inside the window
    s3 = session(county_leader, date(2025, 9, 10), org=org)  # 105 days after 28 May: outside it
    s4 = session(county_leader, date(2025, 11, 12), org=org)  # within 90 days of as_of
    visit(s1, a, Outcome.EXPLAINED)  # A came back on 28 May (84 ≤ 90): not once
    visit(s1, b, Outcome.RESOLVED)  # resolved on the spot: once
    visit(s1, c, Outcome.ASSIGNED)  # C never came back: once
    visit(s2, a, Outcome.LEADER_CASE)  # A's next visit on 10 Sep is 105 days later: once
    visit(s3, a, Outcome.EXPLAINED)  # 10 Sep + 90 = 9 Dec > as_of 1 Dec: window open, excluded
    visit(s4, d, Outcome.RESOLVED)  # resolved: decided at once
    visit(s4, c, Outcome.ASSIGNED, status=BookingStatus.CANCELLED)  # never received: not a visit
    rows = metrics.one_time_resolution(
        start=date(2025, 1, 1), end=date(2025, 12, 31), as_of=date(2025, 12, 1)
    )
    # denominator: s1×3, s2×1, s4 resolved×1 = 5; numerator: B, C, A@s2, D = 4
    assert [(r["session__leader"], r["visits"], r["once"], r["rate"]) for r in rows] == [
        (county_leader.pk, 5, 4, 0.8)
    ]


def test_sessions_held_vs_scheduled_and_visits_received(org, county_leader, register_case):
    case = register_case()
    held = session(county_leader, date(2025, 3, 5), org=org)
    session(county_leader, date(2025, 3, 12), status=SessionStatus.SCHEDULED, org=org)  # nobody came
    session(county_leader, date(2025, 3, 19), status=SessionStatus.CANCELLED, org=org)  # not counted
    session(county_leader, date(2025, 3, 26), status=SessionStatus.SCHEDULED, org=org)  # after as_of
    visit(held, case, Outcome.RESOLVED)
    visit(held, case, Outcome.EXPLAINED)
    assert metrics.sessions_held_vs_scheduled(
        start=date(2025, 3, 1), end=date(2025, 3, 31), as_of=date(2025, 3, 20)
    ) == [{"level": Level.COUNTY, "scheduled": 2, "held": 1}]
    assert [r["visits"] for r in metrics.visits_received(start=date(2025, 3, 1), end=date(2025, 3, 31))] == [
        2
    ]
