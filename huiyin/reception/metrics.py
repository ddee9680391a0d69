"""Metrics of leader reception (seeds/002 rule 5: 一次办结率和化解率, 严格考核). ORM aggregates only; the
lead registers them with the analytics registry at merge (helper t11-analytics).

Each function takes a period (`start`, `end`, inclusive, by the session's date) and an optional
territory (sessions of that territory and below); `as_of` is the day the figure is computed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from huiyin.core import timeutil
from huiyin.org.models import Territory
from huiyin.reception.choices import BookingStatus, Outcome, SessionStatus
from huiyin.reception.models import Booking, Session

REPEAT_WINDOW_DAYS = 90


def _sessions(start: date, end: date, territory: Territory | None) -> QuerySet[Session]:
    qs = Session.objects.filter(date__gte=start, date__lte=end)
    return qs.filter(territory__path__startswith=territory.path) if territory is not None else qs


def sessions_held_vs_scheduled(
    *, start: date, end: date, territory: Territory | None = None, as_of: date | None = None
) -> list[dict[str, Any]]:
    """Per level: `scheduled` = sessions dated in the period up to `as_of` and not cancelled (what the
    rules promised the public and that should have taken place by now); `held` = those of them at which
    at least one visit was recorded (status 已接待). Cancelled sessions count in neither; sessions after
    `as_of` are excluded (they cannot have been held yet)."""
    as_of = as_of or timeutil.today()
    qs = _sessions(start, min(end, as_of), territory).exclude(status=SessionStatus.CANCELLED)
    return [
        dict(r)
        for r in qs.values("level")
        .annotate(scheduled=Count("id"), held=Count("id", filter=Q(status=SessionStatus.HELD)))
        .order_by("level")
    ]


def _received(start: date, end: date, territory: Territory | None) -> QuerySet[Booking]:
    qs = Booking.objects.filter(
        status=BookingStatus.RECEIVED, session__date__gte=start, session__date__lte=end
    )
    return qs.filter(session__territory__path__startswith=territory.path) if territory is not None else qs


def visits_received(*, start: date, end: date, territory: Territory | None = None) -> list[dict[str, Any]]:
    """Per leader who received: the visits with a recorded outcome at their sessions in the period
    (a collective visit counts once); bookings never received (cancelled, no-show) are excluded."""
    return [
        dict(r)
        for r in _received(start, end, territory)
        .values("session__leader", "session__leader__full_name", "session__level")
        .annotate(visits=Count("id"))
        .order_by("session__level", "session__leader")
    ]


def one_time_resolution(
    *, start: date, end: date, territory: Territory | None = None, as_of: date | None = None
) -> list[dict[str, Any]]:
    """一次办结率 per leader.

    Denominator: visits received at the leader's sessions in the period whose outcome is known — resolved
    on the spot, or received at least 90 days before `as_of` (so the 90-day window has closed).
    Numerator: of those, the ones resolved on the spot, or after which the same matter (the same case)
    came to no further leader reception within 90 calendar days of the session.
    Excluded: visits inside the open window that were not resolved on the spot (not yet decidable).
    Rate = numerator / denominator (None when the denominator is 0)."""
    as_of = as_of or timeutil.today()
    closed_before = as_of - timedelta(days=REPEAT_WINDOW_DAYS)
    window_end = ExpressionWrapper(
        OuterRef("session__date") + timedelta(days=REPEAT_WINDOW_DAYS), output_field=DateTimeField()
    )
    repeated = Booking.objects.filter(
        case_id=OuterRef("case_id"),
        status=BookingStatus.RECEIVED,
        session__date__gt=OuterRef("session__date"),
        session__date__lte=window_end,
    )
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in _received(start, end, territory)
        .filter(Q(outcome=Outcome.RESOLVED) | Q(session__date__lte=closed_before))
        .annotate(repeated=Exists(repeated))
        .values("session__leader", "session__leader__full_name", "session__level")
        .annotate(
            visits=Count("id"),
            once=Count("id", filter=Q(outcome=Outcome.RESOLVED) | Q(repeated=False)),
        )
        .order_by("session__level", "session__leader")
    ]
    for row in rows:
        row["rate"] = row["once"] / row["visits"] if row["visits"] else None
    return rows
