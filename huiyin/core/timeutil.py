"""The one place the application asks what time it is (tests move it; nothing else reads the clock)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localdate(now())


class DemoClock:
    """Moves `now` to a past day (and back), like the tests' `clock` fixture: the demo builders of every
    module write their seasons through the services as of the days they happened."""

    def __init__(self) -> None:
        self._original = now

    def set(self, day: date, step: int = 0) -> None:
        moment = timezone.make_aware(datetime.combine(day, time(9, 0)) + timedelta(minutes=7 * step))
        globals()["now"] = lambda: moment

    def restore(self) -> None:
        globals()["now"] = self._original
