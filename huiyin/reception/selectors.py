"""Reads of leader reception, scoped to what the reader may see.

The schedule is public (SPEC §1.5). A session's agenda opens for the staff of its territory, its leader
and the people invited; a matter on it shows its case history only to a reader who may see the case
(Case.objects.visible_to): the accused side never sees the accuser (条例 §30¶3, ADR 0005).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from huiyin.cases.models import Case, CaseEvent
from huiyin.cases.selectors import visible_to
from huiyin.core import registry, timeutil
from huiyin.org.models import User
from huiyin.reception.choices import BookingStatus, SessionKind, SessionStatus
from huiyin.reception.models import Booking, ReceptionLeader, Session
from huiyin.workflow.models import Clock


def with_counts(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.annotate(
        booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED))
    ).select_related("leader", "territory", "scheduled_leader")


def public_sessions(*, start: date | None = None, days: int = 56, level: str = "") -> list[Session]:
    """The published schedule: who, when, where, which matters, slots left."""
    start = start or timeutil.today()
    # the reception days and the announced 下访 (a 约访 is a private appointment, never published)
    qs = Session.objects.filter(
        status=SessionStatus.SCHEDULED, date__gte=start, date__lt=start + timedelta(days=days)
    ).exclude(kind=SessionKind.APPOINTMENT)
    if level:
        qs = qs.filter(level=level)
    sessions = list(with_counts(qs).order_by("date", "start_time", "level", "id"))
    titles = dict(
        ReceptionLeader.objects.filter(user_id__in={s.leader_id for s in sessions}).values_list(
            "user_id", "title"
        )
    )
    for s in sessions:
        s.leader_title = titles.get(s.leader_id, "")  # type: ignore[attr-defined]
        s.left = max(0, s.capacity - s.booked)  # type: ignore[attr-defined]
    return sessions


def bookable_session(pk: Any) -> Session | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Session.objects.filter(
            pk=pk, kind=SessionKind.DAY, status=SessionStatus.SCHEDULED, date__gte=timeutil.today()
        )
        .select_related("leader", "territory")
        .first()
    )


def sessions_for(user: User) -> QuerySet[Session]:
    """Sessions the staff member works with: their territory's and below, theirs, those they are invited to."""
    if not user.unit_id:
        return Session.objects.none()
    path = user.unit.territory.path  # type: ignore[union-attr]
    return Session.objects.filter(
        Q(territory__path__startswith=path) | Q(leader=user) | Q(invitations__user=user)
    ).distinct()


@dataclass
class AgendaRow:
    booking: Booking
    case: Case | None  # None also when the reader may not see it
    hidden: bool  # the matter's case exists but is not the reader's to see (e.g. the accused side)
    events: list[dict[str, Any]]
    clocks: list[Clock]


def agenda(session: Session, user: User) -> list[AgendaRow]:
    bookings = list(
        session.bookings.exclude(status=BookingStatus.CANCELLED).select_related("case", "outcome_unit")
    )
    case_ids = [b.case_id for b in bookings if b.case_id]
    visible = {
        c.pk: c for c in visible_to(user).filter(pk__in=case_ids).select_related("handling_unit", "leader")
    }
    events: dict[int, list[dict[str, Any]]] = {}
    for ev in (
        CaseEvent.objects.filter(case_id__in=list(visible))
        .select_related("actor_unit")
        .order_by("created_at", "id")
    ):
        events.setdefault(ev.case_id, []).append(
            {"at": ev.created_at, "label": registry.event_label(ev.event_type), "unit": ev.actor_unit}
        )
    clocks: dict[int, list[Clock]] = {}
    for clock in Clock.objects.filter(case_id__in=list(visible)).select_related("unit").order_by("due_on"):
        clocks.setdefault(clock.case_id, []).append(clock)
    rows = []
    for b in bookings:
        case = visible.get(b.case_id) if b.case_id else None
        rows.append(
            AgendaRow(
                b,
                case,
                bool(b.case_id) and case is None,
                events.get(b.case_id or 0, []),
                clocks.get(b.case_id or 0, []),
            )
        )
    return rows
