"""The holiday calendar in force: `chinese-calendar` data plus the administrators' overrides."""

from __future__ import annotations

from django.core.cache import cache

from huiyin.core.workdays import HolidayCalendar

_CACHE_KEY = "huiyin:holiday-calendar:v1"


def current_calendar() -> HolidayCalendar:
    """Return the calendar with every `HolidayOverride` applied (cached until an override changes)."""
    calendar: HolidayCalendar | None = cache.get(_CACHE_KEY)
    if calendar is None:
        from huiyin.core.models import HolidayOverride

        overrides = dict(HolidayOverride.objects.values_list("day", "is_workday"))
        calendar = HolidayCalendar(overrides=overrides)
        cache.set(_CACHE_KEY, calendar, 300)
    return calendar


def forget_calendar() -> None:
    cache.delete(_CACHE_KEY)
