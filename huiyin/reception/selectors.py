"""Reads of leader reception, scoped to what the reader may see.

The schedule is public (SPEC §1.5). A session's page opens for the staff of its territory, its leader
and the people invited (sessions_for), but the bookings on it — who, their phone, their matter — only
for those who work them (seeds/002 rule 3: 由信访部门统一安排和协调; SPEC §3.4):

* the session's leader and the staff of the petition office that arranges it see every booking;
* anyone else (the units below, an invited department head, a supervisor) sees only their own items: a
  booking whose case they may see and that is assigned to their unit (its handling unit, or the unit the
  visit was 交办 to), or whose 包案 leader they are;
* whatever the tier, a matter's case opens only to a reader who may see it (visible_to): the accused
  side never sees the accuser nor the matter (条例 §30¶3, ADR 0005), the accused's superior sees the
  matter without the accuser (confidentiality.may_see_identity); an accusation not yet registered (its
  accused unit unknown) is shown only to the arranging office, which registers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from huiyin.cases.choices import PetitionType
from huiyin.cases.confidentiality import may_see_identity
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


# why a booking's details are withheld from a reader (AgendaRow.withheld)
ACCUSED_SIDE = "accused_side"  # the case is not the reader's to see (e.g. the accused side, 条例 §30¶3)
NOT_YOURS = "not_yours"  # neither the session's leader or office, nor the unit the matter is assigned to
UNREGISTERED_ACCUSATION = "unregistered"  # an accusation whose accused unit is not known until registered


@dataclass
class AgendaRow:
    booking: Booking
    case: Case | None  # None also when the reader may not see it
    hidden: bool  # the booking's details are withheld from the reader (`withheld` says why)
    events: list[dict[str, Any]]
    clocks: list[Clock]
    withheld: str = ""
    identity: bool = True  # False: the accuser's name is withheld (the accused's superior, 条例 §30¶3)


def arranges(session: Session, user: User) -> bool:
    """The session's leader, or staff of the petition office that arranges it: they see every booking."""
    if user.is_superuser and not user.unit_id:
        return True
    return bool(user.is_active) and (
        user.pk == session.leader_id or (user.unit_id is not None and user.unit_id == session.office_id)
    )


def _own_item(booking: Booking, case: Case, user: User) -> bool:
    """A matter the reader's unit was given (handling unit, or the unit the visit was 交办 to), or a
    matter whose 包案 leader the reader is."""
    unit = user.unit_id
    return (unit is not None and unit in (case.handling_unit_id, booking.outcome_unit_id)) or (
        case.leader_id == user.pk
    )


def _withheld(booking: Booking, case: Case | None, user: User, full: bool, office: bool) -> str:
    if booking.case_id and case is None:
        return ACCUSED_SIDE
    if booking.created_by_id == user.pk and booking.created_by_id is not None and case is None:
        return ""  # the clerk who booked the walk-in sees what they typed (until it becomes a case)
    if case is None:
        # not registered yet: an accusation's accused unit is unknown (the leader may be on its accused
        # side), so only the arranging office sees it until it registers the matter
        if booking.petition_type == PetitionType.ACCUSATION and not office:
            return UNREGISTERED_ACCUSATION
        return "" if full else NOT_YOURS
    if full or _own_item(booking, case, user):
        return ""
    return NOT_YOURS


def agenda(session: Session, user: User) -> list[AgendaRow]:
    bookings = list(
        session.bookings.exclude(status=BookingStatus.CANCELLED).select_related("case", "outcome_unit")
    )
    full = arranges(session, user)
    office = (user.is_superuser and not user.unit_id) or (
        user.unit_id is not None and user.unit_id == session.office_id
    )
    case_ids = [b.case_id for b in bookings if b.case_id]
    visible = {
        c.pk: c
        for c in visible_to(user).filter(pk__in=case_ids).select_related("handling_unit", "leader", "office")
    }
    withheld = {b.pk: _withheld(b, visible.get(b.case_id or 0), user, full, office) for b in bookings}
    shown = {b.case_id for b in bookings if b.case_id and not withheld[b.pk]}
    events: dict[int, list[dict[str, Any]]] = {}
    for ev in (
        CaseEvent.objects.filter(case_id__in=list(shown))
        .select_related("actor_unit")
        .order_by("created_at", "id")
    ):
        events.setdefault(ev.case_id, []).append(
            {"at": ev.created_at, "label": registry.event_label(ev.event_type), "unit": ev.actor_unit}
        )
    clocks: dict[int, list[Clock]] = {}
    for clock in Clock.objects.filter(case_id__in=list(shown)).select_related("unit").order_by("due_on"):
        clocks.setdefault(clock.case_id, []).append(clock)
    rows = []
    for b in bookings:
        why = withheld[b.pk]
        case = visible.get(b.case_id) if b.case_id and not why else None
        rows.append(
            AgendaRow(
                b,
                case,
                bool(why),
                events.get(b.case_id or 0, []) if not why else [],
                clocks.get(b.case_id or 0, []) if not why else [],
                why,
                case is None or may_see_identity(user, case),
            )
        )
    return rows
