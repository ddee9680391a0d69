"""Case events outside the transition table: what each kind is called, and `write_event` for one that
is not a status transition (督办, reports) with the same guarantees as `services.core._transition`: in the
caller's transaction, with its outbox row (the notices it owes, ADR 0006)."""

from __future__ import annotations

from typing import Any

from huiyin.cases.aftercare import EVENT_LABELS as AFTERCARE_EVENT_LABELS
from huiyin.cases.models import Case, CaseEvent
from huiyin.core import timeutil
from huiyin.notify.outbox import outbox_write
from huiyin.org.models import Unit, User
from huiyin.supervision.choices import EVENT_LABELS as SUPERVISION_EVENT_LABELS
from huiyin.workflow.transitions import ACTION_LABELS

# What each kind of case event is called on timelines and in notices.
EVENT_LABELS: dict[str, str] = {
    "register": "登记",
    **{str(action): label for action, label in ACTION_LABELS.items()},
    "clock_yellow": "时限黄灯预警",
    "clock_red": "时限红灯超期",
    "clock_expired": "期限届满",
    **SUPERVISION_EVENT_LABELS,
    **AFTERCARE_EVENT_LABELS,  # t10-rules, HD-10/RP-2 (条例 §37)
}


def write_event(
    *,
    case: Case,
    event_type: str,
    actor: User | None,
    data: dict[str, Any],
    reason: str = "",
    actor_unit: Unit | None = None,
) -> CaseEvent:
    # The status as stored now: the caller's object may be older (an on-commit listener holds the
    # case as it was registered, and later steps may have moved it on).
    status = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first() or case.status
    event = CaseEvent.objects.create(
        case=case,
        event_type=event_type,
        from_status=status,
        to_status=status,
        actor=actor,
        actor_unit=actor_unit or (actor.unit if actor is not None else None),
        reason=reason,
        data=data,
        created_at=timeutil.now(),
    )
    outbox_write(event=event)  # its notices commit with it (ADR 0006)
    return event
