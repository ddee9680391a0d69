"""Handling-phase actions of the responsible unit (责任单位): objection, return, extension, the
信访处理意见书 and mediation (条例 §31–§33)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from huiyin.cases.choices import (
    Adoption,
    AssignmentKind,
    Decision,
    OpinionStage,
    PetitionType,
)
from huiyin.cases.models import Case, Opinion
from huiyin.core import registry
from huiyin.core.errors import TransitionNotAllowed, ValidationFailed
from huiyin.org.choices import RuleKey
from huiyin.org.models import Unit, User
from huiyin.org.rules import days_text
from huiyin.workflow import clocks
from huiyin.workflow.choices import LIVE_STATES, ClockKind
from huiyin.workflow.clocks import rules_for_case
from huiyin.workflow.guards import _live_clock, _refuse
from huiyin.workflow.models import Clock
from huiyin.workflow.services import outcomes
from huiyin.workflow.services.core import Context, _check_transition, _choice, _require, _transition
from huiyin.workflow.services.routing import _cancel_co_tasks
from huiyin.workflow.transitions import (
    Action,
)

# --- handling-phase actions (责任单位) ----------------------------------------------------------


def case_object(*, case: Case, actor: User, reason: str) -> Case:
    """异议: the unit says the matter is not its own, with detailed reasons (条例 §23¶3)."""
    reason = _require(reason, "请详细说明异议理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        case.objection_pending = True
        return {"clocks_stopped": clocks.stop_clocks(case, (ClockKind.OBJECTION,), on=ctx.today)}

    return _transition(case=case, action=Action.OBJECT, actor=actor, reason=reason, body=body)


def case_return(*, case: Case, actor: User, reason: str = "") -> Case:
    """退回: the petition office agrees with the objection; the case goes back to be routed again."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        from_unit = case.handling_unit
        case.objection_pending = False
        case.handling_unit = None
        case.assignment_kind = ""
        case.assignment_deadline = None
        cancelled = clocks.cancel_clocks(
            case, (ClockKind.ASSIGNMENT, ClockKind.OBJECTION, ClockKind.UNIT_ACCEPTANCE), on=ctx.today
        )
        Clock.objects.filter(case=case, kind=ClockKind.HANDLING, state__in=LIVE_STATES).update(
            unit=case.office
        )
        co_cancelled = _cancel_co_tasks(case, ctx)
        return {
            "from_unit": from_unit.pk if from_unit else None,
            "clocks_cancelled": cancelled,
            "co_units_cancelled": co_cancelled,
        }

    return _transition(case=case, action=Action.RETURN, actor=actor, reason=reason, body=body)


def case_dismiss_objection(*, case: Case, actor: User, reason: str) -> Case:
    """The petition office does not agree: the unit keeps the case (no silent bounce-back)."""
    reason = _require(reason)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        case.objection_pending = False
        return {}

    return _transition(case=case, action=Action.DISMISS_OBJECTION, actor=actor, reason=reason, body=body)


def case_extend(*, case: Case, actor: User, days: int, reason: str) -> Case:
    """延期: at most 30 days in all, approved by the unit head, the reason told to the petitioner (条例 §34)."""
    reason = _require(reason, "请填写延期理由（将告知信访人）")
    if days < 1:
        raise ValidationFailed("延期天数至少为1日", extra={"fields": {"days": "至少1日"}})

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        return apply_extension(case, ctx, days)

    return _transition(case=case, action=Action.EXTEND, actor=actor, reason=reason, body=body)


