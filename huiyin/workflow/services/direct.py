"""A petition a unit other than the petition office receives directly (条例 §23¶1; RG-3, t10-rules).

The unit registers it (`cases.services.case_register` with `office` = the unit itself) and then tells
the petitioner one of three things, each an action of its own with the notice recorded on the event:

* within its own competence: it handles the matter itself (`case_direct_handle`), the 60-day clock from
  that day (§34), and tells the petitioner it was received and how it will be handled;
* within the competence of a unit below it in its system: it forwards or assigns it there
  (`case_direct_route`) and tells the petitioner where it went; that unit accepts it on its own clock
  (§23¶3) and its 60 days run from its acceptance (§34);
* neither: it tells the petitioner which organ to approach (`case_direct_redirect`); the case closes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from huiyin.cases.choices import AssignmentKind, DeliveryMethod
from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.core.errors import ValidationFailed
from huiyin.org.models import Unit, User
from huiyin.org.selectors import unit_graph
from huiyin.workflow import clocks
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.services.core import Context, _choice, _require, _transition
from huiyin.workflow.services.routing import _ensure_may_handle, _route, guard_assignment_deadline
from huiyin.workflow.transitions import Action, next_status

MSG_GUIDANCE = "请填写向信访人告知的接收情况及处理途径和程序"
MSG_NOT_BELOW = "只能转送、交办本系统的下级单位（《信访工作条例》第二十三条第一款）"
MSG_REDIRECT_GUIDANCE = "请填写告知信访人向哪个有权机关提出及如何提出"
MSG_ORGAN = "请写明有权处理的机关"


def is_below(unit_id: int, ancestor_id: int) -> bool:
    """Does `unit_id`'s parent chain reach `ancestor_id` (a unit of the ancestor's own system)?"""
    graph = unit_graph()
    node = graph.get(unit_id)
    node = graph.get(node.parent_id) if node is not None and node.parent_id else None
    seen: set[int] = set()
    while node is not None and node.pk not in seen:
        if node.pk == ancestor_id:
            return True
        seen.add(node.pk)
        node = graph.get(node.parent_id) if node.parent_id else None
    return False


def _notice(notice_method: str) -> str:
    return str(_choice(DeliveryMethod, notice_method, "notice_method"))


def case_direct_handle(
    *, case: Case, actor: User, guidance: str, notice_method: DeliveryMethod | str = DeliveryMethod.IN_PERSON
) -> Case:
    """条例 §23¶1: the matter is within the unit's own competence; it handles it as the competent organ
    and tells the petitioner it was received and the handling route and procedure. The 60-day handling
    clock runs from this acceptance (§34)."""
    guidance = _require(guidance, MSG_GUIDANCE, "guidance")
    method = _notice(notice_method)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        stopped = clocks.stop_clocks(case, (ClockKind.ROUTING, ClockKind.NOTICE), on=ctx.today)
        case.handling_unit = case.office
        handling = clocks.start_clock(
            case=case,
            kind=ClockKind.HANDLING,
            unit=case.office,
            rules=ctx.rules,
            trigger="direct",
            on=ctx.today,
        )
        return {
            "unit": case.office_id,
            "unit_name": case.office.name,
            "handling_days": handling.rule_days,
            "due_on": handling.due_on,
            "notice_method": method,
            "clocks_stopped": stopped,
        }

    return _transition(case=case, action=Action.DIRECT_HANDLE, actor=actor, reason=guidance, body=body)


def case_direct_route(
    *,
    case: Case,
    actor: User,
    unit: Unit,
    kind: AssignmentKind | str = AssignmentKind.FORWARD,
    deadline: date | None = None,
    instructions: str = "",
    notice_method: DeliveryMethod | str = DeliveryMethod.IN_PERSON,
) -> Case:
    """条例 §23¶1: the matter belongs to a unit below the receiving unit in its own system; it forwards
    (转送) or assigns (交办, with a deadline) it there and tells the petitioner where it went. The
    receiving unit may object within 5 working days (§23¶3), as with any forwarded matter."""
    next_status(case.status, Action.DIRECT_ROUTE)  # the status first: a closed case is a 409, not a 400
    kind = AssignmentKind(_choice(AssignmentKind, kind, "kind"))
    method = _notice(notice_method)
    _ensure_may_handle(case, unit, actor)  # never to the accused side (条例 §30¶3; ADR 0005)
    if kind == AssignmentKind.ASSIGN and (deadline is None or deadline <= timeutil.today()):
        raise ValidationFailed("交办期限须晚于今天", extra={"fields": {"deadline": "交办期限须晚于今天"}})
    if kind == AssignmentKind.ASSIGN:
        assert deadline is not None
        guard_assignment_deadline(case, deadline)  # t10-law: never later than the statutory clock (§34)
    if kind == AssignmentKind.FORWARD:
        deadline = None

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        # after the table and who may act (an outsider hears "not yours", not "wrong unit")
        if unit.pk == case.office_id or not is_below(unit.pk, case.office_id):
            raise ValidationFailed(MSG_NOT_BELOW, extra={"fields": {"unit": MSG_NOT_BELOW}})
        # t10-law: the unit below is the competent organ of §23¶3 — it accepts (or objects) on its own
        # clock and its 60 days run from that acceptance (§34, "自受理之日起"), not from this routing
        data = _route(case, ctx, unit=unit, kind=kind, deadline=deadline, instructions=instructions)
        return {**data, "kind": str(kind), "notice_method": method}

    return _transition(case=case, action=Action.DIRECT_ROUTE, actor=actor, reason=instructions, body=body)


def case_direct_redirect(
    *,
    case: Case,
    actor: User,
    organ: str,
    guidance: str,
    notice_method: DeliveryMethod | str = DeliveryMethod.IN_PERSON,
) -> Case:
    """条例 §23¶1: neither the unit nor its system is competent; the petitioner is told which competent
    organ to approach. The registration stays on record; the case closes here."""
    organ = _require(organ, MSG_ORGAN, "organ")[:100]
    guidance = _require(guidance, MSG_REDIRECT_GUIDANCE, "guidance")
    method = _notice(notice_method)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        stopped = clocks.stop_clocks(case, None, on=ctx.today)
        return {"organ": organ, "notice_method": method, "clocks_stopped": stopped}

    return _transition(case=case, action=Action.DIRECT_REDIRECT, actor=actor, reason=guidance, body=body)
