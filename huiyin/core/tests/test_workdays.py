"""Deadline arithmetic (huiyin.core.workdays) — pure pytest, no database.

Every holiday date below was checked against the `chinese_calendar` package (1.11), which follows the
State Council's annual notices. Reminders:

* 2024 春节 Feb 10–17 off; Sun Feb 4 and Sun Feb 18 worked.
* 2025 元旦 Wed Jan 1. 劳动节 May 1–5 off; Sun Apr 27 worked. 端午 May 31–Jun 2 off.
* 2025 国庆+中秋 Oct 1–8 off; Sun Sep 28 and Sat Oct 11 worked.
* 2026 元旦 Jan 1–3 off; Sun Jan 4 worked. 春节 Feb 15–23 off; Sat Feb 14 and Sat Feb 28 worked.
* The package had data for 2004–2026 when these were written; the root conftest keeps 2027 onwards
  "beyond the calendar" for the tests (`_calendar_as_published`), so they survive a release that
  learns 2027. 2003 and earlier are beyond it in any release.
"""

from __future__ import annotations

import pickle
from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huiyin.core.workdays import (
    DayUnit,
    Deadline,
    HolidayCalendar,
    add_days,
    default_calendar,
    warning_date,
    working_days_between,
)

CAL = DayUnit.CALENDAR
WORK = DayUnit.WORKING


def d(iso: str) -> date:
    return date.fromisoformat(iso)


@pytest.fixture
def calendar() -> HolidayCalendar:
    return HolidayCalendar()


# --------------------------------------------------------------------------- DayUnit


def test_day_units_serialise_to_their_stable_string_values():
    assert DayUnit.CALENDAR == "calendar_day"
    assert DayUnit.WORKING == "working_day"
    assert DayUnit("working_day") is DayUnit.WORKING


# --------------------------------------------------------------------------- HolidayCalendar.is_workday


@pytest.mark.parametrize(
    ("day", "expected", "why"),
    [
        ("2025-10-01", False, "National Day (Wed)"),
        ("2025-10-06", False, "Mid-autumn inside the National Day week (Mon)"),
        ("2025-10-08", False, "last day of the 2025 National Day holiday (Wed)"),
        ("2025-10-09", True, "first working day after National Day (Thu)"),
        ("2025-09-28", True, "调休: Sunday worked before National Day"),
        ("2025-10-11", True, "调休: Saturday worked after National Day"),
        ("2025-10-12", False, "an ordinary Sunday"),
        ("2026-02-14", True, "调休: Saturday worked before Spring Festival 2026"),
        ("2026-02-16", False, "Spring Festival 2026 (Mon)"),
        ("2026-02-23", False, "last day of Spring Festival 2026 (Mon)"),
        ("2026-02-24", True, "first working day after Spring Festival 2026 (Tue)"),
        ("2026-02-28", True, "调休: Saturday worked after Spring Festival 2026"),
        ("2026-01-02", False, "New Year 2026 holiday (Fri)"),
        ("2026-01-04", True, "调休: Sunday worked after New Year 2026"),
        ("2024-02-04", True, "调休: Sunday worked before Spring Festival 2024"),
        ("2024-02-18", True, "调休: Sunday worked after Spring Festival 2024"),
        ("2025-06-09", True, "an ordinary Monday"),
        ("2025-06-07", False, "an ordinary Saturday"),
    ],
)
def test_is_workday_follows_the_state_council_notice(calendar, day, expected, why):
    # given the package calendar, when asking about a day, then the published schedule answers
    assert calendar.is_workday(d(day)) is expected, why


