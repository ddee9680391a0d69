"""Schedule rules and the dates they give (pure functions over the 调休 calendar).

Seed defaults (seeds/002 党政领导信访接待日制度 rule 1: 县级每周安排一次；乡镇街道及有关部门每月安排两次;
seeds/000: 市级党政领导班子成员每季度安排1天; seeds/003 §二(二): 每天安排一名领导同志在信访大厅接访).
A jurisdiction overrides them with a ScheduleRule row, which also applies to the territories below it.

How a rule picks its days (all on working days of `huiyin.core.calendar.current_calendar()`):
- daily: every working day;
- weekly: the rule's weekday in each week (Monday–Sunday); if that day is not a working day, the first
  working day after it in the same week (a 调休 Saturday counts), else the last one before it; a week
  without a working day has no session;
- twice a month: the 1st and 3rd such weekday of the month; monthly: the 1st; quarterly: the 1st of the
  first month of each quarter — each moved to the next working day of the same month if it is not one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from huiyin.core.calendar import current_calendar
from huiyin.org.models import Territory
from huiyin.reception.choices import Frequency, Level, Weekday
from huiyin.reception.models import ScheduleRule


@dataclass(frozen=True)
class Rule:
    level: str
    frequency: str
    weekday: int
    start_time: time
    end_time: time
    place: str
    slots: int
    article: str
    territory_id: int | None  # None: the seed default

    @property
    def frequency_label(self) -> str:
        return str(Frequency(self.frequency).label)

    @property
    def weekday_label(self) -> str:
        return str(Weekday(self.weekday).label)


DEFAULTS: dict[str, Rule] = {
    Level.COUNTY: Rule(Level.COUNTY, Frequency.WEEKLY, Weekday.WEDNESDAY, time(9), time(12), "", 8,
                       "党政领导信访接待日制度第1条：县级每周安排一次", None),
    Level.TOWNSHIP: Rule(Level.TOWNSHIP, Frequency.TWICE_MONTHLY, Weekday.TUESDAY, time(9), time(12), "", 6,
                         "党政领导信访接待日制度第1条：乡镇街道每月安排两次", None),
    Level.DEPARTMENT: Rule(Level.DEPARTMENT, Frequency.TWICE_MONTHLY, Weekday.THURSDAY, time(9), time(12), "", 6,
                           "党政领导信访接待日制度第1条：有关部门每月安排两次", None),
    Level.CITY: Rule(Level.CITY, Frequency.QUARTERLY, Weekday.TUESDAY, time(9), time(12), "", 10,
                     "市级党政领导班子成员每季度安排1天接访", None),
    Level.HALL: Rule(Level.HALL, Frequency.DAILY, Weekday.MONDAY, time(9), time(17), "", 12,
                     "各单位每天安排一名领导同志在信访大厅接访（一站式接待）", None),
}  # fmt: skip


def rule_for(territory: Territory, level: str) -> Rule:
    """The rule in force for `level` in `territory`: its own row, the nearest ancestor's, or the seed."""
    ancestors = territory.ancestors()
    rows = {r.territory_id: r for r in ScheduleRule.objects.filter(territory__in=ancestors, level=level)}
    for node in reversed(ancestors):
        row = rows.get(node.pk)
        if row is not None:
            return Rule(
                row.level,
                row.frequency,
                row.weekday,
                row.start_time,
                row.end_time,
                row.place,
                row.slots,
                row.article or DEFAULTS[level].article,
                row.territory_id,
            )
    return DEFAULTS[level]


def is_workday(day: date) -> bool:
    return current_calendar().is_workday(day)


def next_workday_in_month(day: date) -> date | None:
    d = day
    while d.month == day.month:
        if is_workday(d):
            return d
        d += timedelta(days=1)
    return None


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _week_day(monday: date, weekday: int) -> date | None:
    target = monday + timedelta(days=weekday)
    week = [monday + timedelta(days=i) for i in range(7)]
    after = [d for d in week if d >= target and is_workday(d)]
    if after:
        return after[0]
    before = [d for d in week if d < target and is_workday(d)]
    return before[-1] if before else None


def dates_for(rule: Rule, start: date, end: date, weekday: int | None = None) -> list[date]:
    """The days `rule` schedules between `start` and `end` (inclusive), in order."""
    wd = rule.weekday if weekday is None else weekday
    found: list[date] = []
    if rule.frequency == Frequency.DAILY:
        d = start
        while d <= end:
            if is_workday(d):
                found.append(d)
            d += timedelta(days=1)
        return found
    if rule.frequency == Frequency.WEEKLY:
        monday = start - timedelta(days=start.weekday())
        while monday <= end:
            day = _week_day(monday, wd)
            if day is not None and start <= day <= end:
                found.append(day)
            monday += timedelta(days=7)
        return found
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        picks: list[int] = []
        if rule.frequency == Frequency.TWICE_MONTHLY:
            picks = [1, 3]
        elif rule.frequency == Frequency.MONTHLY or (
            rule.frequency == Frequency.QUARTERLY and m in (1, 4, 7, 10)
        ):
            picks = [1]
        for n in picks:
            day = next_workday_in_month(_nth_weekday(y, m, wd, n))
            if day is not None and start <= day <= end and day not in found:
                found.append(day)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return found
