"""复查 and 复核 (条例 §35, §36): requests, acceptance decisions, hearings and the review opinions."""

from __future__ import annotations

from typing import Any

from huiyin.cases.choices import (
    Decision,
    OpinionStage,
    Status,
)
from huiyin.cases.confidentiality import on_accused_side
from huiyin.cases.models import Case
from huiyin.core.errors import ValidationFailed
from huiyin.org.choices import RuleKey
from huiyin.org.models import Unit, User
from huiyin.workflow import clocks
from huiyin.workflow.actors import Actor
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.guards import MSG_NO_SUPERIOR, _latest_opinion, _live_clock
from huiyin.workflow.routing import MSG_ACCUSED
from huiyin.workflow.services.core import Context, _choice, _require, _transition
from huiyin.workflow.services.handling import _issue_opinion, _opinion_fields
from huiyin.workflow.transitions import (
    Action,
)


def _superior(unit: Unit | None) -> Unit:
    if unit is None or unit.parent_id is None:
        name = unit.name if unit else "办理单位"
        raise ValidationFailed(
            MSG_NO_SUPERIOR.format(unit=name), extra={"fields": {"unit": "未设置上一级机关"}}
        )
    assert unit.parent is not None
    return unit.parent


_REVIEW_STAGES = {
    # stage: (the petitioner's window it closes, the organ's clock it starts)
    "review": (ClockKind.REVIEW_WINDOW, ClockKind.REVIEW),
    "rereview": (ClockKind.REREVIEW_WINDOW, ClockKind.REREVIEW),
}


def _open_review(case: Case, ctx: Context, *, above: Unit | None, stage: str) -> dict[str, Any]:
    """Hand the case to the organ one level above `above` (条例 §35, §36¶1): close the petitioner's
    window, start the organ's 30 days; never an organ that may not see an accusation (条例 §30¶3)."""
    window, kind = _REVIEW_STAGES[stage]
    organ = _superior(above)
    if on_accused_side(organ.pk, case.accused_unit_id):
        raise ValidationFailed(MSG_ACCUSED, extra={"fields": {"unit": MSG_ACCUSED}})
    setattr(case, f"{stage}_unit", organ)
    stopped = clocks.stop_clocks(case, (window,), on=ctx.today)
    clocks.start_clock(
        case=case, kind=kind, unit=organ, rules=ctx.rules, trigger=f"request_{stage}", on=ctx.today
    )
    data = {f"{stage}_unit": organ.pk, f"{stage}_unit_name": organ.name, "clocks_stopped": stopped}
    if ctx.rules[RuleKey.REVIEW_ACCEPT_DAYS].value > 0:
        # A province's decision step (山东 §43, §44: 3 working days to decide whether to accept); the
        # organ's 30 days still run from the request, as §35/§36 say.
        acceptance = clocks.start_clock(
            case=case,
            kind=ClockKind.REVIEW_ACCEPTANCE,
            unit=organ,
            rules=ctx.rules,
            trigger=f"request_{stage}",
            on=ctx.today,
        )
        data["accept_due_on"] = acceptance.due_on
    return data