@pytest.mark.parametrize(
    ("day", "covered"),
    [
        ("2004-01-01", True),
        ("2025-10-01", True),
        ("2026-12-31", True),
        ("2027-01-01", False),
        ("2030-06-15", False),
        ("2003-12-31", False),
    ],
)
def test_covers_is_true_exactly_for_the_years_the_package_knows(calendar, day, covered):
    assert calendar.covers(d(day)) is covered


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2027-01-01", True),  # Friday — would be New Year's Day, but nobody has published 2027 yet
        ("2027-10-01", True),  # Friday — would be National Day
        ("2027-01-02", False),  # Saturday
        ("2027-01-03", False),  # Sunday
        ("2027-01-04", True),  # Monday
        ("2003-12-27", False),  # Saturday, before the package's first year
    ],
)
def test_days_beyond_the_calendar_fall_back_to_monday_to_friday(calendar, day, expected):
    assert calendar.is_workday(d(day)) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-09-26", "2025-09-28"),  # Fri -> the 调休 Sunday
        ("2025-09-30", "2025-10-09"),  # over the whole National Day week
        ("2025-10-10", "2025-10-11"),  # Fri -> the 调休 Saturday
        ("2025-10-11", "2025-10-13"),  # strictly after: a workday is not its own next workday
        ("2025-12-31", "2026-01-04"),  # across the year boundary onto the 调休 Sunday
        ("2026-02-14", "2026-02-24"),  # over Spring Festival 2026
        ("2026-12-31", "2027-01-01"),  # into uncovered 2027: weekends-only
        ("2027-01-01", "2027-01-04"),
    ],
)
def test_next_workday_is_the_first_working_day_strictly_after(calendar, day, expected):
    assert calendar.next_workday(d(day)) == d(expected)


# --------------------------------------------------------------------------- overrides


def test_an_override_can_make_an_ordinary_saturday_a_workday():
    # given an administrator marks Saturday 2025-06-07 as worked
    cal = HolidayCalendar({d("2025-06-07"): True})
    # then it is a workday, and the next workday after Friday is that Saturday
    assert cal.is_workday(d("2025-06-07"))
    assert cal.next_workday(d("2025-06-06")) == d("2025-06-07")
    assert add_days(d("2025-06-06"), 1, WORK, cal) == Deadline(d("2025-06-07"), beyond_calendar=False)


def test_an_override_can_make_an_ordinary_monday_a_holiday():
    # given a local holiday on Monday 2025-06-09
    cal = HolidayCalendar({d("2025-06-09"): False})
    # then one working day after Friday is Tuesday
    assert not cal.is_workday(d("2025-06-09"))
    assert add_days(d("2025-06-06"), 1, WORK, cal).due == d("2025-06-10")


@pytest.mark.parametrize(
    ("day", "package_says", "override"),
    [
        ("2025-10-01", False, True),  # a holiday forced to be worked
        ("2025-09-28", True, False),  # a 调休 Sunday cancelled
    ],
)
def test_overrides_win_over_the_package(day, package_says, override):
    assert default_calendar().is_workday(d(day)) is package_says
    assert HolidayCalendar({d(day): override}).is_workday(d(day)) is override


def test_an_override_beyond_the_package_counts_as_covered():
    # given 2027 is unknown to the package, but the administrator entered New Year's Day 2027
    cal = HolidayCalendar({d("2027-01-01"): False})
    # then that one day is covered and a holiday; its neighbours are still guesses
    assert cal.covers(d("2027-01-01"))
    assert not cal.is_workday(d("2027-01-01"))
    assert not cal.covers(d("2027-01-04"))


def test_a_working_deadline_through_overridden_days_only_is_not_beyond_the_calendar():
    cal = HolidayCalendar({d("2027-01-01"): True})
    assert add_days(d("2026-12-31"), 1, WORK, cal) == Deadline(d("2027-01-01"), beyond_calendar=False)


def test_a_working_deadline_past_the_overrides_is_beyond_the_calendar():
    cal = HolidayCalendar({d("2027-01-01"): False})
    assert add_days(d("2026-12-31"), 1, WORK, cal) == Deadline(d("2027-01-04"), beyond_calendar=True)