MSG_EXTENSION_TOTAL = "{type}类事项延期合计不得超过{max}（{article}；已延期{done}）"
MSG_EXTENSION_CEILING = (
    "{type}类事项延期后的办理期限{due}将超过法定上限{ceiling}（{article}：自受理之日起{days}内办结，"
    "延长不得超过{max}）"
)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def ensure_extension_fits(case: Case, rules: dict[RuleKey, Any], days: int) -> None:
    """The extensions of a case stay within its type's ceiling (t10-law): 条例 §34 for a 申诉求决 matter
    (60 days from acceptance, extended by at most 30), the profile's own values for a suggestion (§29)
    or an accusation (§30¶1). Both the days added up and the due date they would give are checked, so
    an extension asked for and approved later is refused if it no longer fits; the reason names the
    type, the figures in the profile's units and the article."""
    rule = clocks.extension_rule(case, rules)
    kind = str(PetitionType(case.petition_type).label)
    if case.extension_days + days > rule.value:
        message = MSG_EXTENSION_TOTAL.format(
            type=kind,
            max=days_text(rule.value, rule.unit),
            article=rule.article,
            done=days_text(case.extension_days, rule.unit),
        )
        left = days_text(max(rule.value - case.extension_days, 0), rule.unit)
        raise ValidationFailed(
            message, extra={"fields": {"days": f"最多还可延期{left}"}, "article": rule.article}
        )
    clock = _live_clock(case, ClockKind.HANDLING)
    if clock is None:
        return  # the guards refuse an extension with no handling clock
    ceiling = clocks.extension_ceiling(clock, case, rules)
    due = clocks.extended_due(clock, days, case, rules)
    if due > ceiling:
        message = MSG_EXTENSION_CEILING.format(
            type=kind,
            due=_cn(due),
            ceiling=_cn(ceiling),
            article=rule.article,
            days=days_text(clock.rule_days, clock.rule_unit),
            max=days_text(rule.value, rule.unit),
        )
        raise ValidationFailed(
            message,
            extra={"fields": {"days": message}, "ceiling": ceiling.isoformat(), "article": rule.article},
        )


def apply_extension(case: Case, ctx: Context, days: int) -> dict[str, Any]:
    """Move the handling clock `days` later (in the extension rule's unit); the event tells the petitioner."""
    ensure_extension_fits(case, ctx.rules, days)
    clock = _live_clock(case, ClockKind.HANDLING)
    if clock is None:
        _refuse("没有正在计算的办理时限")
    assert clock is not None
    old_due = clock.due_on
    clocks.extend_clock(clock, days, ctx.rules)
    case.extension_days += days
    rule = clocks.extension_rule(case, ctx.rules)
    return {
        "days": days,
        # t10-law: the days in the unit of the type's extension rule ("5个工作日"), for every text
        "days_unit": rule.unit,
        "period": days_text(days, rule.unit),
        "old_due_on": old_due,
        "new_due_on": clock.due_on,
        "notify_petitioner": True,
    }


def default_review_route(case: Case, stage: OpinionStage, issuing_unit: Unit) -> str:
    """How and by when to ask for the next review (on by default; 北京 §43 requires it locally)."""
    superior = issuing_unit.parent
    rules = rules_for_case(case)
    if stage == OpinionStage.HANDLING:
        days = rules[RuleKey.REVIEW_REQUEST_DAYS].text  # its own unit (t10-law)
        return (
            f"如对本处理意见不服，可以自收到本意见书之日起{days}内，"
            f"向{superior.name if superior else '原办理机关的上一级机关'}请求复查（《信访工作条例》第三十五条）。"
        )
    if stage == OpinionStage.REVIEW:
        days = rules[RuleKey.REREVIEW_REQUEST_DAYS].text  # its own unit (t10-law)
        return (
            f"如对本复查意见不服，可以自收到本意见书之日起{days}内，"
            f"向{superior.name if superior else '复查机关的上一级机关'}请求复核（《信访工作条例》第三十六条）。"
        )
    return "本复核意见为终结意见。对复核意见不服，仍以同一事实和理由提出投诉请求的，不再受理（《信访工作条例》第三十六条第三款）。"


