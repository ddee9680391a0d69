"""The generator turns the rules into sessions on working days of the 调休 calendar (seeds/002
党政领导信访接待日制度 rule 1), honours absences and never double-books a leader. Every expected date
below is worked out by hand from the 2025 and 2026 State Council holiday notices."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.notify.models import Notification
from huiyin.reception import services
from huiyin.reception.choices import Frequency, Level, SessionStatus, Weekday
from huiyin.reception.models import ReceptionLeader, ScheduleRule, Session
from huiyin.reception.rules import DEFAULTS, Rule, dates_for, rule_for
from huiyin.reception.tests.conftest import leader

pytestmark = pytest.mark.django_db


def days(user, level=None):
    qs = Session.objects.filter(leader=user).exclude(status=SessionStatus.CANCELLED)
    return [s.date for s in qs.order_by("date")]


def test_county_leaders_receive_weekly_and_national_day_moves_the_wednesday_rule1():
    # given the seed rule: county leaders weekly, on Wednesday
    rule = DEFAULTS[Level.COUNTY]
    # week of 22 Sep: Wed 24 Sep is a working day
    # week of 29 Sep: Wed 1 Oct is 国庆; nothing after it that week works (2-5 Oct off), so the last
    #   working day before it: Tue 30 Sep
    # week of 6 Oct: Wed 8 Oct still 国庆; first working day after it: Thu 9 Oct
    # week of 13 Oct: Wed 15 Oct
    assert dates_for(rule, date(2025, 9, 22), date(2025, 10, 19)) == [
        date(2025, 9, 24), date(2025, 9, 30), date(2025, 10, 9), date(2025, 10, 15),
    ]  # fmt: skip


def test_spring_festival_week_has_no_county_session_and_a_monday_leader_moves_to_tuesday():
    rule = DEFAULTS[Level.COUNTY]
    # 2026 春节: 15–23 Feb off (14 Feb and 28 Feb are 调休 working Saturdays)
    # Wednesdays 4, 11 Feb work; the week of 16 Feb has no working day at all; Wed 25 Feb works
    assert dates_for(rule, date(2026, 2, 1), date(2026, 2, 28)) == [
        date(2026, 2, 4),
        date(2026, 2, 11),
        date(2026, 2, 25),
    ]
    # a leader whose own day is Monday: 2, 9 Feb; week of 16 Feb none; Mon 23 Feb is off → Tue 24 Feb
    assert dates_for(rule, date(2026, 2, 1), date(2026, 2, 28), Weekday.MONDAY) == [
        date(2026, 2, 2), date(2026, 2, 9), date(2026, 2, 24),
    ]  # fmt: skip


def test_township_leaders_receive_twice_a_month_across_months():
    rule = DEFAULTS[Level.TOWNSHIP]  # the 1st and 3rd Tuesday
    # Sep 2025: Tue 2 and Tue 16; Oct 2025: 1st Tuesday 7 Oct is 国庆 → Thu 9 Oct; 3rd Tuesday 21 Oct
    # Feb 2026: Tue 3 Feb; 3rd Tuesday 17 Feb is 春节 → next working day Tue 24 Feb
    assert dates_for(rule, date(2025, 9, 1), date(2025, 10, 31)) == [
        date(2025, 9, 2), date(2025, 9, 16), date(2025, 10, 9), date(2025, 10, 21),
    ]  # fmt: skip
    assert dates_for(rule, date(2026, 2, 1), date(2026, 2, 28)) == [date(2026, 2, 3), date(2026, 2, 24)]


def test_city_leaders_receive_quarterly_over_the_year_end():
    rule = DEFAULTS[Level.CITY]  # the 1st Tuesday of Jan, Apr, Jul, Oct
    # Q4 2025: Tue 7 Oct is 国庆 → Thu 9 Oct; Q1 2026: Tue 6 Jan works (元旦 1–3 Jan, Sun 4 Jan 调休)
    assert dates_for(rule, date(2025, 10, 1), date(2026, 3, 31)) == [date(2025, 10, 9), date(2026, 1, 6)]


def test_the_halls_leaders_on_duty_take_the_working_days_in_turn_including_a_tiaoxiu_saturday(org):
    a = leader("hall_a", "甲", org.county_gov, Level.HALL, "副县长")
    b = leader("hall_b", "乙", org.county_gov, Level.HALL, "县委常委")
    made = services.sessions_generate(
        territory=org.county, start=date(2025, 10, 8), end=date(2025, 10, 12), actor=None
    )
    # 9 Oct is October's first working day (turn 0: 甲), 10 Oct (乙), Sat 11 Oct is 调休 (甲); 12 Oct off
    assert [(s.date, s.leader_id) for s in sorted(made, key=lambda s: s.date)] == [
        (date(2025, 10, 9), a.pk), (date(2025, 10, 10), b.pk), (date(2025, 10, 11), a.pk),
    ]  # fmt: skip


def test_a_jurisdiction_edits_its_rule_and_the_township_below_inherits_it(org, county_leader):
    # given the county makes its leaders receive monthly on Friday
    ScheduleRule.objects.create(
        territory=org.county, level=Level.TOWNSHIP, frequency=Frequency.MONTHLY, weekday=Weekday.FRIDAY
    )
    ScheduleRule.objects.create(
        territory=org.county, level=Level.COUNTY, frequency=Frequency.MONTHLY, weekday=Weekday.FRIDAY
    )
    assert rule_for(org.township, Level.TOWNSHIP).frequency == Frequency.MONTHLY
    assert rule_for(org.city, Level.TOWNSHIP) == DEFAULTS[Level.TOWNSHIP]
    services.sessions_generate(
        territory=org.county, start=date(2025, 9, 1), end=date(2025, 10, 31), actor=None
    )
    # 1st Friday of Sep: 5 Sep; of Oct: 3 Oct is 国庆 → first working day after in October: Thu 9 Oct
    assert days(county_leader) == [date(2025, 9, 5), date(2025, 10, 9)]


def test_generating_twice_creates_nothing_new(org, county_leader):
    first = services.sessions_generate(
        territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 30), actor=None
    )
    again = services.sessions_generate(
        territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 30), actor=None
    )
    # Wednesdays 3, 10, 17, 24 Sep, and Tue 30 Sep for the week of 29 Sep (Wed 1 Oct is 国庆)
    assert [s.date for s in first] == [
        date(2025, 9, 3), date(2025, 9, 10), date(2025, 9, 17), date(2025, 9, 24), date(2025, 9, 30),
    ]  # fmt: skip
    assert again == []


def test_an_absence_moves_the_session_to_the_first_free_working_day_and_tells_the_booked(
    org, county_leader, dispatcher_zhou, clock
):
    clock.set(date(2025, 10, 9))
    services.sessions_generate(
        territory=org.county, start=date(2025, 10, 13), end=date(2025, 10, 19), actor=None
    )
    session = Session.objects.get(leader=county_leader)
    assert session.date == date(2025, 10, 15)
    urgent = services.BookingIn(
        name="刘群众", phone="13800001234", title="屋顶漏水", content="多次反映未解决", urgent=True
    )
    booking = services.booking_create(session=session, data=urgent, actor=dispatcher_zhou)
    # when the leader is away 13–17 Oct without a deputy
    services.absence_record(
        leader=county_leader,
        start=date(2025, 10, 13),
        end=date(2025, 10, 17),
        reason="外出学习",
        actor=dispatcher_zhou,
    )
    # then the session moves to the first working day after the absence: Mon 20 Oct
    session.refresh_from_db()
    assert (session.date, session.planned_date, session.leader_id) == (
        date(2025, 10, 20),
        date(2025, 10, 15),
        county_leader.pk,
    )
    told = Notification.objects.filter(recipient="13800001234", kind=services.NOTICE_KIND).order_by("id")
    assert [("已预约" in n.body, "改期至2025年10月20日" in n.body) for n in told] == [
        (True, False),
        (False, True),
    ]
    assert all(booking.code in n.body for n in told)


def test_an_absence_with_a_free_deputy_keeps_the_day_and_changes_the_leader(
    org, county_leader, county_deputy, dispatcher_zhou
):
    ReceptionLeader.objects.filter(user=county_deputy).update(weekday=Weekday.MONDAY)
    services.absence_record(
        leader=county_leader,
        start=date(2025, 10, 13),
        end=date(2025, 10, 17),
        reason="出差",
        deputy=county_deputy,
        actor=dispatcher_zhou,
    )
    services.sessions_generate(
        territory=org.county, start=date(2025, 10, 13), end=date(2025, 10, 19), actor=None
    )
    # the deputy receives on his own Monday 13 Oct and, for 马县长, on Wednesday 15 Oct
    assert days(county_deputy) == [date(2025, 10, 13), date(2025, 10, 15)]
    taken = Session.objects.get(date=date(2025, 10, 15))
    assert taken.scheduled_leader_id == county_leader.pk and days(county_leader) == []


def test_a_deputy_already_receiving_that_day_is_never_double_booked(
    org, county_leader, county_deputy, dispatcher_zhou
):
    # both receive on Wednesday; the deputy is busy on 15 Oct with his own session
    services.sessions_generate(
        territory=org.county, start=date(2025, 10, 13), end=date(2025, 10, 19), actor=None
    )
    services.absence_record(
        leader=county_leader,
        start=date(2025, 10, 13),
        end=date(2025, 10, 17),
        reason="出差",
        deputy=county_deputy,
        actor=dispatcher_zhou,
    )
    # so 马县长's session moves to Mon 20 Oct instead, and the deputy keeps one session on the 15th
    assert days(county_leader) == [date(2025, 10, 20)]
    assert days(county_deputy) == [date(2025, 10, 15)]


def test_the_database_refuses_two_sessions_of_one_leader_on_one_day(org, county_leader):
    from django.db import IntegrityError, transaction

    services.sessions_generate(territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 7), actor=None)
    s = Session.objects.get(leader=county_leader)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(
            leader=county_leader, level=Level.COUNTY, territory=s.territory, office=s.office, date=s.date,
            planned_date=s.date, start_time=s.start_time, end_time=s.end_time, place="x", capacity=1,
        )  # fmt: skip


def test_only_the_office_plans_sessions(org, handler_wang_unit_a):
    from huiyin.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.sessions_generate(
            territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 7), actor=handler_wang_unit_a
        )


def test_a_rule_is_a_plain_value(org):
    assert isinstance(rule_for(org.county, Level.CITY), Rule)