def test_override_names_take_precedence_and_package_names_label_holidays_and_调休_days():
    cal = HolidayCalendar({d("2025-06-09"): False}, names={d("2025-06-09"): "地方节日"})
    assert cal.name(d("2025-06-09")) == "地方节日"
    assert cal.name(d("2025-10-01")) == "National Day"
    assert cal.name(d("2025-09-28")) == "National Day"  # the 调休 Sunday belongs to National Day
    assert cal.name(d("2025-06-10")) is None
    assert cal.name(d("2027-01-01")) is None


def test_overrides_are_copied_so_later_changes_to_the_source_mapping_do_not_leak_in():
    source = {d("2025-06-07"): True}
    cal = HolidayCalendar(source)
    source[d("2025-06-07")] = False
    assert cal.is_workday(d("2025-06-07"))
    assert cal.overrides == {d("2025-06-07"): True}


def test_a_calendar_with_overrides_survives_pickling_for_the_django_cache():
    cal = HolidayCalendar({d("2025-06-07"): True}, names={d("2025-06-07"): "补班"})
    clone = pickle.loads(pickle.dumps(cal))
    assert clone.is_workday(d("2025-06-07"))
    assert clone.name(d("2025-06-07")) == "补班"


def test_default_calendar_is_cached_and_has_no_overrides():
    assert default_calendar() is default_calendar()
    assert default_calendar().overrides == {}


# --------------------------------------------------------------------------- add_days: working days


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # §23¶3 "5个工作日" across the 2025 National Day 调休:
        # Sun 9/28, Mon 9/29, Tue 9/30, Thu 10/9, Fri 10/10
        ("2025-09-26", 5, "2025-10-10"),
        # starting on the eve of the holiday: 10/9, 10/10, Sat 10/11 (调休), 10/13, 10/14
        ("2025-09-30", 5, "2025-10-14"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-26", 1, "2025-09-28"),
        # triggered on a holiday: counting still starts the next day
        ("2025-10-01", 1, "2025-10-09"),
        # Spring Festival 2026: Sat 2/14 (调休), then 2/24, 2/25, 2/26, 2/27; the 6th is the 调休 Sat 2/28
        ("2026-02-13", 5, "2026-02-27"),
        ("2026-02-13", 6, "2026-02-28"),
        # Spring Festival 2024: the Sunday after the holiday is worked
        ("2024-02-09", 1, "2024-02-18"),
        # Labour Day 2025: Sun 4/27 (调休), 4/28, 4/29, 4/30, then Tue 5/6
        ("2025-04-25", 5, "2025-05-06"),
        # New Year across the year boundary
        ("2024-12-31", 1, "2025-01-02"),
        ("2025-12-31", 1, "2026-01-04"),
        ("2025-12-31", 2, "2026-01-05"),
        # an ordinary week: Fri + 5 working days = next Fri
        ("2025-06-13", 5, "2025-06-20"),
    ],
)
def test_working_day_deadlines_skip_holidays_and_count_调休_days(calendar, start, n, expected):
    # given a trigger date, when adding n working days, then the n-th working day after it is due
    assert add_days(d(start), n, WORK, calendar) == Deadline(d(expected), beyond_calendar=False)


# --------------------------------------------------------------------------- add_days: calendar days


