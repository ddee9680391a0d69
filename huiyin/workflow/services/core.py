"""The transition core: every action goes through `_transition`, which locks the case, checks the table,
the actor and the guards, applies the change and writes the event with its outbox row (ADR 0006)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from huiyin.cases.events import event_record
from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.org.choices import RuleKey
from huiyin.org.models import User
from huiyin.org.selectors import Rule
from huiyin.workflow.actors import (
    Actor,
    CitizenActor,
    actor_sides,
    ensure_actor_may,
    ensure_no_conflict,
    interest_of,
)
from huiyin.workflow.clocks import rules_for_case
from huiyin.workflow.conflicts import (
    conflict_bar,
)
from huiyin.workflow.guards import ACTOR_GUARDS, GUARDS, MSG_REASON_REQUIRED
from huiyin.workflow.transitions import (
    TABLE,
    Action,
    next_status,
)


@dataclass
class Context:
    """What an action's body needs besides the case: who, when, and the jurisdiction's rules."""

    actor: Actor
    now: datetime
    today: date
    rules: dict[RuleKey, Rule]


def lock_case(pk: int) -> Case:
    """Re-read the case under a row lock (a no-op on SQLite, where IMMEDIATE transactions serialise writes)."""
    return Case.objects.select_for_update().get(pk=pk)


def allowed_actions(case: Case, user: User, *, just_registered: bool = False) -> list[Action]:
    """The actions `user` may take on `case` now; templates and the API ask this, they never decide.

    `just_registered`: `case` was created in this request (no opinion, co-handling or dispute yet)."""
    today = timeutil.today()
    allowed = []
    sides = (
        set() if isinstance(user, CitizenActor) else actor_sides(user, case, just_registered=just_registered)
    )
    if not isinstance(user, CitizenActor) and conflict_bar(case, user) is not None:
        return []  # the accused person (or a namesake not yet cleared) takes no part (ADR 0005)
    interest = interest_of(user, case)
    for (status, action), _target in TABLE.items():
        if status != case.status:
            continue
        try:
            ensure_actor_may(user, action, case, sides)
            ensure_no_conflict(user, action, case, interest)
            if action in GUARDS:
                GUARDS[action](case, today)
            if action in ACTOR_GUARDS:
                ACTOR_GUARDS[action](case, user, interest)
        except (PermissionDenied, TransitionNotAllowed):
            continue
        allowed.append(action)
    return allowed


# --- the transition ----------------------------------------------------------------------------

Body = Callable[[Case, Context], dict[str, Any] | None]


def _transition(
    *, case: Case, action: Action, actor: Actor, reason: str = "", body: Body | None = None
) -> Case:
    with transaction.atomic():
        case = lock_case(case.pk)
        from_status = case.status
        to_status = next_status(from_status, action)
        ensure_actor_may(actor, action, case)
        interest = interest_of(actor, case)
        ensure_no_conflict(actor, action, case, interest)
        now = timeutil.now()
        ctx = Context(actor=actor, now=now, today=timeutil.today(), rules=rules_for_case(case))
        if action in GUARDS:
            GUARDS[action](case, ctx.today)
        if action in ACTOR_GUARDS:
            ACTOR_GUARDS[action](case, actor, interest)
        before = _field_values(case)
        data = (body(case, ctx) if body else None) or {}
        case.status = to_status
        changed = [name for name, value in _field_values(case).items() if value != before[name]]
        case.save(update_fields=[*changed, "status", "updated_at"])
        event_record(  # with its outbox row: its notices commit with it (ADR 0006, 0007)
            case=case,
            event_type=action,
            from_status=from_status,
            to_status=to_status,
            actor=None if isinstance(actor, CitizenActor) else actor,
            reason=reason,
            data=_jsonable({**data, **_citizen_marks(actor)}),
            created_at=now,
        )
    return case


def _check_transition(case: Case, action: Action, actor: Actor) -> Case:
    """Everything `_transition` checks before it writes — the table (409), who may (403), a conflict of
    interest, the action's guards — on the locked case, without moving it. For an action whose user
    entry starts something elsewhere first (调解和解 opens a linked mediation; the agreement takes the
    transition later). Call inside a transaction."""
    case = lock_case(case.pk)
    next_status(case.status, action)
    ensure_actor_may(actor, action, case)
    interest = interest_of(actor, case)
    ensure_no_conflict(actor, action, case, interest)
    if action in GUARDS:
        GUARDS[action](case, timeutil.today())
    if action in ACTOR_GUARDS:
        ACTOR_GUARDS[action](case, actor, interest)
    return case


def _citizen_marks(actor: Actor) -> dict[str, Any]:
    if isinstance(actor, CitizenActor):
        return {"by": "petitioner", "via": actor.via, "petitioner": actor.petitioner_id}
    return {}


def _field_values(case: Case) -> dict[str, Any]:
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, date):
            out[key] = value.isoformat()
        elif isinstance(value, dict):
            out[key] = _jsonable(value)
        else:
            out[key] = value
    return out


def _require(text: str, message: str = MSG_REASON_REQUIRED, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(message, extra={"fields": {field: message}})
    return text


def _choice(enum: Any, value: Any, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise ValidationFailed(f"无效的选项：{value}", extra={"fields": {field: "无效的选项"}}) from None
