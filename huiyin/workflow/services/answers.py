"""The answer and after: delivery of the written opinion, the petitioner's rating, reopening, closing."""

from __future__ import annotations

from datetime import date
from typing import Any

from huiyin.cases.choices import (
    DeliveryMethod,
    OpinionStage,
    Rating,
)
from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.core.errors import ValidationFailed
from huiyin.org.models import User
from huiyin.workflow import clocks
from huiyin.workflow.actors import Actor, _pending_opinion
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.guards import _latest_opinion
from huiyin.workflow.services.core import Context, _choice, _require, _transition
from huiyin.workflow.transitions import (
    Action,
)

# --- answer, callback, review ------------------------------------------------------------------


_WINDOW_AFTER = {
    OpinionStage.HANDLING: ClockKind.REVIEW_WINDOW,
    OpinionStage.REVIEW: ClockKind.REREVIEW_WINDOW,
}


def case_deliver(
    *,
    case: Case,
    actor: User,
    delivered_on: date | None = None,
    method: DeliveryMethod | str,
) -> Case:
    """送达: record the delivery date; the petitioner's 30-day review window starts then (条例 §35)."""
    method = _choice(DeliveryMethod, method, "method")
    delivered_on = delivered_on or timeutil.today()
    if delivered_on > timeutil.today():
        raise ValidationFailed("送达日期不能晚于今天", extra={"fields": {"delivered_on": "不能晚于今天"}})
    if method == DeliveryMethod.NOT_OWED and not case.identity_unclear:
        raise ValidationFailed(
            "只有姓名（名称）、住址不清的，才可不书面告知（《信访工作条例》第二十三条第二款）",
            extra={"fields": {"method": "信访人身份清楚，须书面送达"}},
        )

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _pending_opinion(case)
        assert opinion is not None
        if delivered_on < opinion.issued_at.date():
            raise ValidationFailed(
                "送达日期不能早于出具日期", extra={"fields": {"delivered_on": "早于出具日期"}}
            )
        opinion.delivered_on = delivered_on
        opinion.delivery_method = method
        opinion.save(update_fields=["delivered_on", "delivery_method"])
        window = _WINDOW_AFTER.get(OpinionStage(opinion.stage))
        if window is not None:
            clocks.start_clock(
                case=case, kind=window, unit=None, rules=ctx.rules, trigger="deliver", on=delivered_on
            )
        return {"opinion": opinion.pk, "stage": opinion.stage, "delivered_on": delivered_on, "method": method}

    return _transition(case=case, action=Action.DELIVER, actor=actor, body=body)


def case_rate(
    *, case: Case, actor: Actor, rating: Rating | str, solved: bool | None, comment: str = ""
) -> Case:
    """回访评价: the petitioner's rating; recorded once per answer, never editable by the unit."""
    rating = _choice(Rating, rating, "rating")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _latest_opinion(case)
        assert opinion is not None
        case.rating = rating
        case.problem_solved = solved
        return {"opinion": opinion.pk, "rating": rating, "solved": solved}

    return _transition(case=case, action=Action.RATE, actor=actor, reason=comment, body=body)


def case_reopen(*, case: Case, actor: User, reason: str) -> Case:
    """重新办理: a supported decision was not carried out and the petitioner is dissatisfied."""
    reason = _require(reason)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        cancelled = clocks.cancel_clocks(case, (ClockKind.REVIEW_WINDOW,), on=ctx.today)
        clocks.start_clock(
            case=case,
            kind=ClockKind.HANDLING,
            unit=case.handling_unit,
            rules=ctx.rules,
            trigger="reopen",
            on=ctx.today,
        )
        return {"clocks_cancelled": cancelled}

    return _transition(case=case, action=Action.REOPEN, actor=actor, reason=reason, body=body)


def case_close(*, case: Case, actor: User, reason: str = "") -> Case:
    """办结: only once the answer is delivered (or no written notice is owed); windows keep running."""
    return _transition(case=case, action=Action.CLOSE, actor=actor, reason=reason)