@pytest.mark.parametrize(
    ("start", "n", "plain", "rolled"),
    [
        # ends on National Day 2025 -> rolls over the whole week to Thu 10/9
        ("2025-09-26", 7, "2025-10-03", "2025-10-09"),
        ("2025-09-26", 5, "2025-10-01", "2025-10-09"),
        # ends on Spring Festival 2026 -> Tue 2/24
        ("2026-02-13", 5, "2026-02-18", "2026-02-24"),
        # ends on New Year's Day 2026 -> the 调休 Sunday 1/4
        ("2025-12-31", 1, "2026-01-01", "2026-01-04"),
        # ends on an ordinary Saturday -> Monday
        ("2025-06-04", 3, "2025-06-07", "2025-06-09"),
        # ends on a 调休 Saturday, which is a working day: no roll-over
        ("2025-10-01", 10, "2025-10-11", "2025-10-11"),
        # ends on an ordinary working day: no roll-over
        ("2025-06-04", 5, "2025-06-09", "2025-06-09"),
    ],
)
def test_calendar_day_deadlines_roll_over_a_rest_day_only_when_the_policy_says_so(
    calendar, start, n, plain, rolled
):
    assert add_days(d(start), n, CAL, calendar) == Deadline(d(plain), beyond_calendar=False)
    assert add_days(d(start), n, CAL, calendar, roll_over_holiday=True) == Deadline(d(rolled), False)


def test_sixty_days_to_handle_a_case_ending_on_national_day(calendar):
    # given a case accepted on 2025-08-02 (§32: 60日内办结)
    start = d("2025-08-02")
    # then it is due on 2025-10-01, or 2025-10-09 with roll-over
    assert add_days(start, 60, CAL, calendar).due == d("2025-10-01")
    assert add_days(start, 60, CAL, calendar, roll_over_holiday=True).due == d("2025-10-09")


def test_a_thirty_day_extension_counts_from_the_original_due_date(calendar):
    # given a case accepted on 2025-07-03, due after 60 days, extended by at most 30 days (§32)
    start = d("2025-07-03")
    first = add_days(start, 60, CAL, calendar)
    extended = add_days(first.due, 30, CAL, calendar)
    # then the extended deadline is 90 days after acceptance, landing on National Day
    assert first.due == d("2025-09-01")
    assert extended.due == add_days(start, 90, CAL, calendar).due == d("2025-10-01")
    assert add_days(first.due, 30, CAL, calendar, roll_over_holiday=True).due == d("2025-10-09")


def test_unit_may_be_given_as_its_string_value(calendar):
    assert add_days(d("2025-09-26"), 5, "working_day", calendar).due == d("2025-10-10")
    assert add_days(d("2025-09-26"), 5, "calendar_day", calendar).due == d("2025-10-01")


# --------------------------------------------------------------------------- add_days: beyond the calendar


@pytest.mark.parametrize(
    ("start", "n", "unit", "roll", "expected"),
    [
        # Thu 12/31 is covered; Fri 2027-01-01 is a guess (weekends-only), so is Mon 1/4
        ("2026-12-30", 1, WORK, False, Deadline(d("2026-12-31"), False)),
        ("2026-12-30", 2, WORK, False, Deadline(d("2027-01-01"), True)),
        ("2026-12-30", 3, WORK, False, Deadline(d("2027-01-04"), True)),
        ("2030-03-01", 1, WORK, False, Deadline(d("2030-03-04"), True)),
        # a plain calendar-day deadline never consults the calendar, so it is exact anywhere
        ("2026-12-31", 2, CAL, False, Deadline(d("2027-01-02"), False)),
        ("2030-03-01", 60, CAL, False, Deadline(d("2030-04-30"), False)),
        # ... but rolling over does
        ("2026-12-31", 2, CAL, True, Deadline(d("2027-01-04"), True)),
        ("2026-12-31", 1, CAL, True, Deadline(d("2027-01-01"), True)),
        # an uncovered *start* is never inspected: only days after it count
        ("2003-12-31", 1, WORK, False, Deadline(d("2004-01-02"), False)),
    ],
)
def test_deadlines_that_depend_on_unpublished_years_are_flagged(calendar, start, n, unit, roll, expected):
    assert add_days(d(start), n, unit, calendar, roll_over_holiday=roll) == expected


# --------------------------------------------------------------------------- add_days: n == 0 and bad input


