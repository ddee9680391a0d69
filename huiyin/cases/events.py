"""Writing a case event: the one function every writer uses (ADR 0007), and the event type cases
itself declares (登记).

`event_record` writes the append-only row and, in the same transaction, its outbox row, so the notices
and messages it owes commit with it or not at all (ADR 0006). It refuses an event type that no module
declared in the registry (huiyin.core.registry), so every event on a timeline has its words.

The outbox belongs to `notify`, a layer above cases: it listens to `event_written`, which is sent
synchronously inside the writer's transaction, so its row commits with the event or not at all, and a
failure there rolls the event back too (a receiver's exception propagates). `notify` connects it in
its AppConfig.ready(); cases never imports notify.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.dispatch import Signal
from django.utils.translation import gettext as _

from huiyin.cases.models import Case, CaseEvent
from huiyin.core import registry, timeutil
from huiyin.core.registry import EventType, Phase
from huiyin.org.models import Unit, User

# kwargs: event — sent inside the writer's transaction, right after the row is created (see above)
event_written = Signal()


def event_record(
    *,
    case: Case | int,
    event_type: str,
    actor: User | None = None,
    actor_unit: Unit | int | None = None,
    data: dict[str, Any] | None = None,
    reason: str = "",
    from_status: str | None = None,
    to_status: str | None = None,
    created_at: datetime | None = None,
    deliver_later: bool = False,
) -> CaseEvent:
    """Append one event to `case` with its outbox row (call inside the writer's transaction).

    The statuses default to the case's status as stored now (an event that is not a transition: 督办,
    reports, clock changes); the acting unit (a Unit or its id) defaults to the actor's unit.
    `deliver_later`: the event's notices are made by the worker, not in this request (the outbox row
    still commits with the event; ADR 0006, issue 15's lean intake)."""
    registry.event_type(event_type)  # UnknownEventType before anything is written
    case_id = case if isinstance(case, int) else case.pk
    if from_status is None or to_status is None:
        stored = Case.objects.filter(pk=case_id).values_list("status", flat=True).first() or ""
        from_status = stored if from_status is None else from_status
        to_status = stored if to_status is None else to_status
    if actor_unit is None:
        unit_id = actor.unit_id if actor is not None else None
    else:
        unit_id = actor_unit if isinstance(actor_unit, int) else actor_unit.pk
    event = CaseEvent.objects.create(
        case_id=case_id,
        event_type=event_type,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_unit_id=unit_id,
        reason=reason,
        data=data or {},
        created_at=created_at or timeutil.now(),
    )
    # its outbox row commits with it (ADR 0006)
    event_written.send(sender=CaseEvent, event=event, deliver_later=deliver_later)
    return event


def _registered(ev: CaseEvent) -> str:
    unit = ev.actor_unit.name if ev.actor_unit else ev.case.office.name
    return _("%(office)s登记了您的信访事项") % {"office": unit}


EVENTS = (
    # 条例 §17, §23¶2: a registered matter gets a receipt (the message kind "register")
    EventType("register", "登记", Phase.REGISTRATION, citizen=_registered, message="register"),
)
