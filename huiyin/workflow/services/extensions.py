"""Extension requests (条例 §34; issue 10 item 5): a handler asks for more time with a reason and the
number of days; the head of the organ approves ("经本机关负责人批准") or refuses. The head may still
extend directly (`handling.case_extend`). An approved extension moves the handling clock and its
reason is told to the petitioner, like a direct one."""

from __future__ import annotations

from typing import Any

from huiyin.cases.models import Case
from huiyin.core.errors import ValidationFailed
from huiyin.org.choices import Role
from huiyin.org.models import User
from huiyin.org.rules import days_text
from huiyin.workflow import clocks
from huiyin.workflow.choices import ExtensionState
from huiyin.workflow.models import ExtensionRequest
from huiyin.workflow.services.core import Context, _require, _transition
from huiyin.workflow.services.handling import apply_extension, ensure_extension_fits
from huiyin.workflow.transitions import Action


def _days(days: Any) -> int:
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = 0
    if value < 1:
        raise ValidationFailed("延期天数至少为1日", extra={"fields": {"days": "至少1日"}})
    return value


def _heads(case: Case) -> list[int]:
    if case.handling_unit_id is None:
        return []
    return list(
        User.objects.filter(unit_id=case.handling_unit_id, role=Role.UNIT_HEAD, is_active=True).values_list(
            "pk", flat=True
        )
    )


def _pending(case: Case) -> ExtensionRequest:
    return ExtensionRequest.objects.select_for_update().get(case=case, state=ExtensionState.PENDING)


def case_request_extension(*, case: Case, actor: User, days: int, reason: str) -> Case:
    """申请延期: the handler states the days and the reason (told to the petitioner once approved)."""
    reason = _require(reason, "请填写延期理由（批准后将告知信访人）")
    days = _days(days)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        ensure_extension_fits(case, ctx.rules, days)
        unit = case.handling_unit
        assert unit is not None  # in handling (the table), on the handling side (PERMISSIONS)
        request = ExtensionRequest.objects.create(
            case=case,
            unit=unit,
            days=days,
            reason=reason,
            requested_by=actor,
            requested_at=ctx.now,
        )
        unit_of = clocks.extension_rule(case, ctx.rules).unit
        period = days_text(days, unit_of)
        return {"request": request.pk, "days": days, "period": period, "notify_users": _heads(case)}

    return _transition(case=case, action=Action.REQUEST_EXTENSION, actor=actor, reason=reason, body=body)


def case_approve_extension(*, case: Case, actor: User, comment: str = "") -> Case:
    """批准延期: the unit head approves the pending request; the handling clock moves (条例 §34)."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        request = _pending(case)
        data = apply_extension(case, ctx, request.days)  # re-checks the 30-day cap at approval
        request.state = ExtensionState.APPROVED
        request.decided_by = actor
        request.decided_at = ctx.now
        request.decision_reason = (comment or "").strip()
        request.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        return {
            **data,
            "request": request.pk,
            "comment": request.decision_reason,
            "notify_users": [request.requested_by_id],
        }

    # the event's reason is the request's: it is what the petitioner is told (条例 §34 "告知延期理由")
    pending = ExtensionRequest.objects.filter(case=case, state=ExtensionState.PENDING).first()
    return _transition(
        case=case,
        action=Action.APPROVE_EXTENSION,
        actor=actor,
        reason=pending.reason if pending else "",
        body=body,
    )


def case_refuse_extension(*, case: Case, actor: User, reason: str) -> Case:
    """不予批准延期: the head refuses with a reason; the handling limit stays as it is."""
    reason = _require(reason, "请填写不予批准的理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        request = _pending(case)
        request.state = ExtensionState.REFUSED
        request.decided_by = actor
        request.decided_at = ctx.now
        request.decision_reason = reason
        request.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        period = days_text(request.days, clocks.extension_rule(case, ctx.rules).unit)
        return {
            "request": request.pk,
            "days": request.days,
            "period": period,
            "notify_users": [request.requested_by_id],
        }

    return _transition(case=case, action=Action.REFUSE_EXTENSION, actor=actor, reason=reason, body=body)