@pytest.mark.parametrize("unit", list(DayUnit))
@pytest.mark.parametrize("roll", [False, True])
@pytest.mark.parametrize("start", ["2025-10-01", "2025-06-09", "2030-01-05"])
def test_a_zero_day_period_is_due_on_its_trigger_date(calendar, unit, roll, start):
    # even on a holiday, a weekend, or beyond the calendar
    assert add_days(d(start), 0, unit, calendar, roll_over_holiday=roll) == Deadline(d(start), False)


@pytest.mark.parametrize("unit", list(DayUnit))
@pytest.mark.parametrize("n", [-1, -60])
def test_a_negative_period_raises_value_error(calendar, unit, n):
    with pytest.raises(ValueError, match="negative"):
        add_days(d("2025-06-09"), n, unit, calendar)


def test_an_unknown_unit_raises_value_error(calendar):
    with pytest.raises(ValueError):
        add_days(d("2025-06-09"), 1, "fortnight", calendar)


@pytest.mark.parametrize("n", [1.0, True, "1"])
def test_a_non_integer_period_raises_type_error(calendar, n):
    with pytest.raises(TypeError):
        add_days(d("2025-06-09"), n, CAL, calendar)


def test_a_datetime_is_refused_so_that_utc_times_cannot_shift_the_day(calendar):
    with pytest.raises(TypeError, match="date"):
        add_days(datetime(2025, 6, 9, 23, 0), 1, CAL, calendar)
    with pytest.raises(TypeError):
        calendar.is_workday(datetime(2025, 6, 9))
    with pytest.raises(TypeError):
        HolidayCalendar({datetime(2025, 6, 9): False})


# --------------------------------------------------------------------------- warning_date


@pytest.mark.parametrize(
    ("start", "due", "fraction", "expected"),
    [
        ("2025-08-02", "2025-10-01", Fraction(2, 3), "2025-09-11"),  # 60 days -> day 40 exactly
        ("2025-08-02", "2025-10-01", 2 / 3, "2025-09-11"),  # a float 2/3 does not floor 39.99… to 39
        ("2025-07-03", "2025-10-01", Fraction(2, 3), "2025-09-01"),  # 90 days -> day 60
        ("2025-09-26", "2025-10-03", Fraction(2, 3), "2025-09-30"),  # 7 days -> 4.67 -> day 4 (rounded down)
        ("2025-06-09", "2025-06-10", Fraction(2, 3), "2025-06-09"),  # 1 day -> 0.67 -> day 0
        ("2025-06-09", "2025-06-09", Fraction(2, 3), "2025-06-09"),  # zero-length period
        ("2025-06-09", "2025-06-14", 0.5, "2025-06-11"),  # 5 days at one half -> 2.5 -> day 2
        ("2025-06-09", "2025-06-19", 0.8, "2025-06-17"),  # 10 days at 0.8 -> day 8
        ("2025-06-09", "2025-06-19", 0, "2025-06-09"),
        ("2025-06-09", "2025-06-19", 1, "2025-06-19"),
    ],
)
def test_warning_date_is_the_fraction_of_the_period_rounded_down(start, due, fraction, expected):
    assert warning_date(d(start), d(due), fraction) == d(expected)


def test_warning_date_defaults_to_two_thirds():
    assert warning_date(d("2025-08-02"), d("2025-10-01")) == d("2025-09-11")


@pytest.mark.parametrize("fraction", [-0.1, 1.5, Fraction(4, 3), float("nan"), float("inf")])
def test_a_warning_fraction_outside_zero_to_one_raises(fraction):
    with pytest.raises(ValueError):
        warning_date(d("2025-06-09"), d("2025-06-19"), fraction)


def test_a_warning_for_a_due_date_before_its_start_raises():
    with pytest.raises(ValueError):
        warning_date(d("2025-06-19"), d("2025-06-09"))