def _issue_opinion(
    case: Case,
    ctx: Context,
    *,
    stage: OpinionStage,
    request_summary: str,
    facts_reasons: str,
    decision: Decision | str,
    legal_basis: str,
    review_route: str | None,
    agreement: str = "",
) -> Opinion:
    assert isinstance(ctx.actor, User), "opinions are issued by staff"
    unit = ctx.actor.unit
    assert unit is not None
    return Opinion.objects.create(
        case=case,
        stage=stage,
        request_summary=request_summary or case.request or case.title,
        facts_reasons=facts_reasons,
        decision=decision,
        legal_basis=legal_basis,
        review_route=review_route if review_route is not None else default_review_route(case, stage, unit),
        agreement=agreement,
        issued_by=ctx.actor,
        issued_unit=unit,
        issued_at=ctx.now,
    )


def _opinion_fields(facts_reasons: str, legal_basis: str) -> tuple[str, str]:
    errors = {}
    if not (facts_reasons or "").strip():
        errors["facts_reasons"] = "请填写事实和理由"
    if not (legal_basis or "").strip():
        errors["legal_basis"] = "请填写处理意见的法律法规依据（《信访工作条例》第三十二条）"
    if errors:
        raise ValidationFailed("意见书内容不完整", extra={"fields": errors})
    return facts_reasons.strip(), legal_basis.strip()


def _checked_answer(
    case: Case,
    adoption: Adoption | str,
    decision: Decision | str,
    facts_reasons: str,
    legal_basis: str,
    completion_report: str,
) -> tuple[str, Decision, str, str]:
    """The checked fields of a 信访处理意见书, issued (`case_reply`) or drafted for sign-off
    (`case_submit_opinion`): (adoption, decision, facts and reasons, legal basis)."""
    adoption, decision = outcomes.suggestion_answer(case, adoption, decision)
    if adoption and not (legal_basis or "").strip():
        legal_basis = "《信访工作条例》第二十九条"
    facts_reasons, legal_basis = _opinion_fields(facts_reasons, legal_basis)
    checked = _choice(Decision, decision, "decision")
    if checked == Decision.MEDIATED:
        raise ValidationFailed("调解和解请使用“调解和解”", extra={"fields": {"decision": "无效的选项"}})
    if case.assignment_kind == AssignmentKind.ASSIGN and not completion_report.strip():
        # 条例 §22¶1(三): an assigned matter is answered with a completion report.
        raise ValidationFailed(
            "交办事项须提交办结报告", extra={"fields": {"completion_report": "请填写办结报告"}}
        )
    return adoption, checked, facts_reasons, legal_basis


def case_reply(
    *,
    case: Case,
    actor: User,
    facts_reasons: str,
    decision: Decision | str = "",
    legal_basis: str = "",
    request_summary: str = "",
    review_route: str | None = None,
    completion_report: str = "",
    adoption: Adoption | str = "",
) -> Case:
    """答复: issue the 信访处理意见书 — request, facts and reasons, decision and legal basis (条例 §32); a
    suggestion's answer says whether it is adopted (§29, `adoption`; services/outcomes.py). The head
    signing off a handler's draft (rule `opinion_signoff`) issues it with the draft's adoption unless the
    head states another (t10-law)."""
    if not adoption and case.petition_type == PetitionType.SUGGESTION:
        adoption = _draft_adoption(case)
    adoption, decision, facts_reasons, legal_basis = _checked_answer(
        case, adoption, decision, facts_reasons, legal_basis, completion_report
    )

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _issue_opinion(
            case,
            ctx,
            stage=OpinionStage.HANDLING,
            request_summary=request_summary,
            facts_reasons=facts_reasons,
            decision=decision,
            legal_basis=legal_basis,
            review_route=review_route,
        )
        if completion_report.strip():
            case.completion_report = completion_report.strip()
        if adoption:
            case.adoption = adoption
        stopped = clocks.stop_clocks(
            case, (ClockKind.HANDLING, ClockKind.ASSIGNMENT, ClockKind.OBJECTION), on=ctx.today
        )
        signed = _sign_pending_draft(case, opinion)
        marks = {"adoption": adoption} if adoption else {}
        return {"opinion": opinion.pk, "decision": decision, "clocks_stopped": stopped, **signed, **marks}

    return _transition(case=case, action=Action.REPLY, actor=actor, body=body)