def case_request_review(*, case: Case, actor: Actor, reason: str) -> Case:
    """请求复查: within 30 days of delivery, to the organ above the original handler (条例 §35)."""
    reason = _require(reason, "请填写请求复查的理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _latest_opinion(case, (OpinionStage.HANDLING,))
        assert opinion is not None
        return _open_review(case, ctx, above=opinion.issued_unit, stage="review")

    return _transition(case=case, action=Action.REQUEST_REVIEW, actor=actor, reason=reason, body=body)


def case_review_reply(
    *,
    case: Case,
    actor: User,
    facts_reasons: str,
    decision: Decision | str,
    legal_basis: str,
    review_route: str | None = None,
) -> Case:
    """复查意见: within 30 days of the request, in writing (条例 §35)."""
    return _answer_review(
        case=case,
        actor=actor,
        stage=OpinionStage.REVIEW,
        facts_reasons=facts_reasons,
        decision=decision,
        legal_basis=legal_basis,
        review_route=review_route,
    )


def _answer_review(
    *,
    case: Case,
    actor: User,
    stage: OpinionStage,
    facts_reasons: str,
    decision: Decision | str,
    legal_basis: str,
    review_route: str | None,
) -> Case:
    """Issue the 复查 or 复核 opinion and stop the organ's clock; a 复核 answer is final (条例 §36¶3)."""
    facts_reasons, legal_basis = _opinion_fields(facts_reasons, legal_basis)
    decision = _choice(Decision, decision, "decision")
    final = stage == OpinionStage.REREVIEW
    kind, action = (
        (ClockKind.REREVIEW, Action.REREVIEW_REPLY) if final else (ClockKind.REVIEW, Action.REVIEW_REPLY)
    )

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _issue_opinion(
            case,
            ctx,
            stage=stage,
            request_summary="",
            facts_reasons=facts_reasons,
            decision=decision,
            legal_basis=legal_basis,
            review_route=None if final else review_route,
        )
        if final:
            case.is_final = True
        return {
            "opinion": opinion.pk,
            "decision": decision,
            "clocks_stopped": clocks.stop_clocks(case, (kind,), on=ctx.today),
        }

    return _transition(case=case, action=action, actor=actor, body=body)


def case_accept_review(*, case: Case, actor: User, reason: str = "") -> Case:
    """受理复查/复核请求: where the jurisdiction's rules add the step (山东 §43, §44), the organ that
    received the request decides to accept it within the rule's working days; until then it may not
    answer. The decision stops the acceptance clock."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        answer = _live_clock(
            case, ClockKind.REREVIEW if case.status == Status.UNDER_REREVIEW else ClockKind.REVIEW
        )
        return {
            "unit": actor.unit_id,
            "unit_name": actor.unit.name if actor.unit else "",
            "answer_due_on": answer.due_on if answer else None,  # told to the petitioner
            "clocks_stopped": clocks.stop_clocks(case, (ClockKind.REVIEW_ACCEPTANCE,), on=ctx.today),
        }

    return _transition(case=case, action=Action.ACCEPT_REVIEW, actor=actor, reason=reason, body=body)


def case_request_rereview(*, case: Case, actor: Actor, reason: str) -> Case:
    """请求复核: within 30 days of the review answer, to the organ above the reviewer (条例 §36¶1)."""
    reason = _require(reason, "请填写请求复核的理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        return _open_review(case, ctx, above=case.review_unit, stage="rereview")

    return _transition(case=case, action=Action.REQUEST_REREVIEW, actor=actor, reason=reason, body=body)


def case_hearing_start(*, case: Case, actor: User, reason: str = "") -> Case:
    """听证开始: the 复核 clock pauses; hearing time is not counted (条例 §36¶2)."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        clock = _live_clock(case, ClockKind.REREVIEW)
        assert clock is not None
        clocks.pause_clock(clock, on=ctx.today)
        return {"clock": clock.pk, "paused_on": ctx.today}

    return _transition(case=case, action=Action.HEARING_START, actor=actor, reason=reason, body=body)


def case_hearing_end(*, case: Case, actor: User, reason: str = "") -> Case:
    """听证结束: the 复核 clock resumes, its due date moved by the days the hearing took."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        clock = _live_clock(case, ClockKind.REREVIEW)
        assert clock is not None
        paused = clocks.resume_clock(clock, on=ctx.today, rules=ctx.rules)
        return {"clock": clock.pk, "paused_days": paused, "new_due_on": clock.due_on}

    return _transition(case=case, action=Action.HEARING_END, actor=actor, reason=reason, body=body)


def case_rereview_reply(
    *,
    case: Case,
    actor: User,
    facts_reasons: str,
    decision: Decision | str,
    legal_basis: str,
) -> Case:
    """复核意见: the final answer; the same facts and reasons are not accepted again (条例 §36¶3)."""
    return _answer_review(
        case=case,
        actor=actor,
        stage=OpinionStage.REREVIEW,
        facts_reasons=facts_reasons,
        decision=decision,
        legal_basis=legal_basis,
        review_route=None,
    )
