"""Deadline arithmetic for the 《信访工作条例》(2022): calendar days, working days, holidays.

Pure Python — no Django imports — so that it can be tested without a database and reused anywhere.

Legal background
----------------
* Every deadline in the 《信访工作条例》(2022) is expressed in plain days (日) — e.g. §32 "60日内办结",
  extendable by at most 30日 — with one exception: §23¶3, "5个工作日" to object to a mis-routed case.
  Hence the two units of :class:`DayUnit`.
* Day 0 is the trigger date itself; counting starts on the next day. The 条例 is silent on this, so we
  follow the general rule of 《民法典》§201 (按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算).
* 《民法典》§203 moves the last day of a period that falls on a 法定休假日 to the day after the holiday.
  Whether that applies to administrative 信访 deadlines **needs legal confirmation**, so it is an opt-in
  policy, ``roll_over_holiday`` (default ``False``): when set, a calendar-day deadline landing on a rest
  day moves to the next working day.

Holiday data
------------
The State Council's annual holiday notice (including 调休 weekend working days) comes from the
``chinese_calendar`` package; administrators may override single days. A day that neither the package
nor an override knows about is "beyond the calendar": we fall back to Monday–Friday working days and
flag every deadline that depended on such a day (:attr:`Deadline.beyond_calendar`), because the real
answer can change once the State Council publishes that year's notice.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cache, lru_cache

import chinese_calendar

__all__ = [
    "DayUnit",
    "Deadline",
    "HolidayCalendar",
    "add_days",
    "default_calendar",
    "warning_date",
    "working_days_between",
]

_ONE_DAY = dt.timedelta(days=1)

#: Floats given to :func:`warning_date` are read as the nearest fraction with at most this denominator,
#: so that ``2/3`` typed as a float behaves exactly like ``Fraction(2, 3)``.
_MAX_WARNING_DENOMINATOR = 10_000


class DayUnit(StrEnum):
    """How the days of a period are counted."""

    CALENDAR = "calendar_day"  # 日 — every day counts
    WORKING = "working_day"  # 工作日 — only working days count (条例 §23¶3)


@dataclass(frozen=True)
class Deadline:
    """The last day of a period, and whether computing it relied on guessed (weekends-only) data."""

    due: dt.date
    beyond_calendar: bool  # True if any day inspected to compute `due` was outside the calendar's coverage


def _require_date(day: object, name: str = "day") -> dt.date:
    """Reject anything that is not a plain ``date``.

    ``datetime`` is a subclass of ``date`` but must not sneak in: an aware UTC datetime's ``.date()`` is
    the wrong Beijing day between 00:00 and 08:00, and a datetime never equals a date as a dict key.
    Callers convert first (in Django: ``timezone.localdate(value)``).
    """
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"{name} must be a datetime.date, not {type(day).__name__}")
    return day


@lru_cache(maxsize=8192)
def _package_is_workday(day: dt.date) -> bool | None:
    """What ``chinese_calendar`` says about `day`, or None if it has no data for that year."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


class HolidayCalendar:
    """Working days: ``chinese_calendar`` data, overridden day by day by the administrators.

    `overrides` maps a date to whether it is a working day; an override always wins over the package and
    makes that date "covered". `names` optionally labels days (e.g. "国庆节调休") for display.

    Instances hold only plain dicts, so they pickle (the Django layer caches them).
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        *,
        names: Mapping[dt.date, str] | None = None,
    ) -> None:
        self._overrides: dict[dt.date, bool] = {
            _require_date(day, "override date"): bool(is_workday)
            for day, is_workday in (overrides or {}).items()
        }
        self._names: dict[dt.date, str] = {
            _require_date(day, "name date"): name for day, name in (names or {}).items()
        }

    def __repr__(self) -> str:
        return f"HolidayCalendar(overrides={len(self._overrides)})"

    @property
    def overrides(self) -> Mapping[dt.date, bool]:
        """A copy of the administrators' overrides."""
        return dict(self._overrides)

    def _lookup(self, day: dt.date) -> tuple[bool, bool]:
        """Return ``(is_workday, covered)`` for `day`."""
        _require_date(day)
        if day in self._overrides:
            return self._overrides[day], True
        from_package = _package_is_workday(day)
        if from_package is not None:
            return from_package, True
        return day.weekday() < 5, False

    def covers(self, day: dt.date) -> bool:
        """Whether `day` is known from an override or from the package's published data."""
        return self._lookup(day)[1]

    def is_workday(self, day: dt.date) -> bool:
        """Whether `day` is a working day; Monday–Friday when `day` is not covered."""
        return self._lookup(day)[0]

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self._next_workday(day)[0]

    def _next_workday(self, day: dt.date) -> tuple[dt.date, bool]:
        """The first working day strictly after `day`, and whether every day inspected was covered."""
        covered_all = True
        while True:
            day += _ONE_DAY
            is_workday, covered = self._lookup(day)
            covered_all &= covered
            if is_workday:
                return day, covered_all

    def name(self, day: dt.date) -> str | None:
        """A label for `day`: the override's name, else the package's holiday name (also on 调休 days)."""
        _require_date(day)
        if day in self._names:
            return self._names[day]
        if day in self._overrides or _package_is_workday(day) is None:
            return None
        detail: str | None = chinese_calendar.get_holiday_detail(day)[1]
        return detail


