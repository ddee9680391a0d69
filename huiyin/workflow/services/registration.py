"""Registration-phase actions of the petition office (信访部门): 受理, 不予受理, 导出 (诉访分离), 合并, 移交."""

from __future__ import annotations

from typing import Any

from huiyin.cases.choices import (
    OPEN_STATUSES,
    DeliveryMethod,
    DivertTarget,
    NotAcceptedReason,
    Status,
)
from huiyin.cases.confidentiality import on_accused_side
from huiyin.cases.models import Case
from huiyin.core.errors import ValidationFailed
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.workflow import clocks
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.routing import guard_accused_known, guard_routing
from huiyin.workflow.services.core import Context, _choice, _require, _transition
from huiyin.workflow.transitions import (
    Action,
)

# --- registration-phase actions (信访部门) ------------------------------------------------------


def case_accept(*, case: Case, actor: User, reason: str = "") -> Case:
    """受理: the 60-day handling clock starts on the day of acceptance (条例 §34)."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        stopped = clocks.stop_clocks(case, (ClockKind.NOTICE,), on=ctx.today)
        clocks.start_clock(
            case=case,
            kind=ClockKind.HANDLING,
            unit=case.office,
            rules=ctx.rules,
            trigger="accept",
            on=ctx.today,
        )
        return {"clocks_stopped": stopped}

    return _transition(case=case, action=Action.ACCEPT, actor=actor, reason=reason, body=body)


def case_not_accept(
    *,
    case: Case,
    actor: User,
    reason_code: NotAcceptedReason | str,
    reason: str,
    notice_method: DeliveryMethod | str = DeliveryMethod.IN_PERSON,
) -> Case:
    """不予受理: the petitioner is told why in writing (条例 §23¶2; a stated reason keeps it reviewable, §44)."""
    reason = _require(reason)
    reason_code = _choice(NotAcceptedReason, reason_code, "reason_code")
    notice_method = _choice(DeliveryMethod, notice_method, "notice_method")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        stopped = clocks.stop_clocks(case, None, on=ctx.today)
        return {"reason_code": reason_code, "notice_method": notice_method, "clocks_stopped": stopped}

    return _transition(case=case, action=Action.NOT_ACCEPT, actor=actor, reason=reason, body=body)


def case_divert(*, case: Case, actor: User, target: DivertTarget | str, guidance: str) -> Case:
    """分流: guide the matter into its legal channel and record the guidance given (条例 §31, §22¶2)."""
    guidance = _require(guidance, "请填写向信访人告知的途径和指引", "guidance")
    target = _choice(DivertTarget, target, "target")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        stopped = clocks.stop_clocks(case, None, on=ctx.today)
        return {"target": target, "target_label": DivertTarget(target).label, "clocks_stopped": stopped}

    return _transition(case=case, action=Action.DIVERT, actor=actor, reason=guidance, body=body)


def case_merge(*, case: Case, actor: User, into: Case, reason: str = "") -> Case:
    """合并: a duplicate of a live case closes, linked to it; the contact stays registered (条例 §19¶3)."""
    if into.pk == case.pk:
        raise ValidationFailed("不能合并到本件", extra={"fields": {"into": "不能合并到本件"}})
    if into.status not in (*OPEN_STATUSES, Status.REPLIED) or into.merged_into_id:
        raise ValidationFailed(
            f"{into.code} 已办结，只能合并到正在办理的事项", extra={"fields": {"into": "目标事项不在办理中"}}
        )

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        case.merged_into = into
        stopped = clocks.stop_clocks(case, None, on=ctx.today)
        return {"into": into.pk, "into_code": into.code, "clocks_stopped": stopped}

    return _transition(case=case, action=Action.MERGE, actor=actor, reason=reason, body=body)


def case_transfer(*, case: Case, actor: User, to_office: Unit, reason: str) -> Case:
    """移交: the matter belongs to another jurisdiction's petition office; its routing clock restarts."""
    reason = _require(reason)
    if to_office.kind != UnitKind.PETITION_OFFICE:
        raise ValidationFailed("只能移交给信访部门", extra={"fields": {"to_office": "请选择信访部门"}})
    if to_office.pk == case.office_id:
        raise ValidationFailed("已在本单位", extra={"fields": {"to_office": "请选择其他信访部门"}})
    guard_accused_known(case, actor)  # ADR 0005: an accusation leaves the office only once its accused is set
    if on_accused_side(to_office.pk, case.accused_unit_id):
        guard_routing(case, to_office, actor)  # refused and audited: the accused's own desk

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        from_office = case.office
        cancelled = clocks.cancel_clocks(case, None, on=ctx.today)
        case.office = to_office
        clocks.start_clock(
            case=case,
            kind=ClockKind.ROUTING,
            unit=to_office,
            rules=ctx.rules,
            trigger="transfer",
            on=ctx.today,
        )
        if not case.identity_unclear:
            clocks.start_clock(
                case=case,
                kind=ClockKind.NOTICE,
                unit=to_office,
                rules=ctx.rules,
                trigger="transfer",
                on=ctx.today,
            )
        return {
            "from_office": from_office.pk,
            "to_office": to_office.pk,
            "to_office_name": to_office.name,
            "clocks_cancelled": cancelled,
        }

    return _transition(case=case, action=Action.TRANSFER, actor=actor, reason=reason, body=body)
