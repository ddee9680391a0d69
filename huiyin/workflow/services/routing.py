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
from huiyin.org.choices import UnitKind, ValueUnit
from huiyin.org.models import Unit, User
from huiyin.org.selectors import Rule
from huiyin.workflow import clocks
from huiyin.workflow.choices import LIVE_STATES, ClockKind, CoTaskState
from huiyin.workflow.clocks import rules_for_case
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


def _ensure_in_jurisdiction(units: Sequence[Unit], actor: User, field: str = "unit") -> None:
    """属地管理、分级负责 (条例 §5(三), §22¶1(二)): a case goes only to units of the actor's own
    jurisdiction (its territory subtree), whichever interface asks; a matter for another jurisdiction
    is transferred (移交) to that jurisdiction's office instead. Checked inside the transition, after
    the table and the actor's permission, so a refusal never says more than "not yours"."""
    home = actor.unit.territory if actor.unit is not None else None
    for unit in units:
        if home is None or not unit.territory.path.startswith(home.path):
            message = MSG_OUTSIDE_JURISDICTION.format(unit=unit.name)
            raise ValidationFailed(message, extra={"fields": {field: message}})


def _ensure_may_handle(case: Case, unit: Unit, actor: User) -> None:
    guard_routing(case, unit, actor)
    if not unit.is_active:
        raise ValidationFailed(f"{unit.name}已停用", extra={"fields": {"unit": "单位已停用"}})


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
        # before the lead unit has accepted (条例 §23¶3) no handling clock runs: the co-units get the
        # statutory 60 days counted from the routing day, the earliest the lead's can end (§34)
        lead_due = (
            handling.due_on
            if handling
            else clocks.statutory_due(ClockKind.HANDLING, ctx.rules, on=ctx.today, case=case)
        )
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
    # 条例 §23¶3: within 15 days of receipt it tells the petitioner it accepted the matter and how it will
    # be handled; the 60 days of §34 start at that acceptance (services.acceptance), not here.
    acceptance = clocks.start_clock(
        case=case, kind=ClockKind.UNIT_ACCEPTANCE, unit=unit, rules=ctx.rules, trigger=kind, on=ctx.today
    )
    # a case whose 60 days started at the office under the former rule keeps its clock
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
    return {
        "unit": unit.pk,
        "unit_name": unit.name,
        "deadline": deadline,
        "acceptance_due_on": acceptance.due_on,
        "clocks_stopped": stopped,
    }


MSG_DEADLINE_BEYOND_LAW = "交办期限不得晚于法定办理期限{limit}（{article}：自受理之日起{days}{per}内办结）"


def assignment_deadline_limit(case: Case, on: date) -> tuple[date, Rule]:
    """The latest 交办 deadline the law allows when routing on `on` (条例 §34): the 60 days counted from
    the routing day — the earliest day the unit can accept, so no later acceptance can make the
    deadline exceed its own 60 days — or the due date of a handling clock already running (a case
    accepted under the former rule), whichever is earlier. An extension not yet approved does not count."""
    rules = rules_for_case(case)
    # the case type's own handling value (条例 §29, §30, §34; t10-law), as its clock will run on
    limit = clocks.statutory_due(ClockKind.HANDLING, rules, on=on, case=case)
    running = _live_clock(case, ClockKind.HANDLING)
    if running is not None and running.due_on < limit:
        limit = running.due_on
    return limit, rules[clocks.rule_key_for(case, ClockKind.HANDLING)]


def guard_assignment_deadline(case: Case, deadline: date) -> None:
    """A 交办 deadline later than the statutory clock is refused, with the article (条例 §22¶1(三), §34)."""
    limit, rule = assignment_deadline_limit(case, timeutil.today())
    if deadline > limit:
        per = "个工作日" if rule.unit == ValueUnit.WORKING_DAY else "日"
        message = MSG_DEADLINE_BEYOND_LAW.format(
            limit=_cn(limit),
            article=rule.article,
            days=rule.value,
            per=per,
        )
        raise ValidationFailed(
            message,
            extra={"fields": {"deadline": message}, "limit": limit.isoformat(), "article": rule.article},
        )


MSG_CO_BEYOND_LEAD = (
    "{unit}的协办期限不得晚于主办单位的交办期限{limit}（一揽子解决：协办情况报送后主办单位统一答复）"
)
MSG_CO_BEYOND_LAW = (
    "{unit}的协办期限不得晚于主办单位的法定办理期限{limit}（{article}：自受理之日起{days}{per}内办结）"
)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def guard_co_deadlines(case: Case, co_units: Sequence[CoUnit], lead_deadline: date | None) -> None:
    """一揽子解决 (条例 §22¶1(三), §24, §34; t10-law): a co-unit reports before the lead answers once, so
    its deadline may be neither later than the lead's 交办 deadline nor later than the lead's statutory
    handling clock (the type's own value, counted from the routing day — the earliest the lead can
    accept — or the running clock's due date). Refused with the reason before anything is written."""
    limit, rule = assignment_deadline_limit(case, timeutil.today())
    for co in co_units:
        if co.deadline is None:
            continue  # the lead's own deadline
        if lead_deadline is not None and co.deadline > lead_deadline:
            message = MSG_CO_BEYOND_LEAD.format(unit=co.unit.name, limit=_cn(lead_deadline))
        elif co.deadline > limit:
            message = MSG_CO_BEYOND_LAW.format(
                unit=co.unit.name,
                limit=_cn(limit),
                article=rule.article,
                days=rule.value,
                per="个工作日" if rule.unit == ValueUnit.WORKING_DAY else "日",
            )
        else:
            continue
        raise ValidationFailed(
            message,
            extra={"fields": {"co_deadline": message}, "limit": limit.isoformat(), "article": rule.article},
        )


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
    guard_assignment_deadline(case, deadline)
    co = _co_units(case, actor, unit, co_units)
    guard_co_deadlines(case, co, deadline)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        _ensure_in_jurisdiction([unit], actor)
        _ensure_in_jurisdiction([c.unit for c in co], actor, "co_units")
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
    guard_co_deadlines(case, co, None)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        _ensure_in_jurisdiction([unit], actor)
        _ensure_in_jurisdiction([c.unit for c in co], actor, "co_units")
        data = _route(
            case, ctx, unit=unit, kind=AssignmentKind.FORWARD, deadline=None, instructions=instructions
        )
        return {**data, "co_units": _start_co_tasks(case, ctx, co, None, instructions)}

    return _transition(case=case, action=Action.FORWARD, actor=actor, reason=instructions, body=body)
