"""How a matter ends and what it is counted as (issue 10, items 2–3, JU-2, HD-2, SV-5):

- 诉访分离 (条例 §28¶2, §31(一)–(五), §22¶2): a matter for a 政法 or 纪检监察 organ, or another legal
  procedure, is handed over with the guidance given to the petitioner, and leaves the ordinary petition
  clocks (stopped with the reason, neither met nor late; §23¶4: those organs follow their own rules) —
  at registration (`case_divert`, registration.py) or when found while handling (`case_divert_in_handling`);
- a suggestion's answer records its adoption (§29; HD-2), counted for the §41 annual report;
- a closed case records the §27 outcome, the level of the unit that resolved it (§15¶3) and the §42 root
  cause (SV-5). None of these is a measure against the person (§27 "依法处理" is the legal process's).
"""

from __future__ import annotations

from typing import Any

from huiyin.cases.choices import (
    Adoption,
    Decision,
    DivertTarget,
    Outcome,
    PetitionType,
    RootCause,
)
from huiyin.cases.confidentiality import on_accused_side
from huiyin.cases.models import Case
from huiyin.core.errors import ValidationFailed
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.workflow import clocks
from huiyin.workflow.guards import _latest_opinion
from huiyin.workflow.routing import guard_routing
from huiyin.workflow.services.core import Context, _choice, _require, _transition
from huiyin.workflow.services.routing import _cancel_co_tasks
from huiyin.workflow.transitions import Action

MSG_GUIDANCE_REQUIRED = "请填写向信访人告知的途径和指引"
MSG_ROOT_CAUSE_REQUIRED = "请选择信访问题成因（《信访工作条例》第四十二条）"
MSG_ADOPTION_REQUIRED = "建议意见类事项须答复采纳情况：采纳、部分采纳或不予采纳（《信访工作条例》第二十九条）"
MSG_ADOPTION_NOT_SUGGESTION = "只有建议意见类事项答复采纳情况（《信访工作条例》第二十九条）"
MSG_DECISION_REQUIRED = "请选择处理意见（《信访工作条例》第三十二条）"
MSG_WRONG_ORGAN = "请选择{kind}机关（单位）"

# The organ a 政法/纪检监察 route hands the matter over to (条例 §22¶2, §30¶1).
HANDOVER_ORGANS: dict[DivertTarget, UnitKind] = {
    DivertTarget.DISCIPLINE: UnitKind.DISCIPLINE,
    DivertTarget.POLITICAL_LEGAL: UnitKind.POLITICAL_LEGAL,
}

# 条例 §32 decision (or §29 adoption) → the §27 outcome a closing records unless staff say otherwise.
_OUTCOME_OF_DECISION: dict[str, Outcome] = {
    Decision.SUPPORT: Outcome.SOLVED,
    Decision.MEDIATED: Outcome.SOLVED,
    Decision.EXPLAIN: Outcome.EXPLAINED,
    Decision.NOT_SUPPORT: Outcome.EXPLAINED,
}
_OUTCOME_OF_ADOPTION: dict[str, Outcome] = {
    Adoption.ADOPTED: Outcome.SOLVED,
    Adoption.PARTLY_ADOPTED: Outcome.SOLVED,
    Adoption.NOT_ADOPTED: Outcome.EXPLAINED,
}

# 条例 §29 adoption → the decision the answer's opinion carries (its §32 wording for the printed form).
DECISION_OF_ADOPTION: dict[str, Decision] = {
    Adoption.ADOPTED: Decision.SUPPORT,
    Adoption.PARTLY_ADOPTED: Decision.SUPPORT,
    Adoption.NOT_ADOPTED: Decision.NOT_SUPPORT,
}


def handover_reason(target: DivertTarget, unit: Unit | None) -> str:
    """What the page and the petitioner's timeline say about the stopped clocks."""
    where = unit.name if unit is not None else target.label
    return f"已导入法定途径（{where}），按该机关的程序办理，信访办理时限停止计算"


def _handover_organ(case: Case, actor: User, target: DivertTarget, to_unit: Unit | None) -> Unit | None:
    if to_unit is None:
        return None
    kind = HANDOVER_ORGANS.get(target)
    if kind is None or to_unit.kind != kind or not to_unit.is_active:
        label = UnitKind(kind).label if kind else "政法或纪检监察"
        raise ValidationFailed(
            MSG_WRONG_ORGAN.format(kind=label),
            extra={"fields": {"to_unit": MSG_WRONG_ORGAN.format(kind=label)}},
        )
    if on_accused_side(to_unit.pk, case.accused_unit_id):
        guard_routing(case, to_unit, actor)  # 条例 §30¶3: refused and audited
    return to_unit