@cache
def default_calendar() -> HolidayCalendar:
    """The package's data without any overrides (one shared instance)."""
    return HolidayCalendar()


def add_days(
    start: dt.date,
    n: int,
    unit: DayUnit | str,
    calendar: HolidayCalendar,
    *,
    roll_over_holiday: bool = False,
) -> Deadline:
    """Due date of an n-day period triggered on `start` (day 0; counting starts the next day, 民法典 §201).

    * ``CALENDAR``: ``start + n`` days. With `roll_over_holiday` (民法典 §203 analogy — needs legal
      confirmation), a due date on a rest day moves to the next working day. Without it the calendar is
      not consulted at all, so the result is never ``beyond_calendar``.
    * ``WORKING``: the n-th working day after `start` (条例 §23¶3).
    * ``n == 0`` returns `start` itself, whatever the unit or policy.

    Raises ``ValueError`` for negative `n` and ``TypeError`` for a non-``date`` `start` or non-int `n`.
    """
    _require_date(start, "start")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"a period cannot have a negative length ({n} days)")
    unit = DayUnit(unit)
    if n == 0:
        return Deadline(due=start, beyond_calendar=False)

    if unit is DayUnit.CALENDAR:
        due = start + dt.timedelta(days=n)
        if not roll_over_holiday:
            return Deadline(due=due, beyond_calendar=False)
        is_workday, covered = calendar._lookup(due)
        if is_workday:
            return Deadline(due=due, beyond_calendar=not covered)
        rolled, covered_rest = calendar._next_workday(due)
        return Deadline(due=rolled, beyond_calendar=not (covered and covered_rest))

    due, covered_all = start, True
    for _ in range(n):
        due, covered = calendar._next_workday(due)
        covered_all &= covered
    return Deadline(due=due, beyond_calendar=not covered_all)


def warning_date(start: dt.date, due: dt.date, fraction: Fraction | float = Fraction(2, 3)) -> dt.date:
    """The day the clock turns yellow: ``start + floor(fraction × (due − start))`` calendar days.

    Rounding is **down**, i.e. the warning comes early rather than late: a 60-day period warns on day 40,
    a 7-day span at 2/3 (4.67) on day 4. Floats are read as the nearest simple fraction (denominator at
    most 10 000), so ``2 / 3`` behaves exactly like ``Fraction(2, 3)`` instead of flooring 39.999… to 39.
    `fraction` must lie in [0, 1]; the result always lies in [start, due].
    """
    _require_date(start, "start")
    _require_date(due, "due")
    if due < start:
        raise ValueError(f"due ({due}) is before start ({start})")
    if isinstance(fraction, float):
        if not math.isfinite(fraction):
            raise ValueError(f"fraction must be finite, not {fraction}")
        fraction = Fraction(fraction).limit_denominator(_MAX_WARNING_DENOMINATOR)
    fraction = Fraction(fraction)
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must lie in [0, 1], not {fraction}")
    return start + dt.timedelta(days=math.floor(fraction * (due - start).days))


def working_days_between(start: dt.date, end: dt.date, calendar: HolidayCalendar) -> int:
    """The number of working days in ``(start, end]``.

    Signed: if `end` is before `start` the result is minus the working days in ``(end, start]``, so an
    overdue case shows how many working days it is late. For ``n >= 0``,
    ``working_days_between(s, add_days(s, n, WORKING, c).due, c) == n``.
    """
    _require_date(start, "start")
    _require_date(end, "end")
    if end < start:
        return -working_days_between(end, start, calendar)
    count, day = 0, start
    while day < end:
        day += _ONE_DAY
        count += calendar.is_workday(day)
    return count
