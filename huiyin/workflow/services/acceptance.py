"""The competent organ accepts on its own clock (条例 §23¶3, §34; issue 10 item 1).

A unit that receives a forwarded (转送) or assigned (交办) matter either objects within 5 working days
(`handling.case_object`) or accepts it and tells the petitioner within 15 days of receipt that it
received it and how it will be handled. The 60 days of §34 run from that acceptance ("自受理之日起").
"""

from __future__ import annotations

from typing import Any

from huiyin.cases.choices import DeliveryMethod, PetitionType
from huiyin.cases.models import Case
from huiyin.org.choices import RuleKey
from huiyin.org.models import User
from huiyin.workflow import clocks
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.guards import _live_clock
from huiyin.workflow.services.core import Context, _choice, _transition
from huiyin.workflow.transitions import Action

ACCEPTANCE_ARTICLE = "《信访工作条例》第二十三条第三款、第三十四条"


def default_procedure(case: Case, rules: dict[RuleKey, Any]) -> str:
    """What the notice says about the handling route and procedure when the handler writes nothing."""
    # t10-law: the case type's own handling value, in its own unit (条例 §29, §30, §34; issue 10 item 8)
    # and the type's own procedure: a suggestion is studied and answered with its adoption (§29), an
    # accusation handled and answered under the competent organ's rules (§30¶1), a complaint heard,
    # verified and answered with a 信访处理意见书 (§31(六), §32)
    period = rules[clocks.rule_key_for(case, ClockKind.HANDLING)].text
    if case.petition_type == PetitionType.SUGGESTION:
        return f"本机关将依照《信访工作条例》第二十九条对您的建议认真研究论证，自受理之日起{period}内答复采纳情况。"
    if case.petition_type == PetitionType.ACCUSATION:
        return f"本机关将依照《信访工作条例》第三十条依规依纪依法办理，自受理之日起{period}内反馈办理结果。"
    return (
        "本机关将依照《信访工作条例》第三十一条、第三十二条听取您的陈述、调查核实，"
        f"自受理之日起{period}内办结并出具信访处理意见书。"
    )


def case_accept_assignment(
    *,
    case: Case,
    actor: User,
    notice_method: DeliveryMethod | str = DeliveryMethod.ELECTRONIC,
    procedure: str = "",
) -> Case:
    """受理并告知: the receiving unit accepts the matter and tells the petitioner (条例 §23¶3). Its
    acceptance clock stops (on time or late), the objection window closes (accepting is saying the
    matter is its own), and the 60-day handling clock starts today (§34). A case whose handling clock
    already runs — accepted by the office under the former rule — keeps that clock."""
    notice_method = _choice(DeliveryMethod, notice_method, "notice_method")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        acceptance = _live_clock(case, ClockKind.UNIT_ACCEPTANCE)
        assert acceptance is not None  # guards.GUARDS[ACCEPT_ASSIGNMENT]
        received_on, notice_due = acceptance.started_on, acceptance.due_on
        stopped = clocks.stop_clocks(case, (ClockKind.UNIT_ACCEPTANCE, ClockKind.OBJECTION), on=ctx.today)
        handling = _live_clock(case, ClockKind.HANDLING)
        kept = handling is not None
        if handling is None:
            handling = clocks.start_clock(
                case=case,
                kind=ClockKind.HANDLING,
                unit=case.handling_unit,
                rules=ctx.rules,
                trigger=Action.ACCEPT_ASSIGNMENT,
                on=ctx.today,
            )
        unit = case.handling_unit
        return {
            "unit": unit.pk if unit else None,
            "unit_name": unit.name if unit else "",
            "received_on": received_on,
            "notice_due_on": notice_due,
            "notice_on_time": ctx.today <= notice_due,
            "notice_method": notice_method,
            # 条例 §23¶2 exempts a petitioner whose name or address is unclear from the written notice
            "notice_exempt": case.identity_unclear,
            "handling_started_on": handling.started_on,
            "handling_days": handling.rule_days,
            "handling_unit": handling.rule_unit,
            "due_on": handling.due_on,
            "handling_kept": kept,
            "clocks_stopped": stopped,
        }

    reason = (procedure or "").strip() or default_procedure(case, clocks.rules_for_case(case))
    return _transition(case=case, action=Action.ACCEPT_ASSIGNMENT, actor=actor, reason=reason, body=body)