def divert_body(
    case: Case, ctx: Context, *, target: DivertTarget, to_unit: Unit | None, found_in_handling: bool
) -> dict[str, Any]:
    """Hand the matter over: every clock stops with the reason, the §27 outcome is the legal process,
    resolved at the diverting unit's level."""
    reason = handover_reason(target, to_unit)
    stopped = clocks.hand_over_clocks(case, on=ctx.today, reason=reason)
    co_cancelled = _cancel_co_tasks(case, ctx) if found_in_handling else []
    unit = getattr(ctx.actor, "unit", None)  # staff only: a petitioner never diverts (CITIZEN_ACTIONS)
    case.outcome = Outcome.LEGAL_PROCESS
    case.resolved_unit = unit
    case.resolved_level = unit.territory.level if unit is not None else None
    return {
        "target": target,
        "target_label": target.label,
        "to_unit": to_unit.pk if to_unit else None,
        "to_unit_name": to_unit.name if to_unit else "",
        "clocks_stopped": stopped,
        "clocks_stop_reason": reason,
        "co_units_cancelled": co_cancelled,
        "found_in_handling": found_in_handling,
        "outcome": Outcome.LEGAL_PROCESS,
    }


def case_divert_in_handling(
    *, case: Case, actor: User, target: DivertTarget | str, guidance: str, to_unit: Unit | None = None
) -> Case:
    """办理中分流: a litigation or discipline matter found while handling is handed over to its organ
    with the guidance given (条例 §28¶2, §31(一)–(五), §22¶2); the petition clocks stop."""
    guidance = _require(guidance, MSG_GUIDANCE_REQUIRED, "guidance")
    target = DivertTarget(_choice(DivertTarget, target, "target"))
    organ = _handover_organ(case, actor, target, to_unit)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        return divert_body(case, ctx, target=target, to_unit=organ, found_in_handling=True)

    return _transition(case=case, action=Action.DIVERT_IN_HANDLING, actor=actor, reason=guidance, body=body)


def suggestion_answer(
    case: Case, adoption: Adoption | str | None, decision: Decision | str | None
) -> tuple[str, str]:
    """(adoption, decision) of an answer: a suggestion says whether it is adopted (§29) and its opinion
    carries the matching decision; any other type has no adoption."""
    adoption, decision = adoption or "", decision or ""
    if case.petition_type == PetitionType.SUGGESTION:
        if not adoption:
            raise ValidationFailed(
                MSG_ADOPTION_REQUIRED, extra={"fields": {"adoption": MSG_ADOPTION_REQUIRED}}
            )
        adoption = _choice(Adoption, adoption, "adoption")
        return adoption, decision or DECISION_OF_ADOPTION[adoption]
    if adoption:
        raise ValidationFailed(
            MSG_ADOPTION_NOT_SUGGESTION, extra={"fields": {"adoption": MSG_ADOPTION_NOT_SUGGESTION}}
        )
    if not decision:
        raise ValidationFailed(MSG_DECISION_REQUIRED, extra={"fields": {"decision": MSG_DECISION_REQUIRED}})
    return "", decision


def closing_body(case: Case, outcome: Outcome | str | None, root_cause: RootCause) -> dict[str, Any]:
    """办结: the §27 outcome (from the answer's decision unless given), the unit whose answer resolved
    it and its level, and the §42 root cause."""
    opinion = _latest_opinion(case)
    if outcome:
        chosen = _choice(Outcome, outcome, "outcome")
    elif case.adoption:
        chosen = _OUTCOME_OF_ADOPTION[case.adoption]
    elif opinion is not None and opinion.decision in _OUTCOME_OF_DECISION:
        chosen = _OUTCOME_OF_DECISION[opinion.decision]
    else:
        raise ValidationFailed("请选择化解情况", extra={"fields": {"outcome": "请选择化解情况"}})
    unit = opinion.issued_unit if opinion is not None else case.handling_unit
    case.outcome = chosen
    case.resolved_unit = unit
    case.resolved_level = unit.territory.level if unit is not None else None
    case.root_cause = root_cause
    return {
        "outcome": chosen,
        "resolved_unit": unit.pk if unit else None,
        "resolved_unit_name": unit.name if unit else "",
        "resolved_level": case.resolved_level,
        "root_cause": root_cause,
    }


def closing_root_cause(root_cause: RootCause | str) -> RootCause:
    if not root_cause:
        raise ValidationFailed(
            MSG_ROOT_CAUSE_REQUIRED, extra={"fields": {"root_cause": MSG_ROOT_CAUSE_REQUIRED}}
        )
    return _choice(RootCause, root_cause, "root_cause")  # type: ignore[no-any-return]
