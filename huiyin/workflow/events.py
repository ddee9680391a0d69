"""Write a case event that is not a status transition (督办, reports) with the same guarantees as
`services._transition`: in the caller's transaction, announced on commit (notifications listen)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from huiyin.cases.models import Case, CaseEvent
from huiyin.core import timeutil
from huiyin.org.models import Unit, User
from huiyin.workflow.signals import case_event_committed


def write_event(
    *,
    case: Case,
    event_type: str,
    actor: User | None,
    data: dict[str, Any],
    reason: str = "",
    actor_unit: Unit | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        event_type=event_type,
        from_status=case.status,
        to_status=case.status,
        actor=actor,
        actor_unit=actor_unit or (actor.unit if actor is not None else None),
        reason=reason,
        data=data,
        created_at=timeutil.now(),
    )
    transaction.on_commit(lambda: case_event_committed.send(sender=CaseEvent, event=event))
    return event
