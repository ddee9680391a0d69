"""Joint handling reports, competence disputes (条例 §22¶3), 包案 by a leader, recusal and conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from huiyin.cases.models import Case
from huiyin.core.errors import ValidationFailed
from huiyin.org.choices import Role, UnitKind
from huiyin.org.models import Unit, User
from huiyin.workflow import clocks
from huiyin.workflow.choices import LIVE_STATES, ClockKind, CoTaskState, DisputeState
from huiyin.workflow.conflicts import (
    interest_links,
)
from huiyin.workflow.models import Clock, CoHandling, CompetenceDispute
from huiyin.workflow.routing import dispute_decider
from huiyin.workflow.services.core import Context, _require, _transition
from huiyin.workflow.services.routing import _ensure_may_handle
from huiyin.workflow.transitions import (
    Action,
)

# --- joint handling, competence disputes, 包案, conflicts of interest -------------------------------


def case_co_report(*, case: Case, actor: User, report: str) -> Case:
    """协办报告: a co-handling unit reports what it did; the lead unit replies once all have reported."""
    report = _require(report, "请填写协办情况报告", "report")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        assert actor.unit_id is not None  # the CO_HANDLING side requires a unit
        task = CoHandling.objects.select_for_update().get(
            case=case, unit_id=actor.unit_id, state=CoTaskState.OPEN
        )
        task.state = CoTaskState.REPORTED
        task.report = report
        task.reported_by = actor
        task.reported_at = ctx.now
        task.save(update_fields=["state", "report", "reported_by", "reported_at"])
        stopped = clocks.stop_clocks(case, (ClockKind.CO_HANDLING,), on=ctx.today, unit=task.unit)
        waiting = CoHandling.objects.filter(case=case, state=CoTaskState.OPEN).count()
        return {
            "task": task.pk,
            "unit": task.unit_id,
            "unit_name": task.unit.name,
            "co_waiting": waiting,
            "clocks_stopped": stopped,
        }

    return _transition(case=case, action=Action.CO_REPORT, actor=actor, reason=report, body=body)


def case_refer_dispute(*, case: Case, actor: User, units: Sequence[Unit], reason: str) -> Case:
    """管辖争议: organs disagree on who is competent; their common superior decides, or the 联席会议 where
    they have none (条例 §24). The decider has a clock (rule value `dispute_days`)."""
    reason = _require(reason, "请说明争议情况")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        disputing = {u.pk: u for u in units}
        if case.handling_unit is not None:
            disputing.setdefault(case.handling_unit.pk, case.handling_unit)
        if len(disputing) < 2:
            message = "请选择与承办单位存在争议的其他单位"
            raise ValidationFailed(message, extra={"fields": {"units": message}})
        decider = dispute_decider(case, list(disputing.values()))
        dispute = CompetenceDispute.objects.create(
            case=case, decider=decider, reason=reason, referred_by=actor, referred_at=ctx.now
        )
        dispute.units.set(list(disputing.values()))
        case.objection_pending = False  # the objection is now the superior's to decide
        stopped = clocks.stop_clocks(case, (ClockKind.OBJECTION,), on=ctx.today)
        clock = clocks.start_clock(
            case=case,
            kind=ClockKind.DISPUTE,
            unit=decider,
            rules=ctx.rules,
            trigger="refer_dispute",
            on=ctx.today,
        )
        return {
            "dispute": dispute.pk,
            "units": sorted(disputing),
            "unit_names": [u.name for u in disputing.values()],
            "decider": decider.pk,
            "decider_name": decider.name,
            "due_on": clock.due_on,
            "clocks_stopped": stopped,
        }

    return _transition(case=case, action=Action.REFER_DISPUTE, actor=actor, reason=reason, body=body)


def case_decide_dispute(*, case: Case, actor: User, unit: Unit, reason: str) -> Case:
    """The common superior decides the competent unit; the case goes there, without a new objection
    period (the decision settles competence)."""
    reason = _require(reason, "请说明决定理由")
    _ensure_may_handle(case, unit, actor)
    if unit.kind == UnitKind.PETITION_OFFICE:
        raise ValidationFailed("承办单位不能是信访部门", extra={"fields": {"unit": "请选择责任单位"}})

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        dispute = CompetenceDispute.objects.select_for_update().get(case=case, state=DisputeState.OPEN)
        dispute.state = DisputeState.DECIDED
        dispute.decided_unit = unit
        dispute.decided_by = actor
        dispute.decided_at = ctx.now
        dispute.decision_reason = reason
        dispute.save(update_fields=["state", "decided_unit", "decided_by", "decided_at", "decision_reason"])
        stopped = clocks.stop_clocks(case, (ClockKind.DISPUTE,), on=ctx.today)
        from_unit = case.handling_unit
        case.handling_unit = unit
        case.objection_pending = False
        clocks.cancel_clocks(case, (ClockKind.OBJECTION,), on=ctx.today)
        Clock.objects.filter(
            case=case, kind__in=(ClockKind.HANDLING, ClockKind.ASSIGNMENT), state__in=LIVE_STATES
        ).update(unit=unit)
        return {
            "dispute": dispute.pk,
            "from_unit": from_unit.pk if from_unit else None,
            "unit": unit.pk,
            "unit_name": unit.name,
            "clocks_stopped": stopped,
        }

    return _transition(case=case, action=Action.DECIDE_DISPUTE, actor=actor, reason=reason, body=body)


def leaders_for(case: Case) -> Any:
    """Leaders who may take charge of the case: active leader accounts of the registering office's
    territory or above (属地管理、分级负责)."""
    paths = [t.path for t in case.office.territory.ancestors()]
    return User.objects.filter(
        role=Role.LEADER, is_active=True, unit__territory__path__in=paths
    ).select_related("unit")


def case_attach_leader(*, case: Case, actor: User, leader: User | None = None, reason: str = "") -> Case:
    """包案: a leader takes personal charge of the case (条例 §18¶2); it shows in the leader's inbox."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        owner = leader or (actor if actor.role == Role.LEADER else None)
        if owner is None or not leaders_for(case).filter(pk=owner.pk).exists():
            message = "请选择本辖区或上级的领导"
            raise ValidationFailed(message, extra={"fields": {"leader": message}})
        if case.leader_id == owner.pk:
            raise ValidationFailed(f"{owner}已是包案领导", extra={"fields": {"leader": "已是包案领导"}})
        previous = case.leader_id
        case.leader = owner
        return {"leader": owner.pk, "leader_name": str(owner), "previous_leader": previous}

    return _transition(case=case, action=Action.ATTACH_LEADER, actor=actor, reason=reason, body=body)


def case_recuse(*, case: Case, actor: User, reason: str) -> Case:
    """回避: the person steps aside (条例 §28¶3); the unit head is told to have someone else handle it."""
    reason = _require(reason, "请说明回避理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        assert actor.unit_id is not None  # every side that may recuse is a unit's
        heads = list(
            User.objects.filter(unit_id=actor.unit_id, role=Role.UNIT_HEAD, is_active=True)
            .exclude(pk=actor.pk)
            .values_list("pk", flat=True)
        )
        return {"unit": actor.unit_id, "links": interest_links(case, actor), "notify_users": heads}

    return _transition(case=case, action=Action.RECUSE, actor=actor, reason=reason, body=body)


def case_acknowledge_conflict(*, case: Case, actor: User, reason: str) -> Case:
    """The linked person records why they still act; the reason stays on the case for review."""
    reason = _require(reason, "请说明不回避的理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        return {"links": interest_links(case, actor)}

    return _transition(case=case, action=Action.ACKNOWLEDGE_CONFLICT, actor=actor, reason=reason, body=body)
