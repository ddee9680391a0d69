"""Routing: 转送 and 交办 to the competent unit, with co-units for joint handling (条例 §22, §23)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from huiyin.cases.choices import (
    AssignmentKind,
)
from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.core.errors import ValidationFailed
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.workflow import clocks
from huiyin.workflow.choices import LIVE_STATES, ClockKind, CoTaskState
from huiyin.workflow.guards import CO_HANDLING_ARTICLE, _live_clock
from huiyin.workflow.models import Clock, CoHandling
from huiyin.workflow.routing import guard_routing
from huiyin.workflow.services.core import Context, _transition
from huiyin.workflow.transitions import (
    Action,
)

MSG_OUTSIDE_JURISDICTION = (
    "{unit}不在本单位的管辖范围内（属地管理、分级负责：《信访工作条例》第二十二条第一款第二项）"
)


def _ensure_may_handle(case: Case, unit: Unit, actor: User) -> None:
    guard_routing(case, unit, actor)
    if not unit.is_active:
        raise ValidationFailed(f"{unit.name}已停用", extra={"fields": {"unit": "单位已停用"}})
    # 属地管理、分级负责 (条例 §5(三), §22¶1(二)): a case goes only to units of the actor's own
    # jurisdiction (its territory subtree), whichever interface asks; a matter for another
    # jurisdiction is transferred (移交) to that jurisdiction's office instead.
    home = actor.unit.territory if actor.unit is not None else None
    if home is None or not unit.territory.path.startswith(home.path):
        message = MSG_OUTSIDE_JURISDICTION.format(unit=unit.name)
        raise ValidationFailed(message, extra={"fields": {"unit": message}})


@dataclass(frozen=True)
class CoUnit:
    """A co-handling unit named at assignment, with its own deadline (None: the lead's deadline)."""

    unit: Unit
    deadline: date | None = None


def _co_units(case: Case, actor: User, lead: Unit, co_units: Sequence[CoUnit | Unit] | None) -> list[CoUnit]:
    """Check the co-handling units before anything is written: distinct, not the lead, routable."""
    found: list[CoUnit] = []
    seen = {lead.pk}
    for item in co_units or ():
        co = item if isinstance(item, CoUnit) else CoUnit(item)
        if co.unit.pk in seen:
            message = f"{co.unit.name}已是主办或协办单位"
            raise ValidationFailed(message, extra={"fields": {"co_units": message}})
        seen.add(co.unit.pk)
        _ensure_may_handle(case, co.unit, actor)
        if co.unit.kind == UnitKind.PETITION_OFFICE:
            raise ValidationFailed("协办单位不能是信访部门", extra={"fields": {"co_units": "请选择责任单位"}})
        if co.deadline is not None and co.deadline <= timeutil.today():
            raise ValidationFailed(
                "协办期限须晚于今天", extra={"fields": {"co_deadline": "协办期限须晚于今天"}}
            )
        found.append(co)
    return found


def _start_co_tasks(
    case: Case, ctx: Context, co_units: list[CoUnit], lead_due: date | None, instructions: str
) -> list[dict[str, Any]]:
    """一揽子解决: each co-unit gets its own task and clock; by default the lead's deadline."""
    if not co_units:
        return []
    if lead_due is None:
        handling = _live_clock(case, ClockKind.HANDLING)
        lead_due = handling.due_on if handling else ctx.today
    made = []
    for co in co_units:
        due = co.deadline or lead_due
        CoHandling.objects.create(
            case=case, unit=co.unit, deadline=due, instructions=instructions, created_at=ctx.now
        )
        clocks.start_deadline_clock(
            case=case,
            kind=ClockKind.CO_HANDLING,
            unit=co.unit,
            due_on=due,
            rules=ctx.rules,
            trigger="co_handling",
            on=ctx.today,
            article=CO_HANDLING_ARTICLE,
        )
        made.append({"unit": co.unit.pk, "unit_name": co.unit.name, "deadline": due.isoformat()})
    return made


def _cancel_co_tasks(case: Case, ctx: Context) -> list[int]:
    units = list(
        CoHandling.objects.filter(case=case, state=CoTaskState.OPEN).values_list("unit_id", flat=True)
    )
    CoHandling.objects.filter(case=case, state=CoTaskState.OPEN).update(state=CoTaskState.CANCELLED)
    clocks.cancel_clocks(case, (ClockKind.CO_HANDLING,), on=ctx.today)
    return units


def _route(
    case: Case, ctx: Context, *, unit: Unit, kind: AssignmentKind, deadline: date | None, instructions: str
) -> dict[str, Any]:
    stopped = clocks.stop_clocks(case, (ClockKind.ROUTING, ClockKind.NOTICE), on=ctx.today)
    case.handling_unit = unit
    case.assignment_kind = kind
    case.assignment_deadline = deadline
    case.assignment_instructions = instructions
    case.objection_pending = False
    # 条例 §23¶3: the receiving unit has 5 working days to object to a wrong assignment.
    clocks.start_clock(
        case=case, kind=ClockKind.OBJECTION, unit=unit, rules=ctx.rules, trigger=kind, on=ctx.today
    )
    Clock.objects.filter(case=case, kind=ClockKind.HANDLING, state__in=LIVE_STATES).update(unit=unit)
    if deadline is not None:
        clocks.start_deadline_clock(
            case=case,
            kind=ClockKind.ASSIGNMENT,
            unit=unit,
            due_on=deadline,
            rules=ctx.rules,
            trigger=kind,
            on=ctx.today,
            article="《信访工作条例》第二十二条第一款第三项",
        )
    return {"unit": unit.pk, "unit_name": unit.name, "deadline": deadline, "clocks_stopped": stopped}


def case_assign(
    *,
    case: Case,
    actor: User,
    unit: Unit,
    deadline: date,
    instructions: str = "",
    co_units: Sequence[CoUnit | Unit] | None = None,
) -> Case:
    """交办: hand the matter to a unit with a deadline and a required completion report (条例 §22¶1(三));
    co-handling units, if named, each get a task and a clock (一揽子解决)."""
    _ensure_may_handle(case, unit, actor)
    if deadline <= timeutil.today():
        raise ValidationFailed("交办期限须晚于今天", extra={"fields": {"deadline": "交办期限须晚于今天"}})
    co = _co_units(case, actor, unit, co_units)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        data = _route(
            case, ctx, unit=unit, kind=AssignmentKind.ASSIGN, deadline=deadline, instructions=instructions
        )
        return {**data, "co_units": _start_co_tasks(case, ctx, co, deadline, instructions)}

    return _transition(case=case, action=Action.ASSIGN, actor=actor, reason=instructions, body=body)


def case_forward(
    *,
    case: Case,
    actor: User,
    unit: Unit,
    instructions: str = "",
    co_units: Sequence[CoUnit | Unit] | None = None,
) -> Case:
    """转送: pass the matter to the competent organ (条例 §22¶1(一)(二)), with co-handling units if named."""
    _ensure_may_handle(case, unit, actor)
    co = _co_units(case, actor, unit, co_units)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        data = _route(
            case, ctx, unit=unit, kind=AssignmentKind.FORWARD, deadline=None, instructions=instructions
        )
        return {**data, "co_units": _start_co_tasks(case, ctx, co, None, instructions)}

    return _transition(case=case, action=Action.FORWARD, actor=actor, reason=instructions, body=body)