def _draft_adoption(case: Case) -> str:
    """The adoption a pending draft carries (条例 §29), for the head's sign-off."""
    from huiyin.workflow.choices import DraftState
    from huiyin.workflow.models import OpinionDraft

    draft = OpinionDraft.objects.filter(case=case, state=DraftState.PENDING).order_by("-id").first()
    return draft.adoption if draft is not None else ""


def _sign_pending_draft(case: Case, opinion: Opinion) -> dict[str, Any]:
    """The head issuing the opinion signs off the handler's pending draft (rule `opinion_signoff`)."""
    from huiyin.workflow.choices import DraftState
    from huiyin.workflow.models import OpinionDraft

    draft = OpinionDraft.objects.filter(case=case, state=DraftState.PENDING).order_by("-id").first()
    if draft is None:
        return {}
    draft.state = DraftState.SIGNED
    draft.opinion = opinion
    draft.save(update_fields=["state", "opinion"])
    signed: dict[str, Any] = {"draft": draft.pk, "drafted_by": draft.submitted_by_id, "signed_off": True}
    if draft.adoption and draft.adoption != case.adoption:
        signed["draft_adoption"] = draft.adoption  # the head stated another adoption than the draft's
    return signed


# The aid the mediation module offers (huiyin/mediation/apps.py): open a mediation case linked to a
# petition case — mediation sits above the workflow (ADR 0008), so the workflow finds it in the registry.
MEDIATION_FROM_CASE = "mediation_from_case"
MSG_NO_MEDIATION = "本系统未启用矛盾纠纷调解，不能转入调解"


def case_send_to_mediation(
    *,
    case: Case,
    actor: User,
    organ: Unit,
    kind: str,
    respondents: list[str],
    dispute_kind: str = "other",
) -> Case:
    """调解和解 as the case page and the API take it (issue 13): the handling unit, with the parties'
    consent, starts a mediation case linked to the petition (条例 §33; 人民调解 or 行政调解). Checked like
    the transition (状态、岗位、回避、异议、受理); the case stays 办理中 — no agreement text is typed here.
    When the mediation reaches an agreement, the mediation module answers the petition with it through
    `case_mediate` (the table's 调解和解 step); a failed mediation leaves the case to be answered."""
    start = registry.aid(MEDIATION_FROM_CASE)
    with transaction.atomic():
        case = _check_transition(case, Action.MEDIATE, actor)
        if start is None:
            raise TransitionNotAllowed(MSG_NO_MEDIATION)
        start(
            case=case,
            actor=actor,
            organ=organ,
            kind=kind,
            respondents=[r for r in respondents if r.strip()],
            dispute_kind=dispute_kind or "other",
        )
    return Case.objects.get(pk=case.pk)


def case_mediate(
    *, case: Case, actor: User, agreement: str, facts_reasons: str, legal_basis: str = ""
) -> Case:
    """调解和解: the agreement a linked mediation reached answers the petition (条例 §33). Called by the
    mediation module (`mediation.services.mediation_answer_petition`) with the agreement's own text; the
    case page and the API start the mediation instead (`case_send_to_mediation`)."""
    agreement = _require(agreement, "请填写调解协议书或和解协议书内容", "agreement")
    facts_reasons = _require(facts_reasons, "请填写事实和理由", "facts_reasons")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _issue_opinion(
            case,
            ctx,
            stage=OpinionStage.HANDLING,
            request_summary="",
            facts_reasons=facts_reasons,
            decision=Decision.MEDIATED,
            legal_basis=legal_basis.strip() or "《信访工作条例》第三十三条",
            review_route=None,
            agreement=agreement,
        )
        stopped = clocks.stop_clocks(
            case, (ClockKind.HANDLING, ClockKind.ASSIGNMENT, ClockKind.OBJECTION), on=ctx.today
        )
        return {"opinion": opinion.pk, "clocks_stopped": stopped}

    return _transition(case=case, action=Action.MEDIATE, actor=actor, body=body)