# --------------------------------------------------------------------------- working_days_between


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-09-26", "2025-10-10", 5),  # Sun 9/28, 9/29, 9/30, 10/9, 10/10
        ("2025-09-30", "2025-10-08", 0),  # the whole National Day holiday
        ("2025-10-10", "2025-10-11", 1),  # the 调休 Saturday counts
        ("2025-06-09", "2025-06-09", 0),  # empty interval
        ("2025-06-06", "2025-06-09", 1),  # (start, end]: Friday excluded, Monday included
        ("2025-12-31", "2026-01-05", 2),  # Sun 1/4 (调休) and Mon 1/5
        ("2026-02-13", "2026-02-28", 6),  # Spring Festival 2026
        ("2025-10-10", "2025-09-26", -5),  # signed: an overdue case is 5 working days late
        ("2026-12-31", "2027-01-08", 6),  # weekends-only beyond the calendar
    ],
)
def test_working_days_between_counts_the_half_open_interval(calendar, start, end, expected):
    assert working_days_between(d(start), d(end), calendar) == expected


def test_working_days_between_honours_overrides():
    cal = HolidayCalendar({d("2025-06-07"): True, d("2025-06-09"): False})
    assert working_days_between(d("2025-06-06"), d("2025-06-10"), cal) == 2  # Sat 6/7 and Tue 6/10


# --------------------------------------------------------------------------- properties

# From 2003 (uncovered) through 2028 (uncovered), across every published year in between.
dates = st.dates(min_value=date(2003, 6, 1), max_value=date(2028, 6, 30))
overrides = st.dictionaries(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)), st.booleans())


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=40), extra=overrides)
def test_property_a_working_deadline_is_the_nth_workday_strictly_after_start(start, n, extra):
    cal = HolidayCalendar(extra)
    due = add_days(start, n, WORK, cal).due
    assert due > start
    assert cal.is_workday(due)
    assert working_days_between(start, due, cal) == n
    assert working_days_between(start, due - timedelta(days=1), cal) == n - 1


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=0, max_value=400))
def test_property_a_calendar_deadline_without_roll_over_is_exactly_n_days_later(start, n):
    result = add_days(start, n, CAL, default_calendar())
    assert result == Deadline(start + timedelta(days=n), beyond_calendar=False)


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=400), extra=overrides)
def test_property_roll_over_moves_only_across_rest_days_onto_a_workday(start, n, extra):
    cal = HolidayCalendar(extra)
    plain = start + timedelta(days=n)
    rolled = add_days(start, n, CAL, cal, roll_over_holiday=True)
    assert rolled.due >= plain
    assert cal.is_workday(rolled.due)
    assert working_days_between(plain, rolled.due, cal) == (1 if rolled.due > plain else 0)
    skipped = [plain + timedelta(days=i) for i in range((rolled.due - plain).days + 1)]
    assert rolled.beyond_calendar == (not all(cal.covers(day) for day in skipped))


@settings(max_examples=200, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=40))
def test_property_beyond_calendar_is_set_iff_some_counted_day_is_uncovered(start, n):
    cal = default_calendar()
    result = add_days(start, n, WORK, cal)
    inspected = [start + timedelta(days=i) for i in range(1, (result.due - start).days + 1)]
    assert result.beyond_calendar == (not all(cal.covers(day) for day in inspected))


@given(a=dates, b=dates)
@settings(deadline=None)
def test_property_working_days_between_is_antisymmetric(a, b):
    cal = default_calendar()
    assert working_days_between(a, b, cal) == -working_days_between(b, a, cal)


@given(
    start=dates,
    span=st.integers(min_value=0, max_value=400),
    f1=st.fractions(min_value=0, max_value=1),
    f2=st.fractions(min_value=0, max_value=1),
)
def test_property_warning_date_lies_within_the_period_and_grows_with_the_fraction(start, span, f1, f2):
    due = start + timedelta(days=span)
    low, high = sorted((f1, f2))
    assert start <= warning_date(start, due, low) <= warning_date(start, due, high) <= due
