"""The unit head's sign-off of the 信访处理意见书 (issue 10 item 5), where the rule profile asks it
(`opinion_signoff`; the national texts set no such step: §32 has the organ issue the opinion and §34
asks the head's approval only for an extension). A handler submits the draft; the head issues it with
the ordinary `reply` (prefilled from the draft), which records the draft as signed."""

from __future__ import annotations

from typing import Any

from huiyin.cases.choices import Adoption, Decision
from huiyin.cases.models import Case
from huiyin.org.choices import Role
from huiyin.org.models import User
from huiyin.workflow.choices import DraftState
from huiyin.workflow.models import OpinionDraft
from huiyin.workflow.services.core import Context, _transition
from huiyin.workflow.services.handling import _checked_answer
from huiyin.workflow.transitions import Action


def pending_draft(case: Case) -> OpinionDraft | None:
    return OpinionDraft.objects.filter(case=case, state=DraftState.PENDING).order_by("-id").first()


def case_submit_opinion(
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
    """提交意见书送签: the handler's draft goes to the unit head, who signs it off by issuing it. A
    suggestion's draft carries its adoption (条例 §29; t10-law) and the decision it maps to; the head's
    sign-off (`reply`) issues the opinion with that adoption unless the head states another."""
    adoption, decision, facts_reasons, legal_basis = _checked_answer(
        case, adoption, decision, facts_reasons, legal_basis, completion_report
    )

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        superseded = OpinionDraft.objects.filter(case=case, state=DraftState.PENDING).update(
            state=DraftState.SUPERSEDED
        )
        unit = case.handling_unit
        assert unit is not None  # in handling (the table), on the handling side (PERMISSIONS)
        draft = OpinionDraft.objects.create(
            case=case,
            unit=unit,
            request_summary=(request_summary or "").strip(),
            facts_reasons=facts_reasons,
            decision=decision,
            legal_basis=legal_basis,
            review_route=(review_route or "").strip(),
            completion_report=(completion_report or "").strip(),
            adoption=adoption,
            submitted_by=actor,
            submitted_at=ctx.now,
        )
        heads = User.objects.filter(unit=unit, role=Role.UNIT_HEAD, is_active=True)
        marks = {"adoption": adoption} if adoption else {}
        return {
            "draft": draft.pk,
            "decision": decision,
            **marks,
            "superseded": superseded,
            "notify_users": list(heads.values_list("pk", flat=True)),
        }

    return _transition(case=case, action=Action.SUBMIT_OPINION, actor=actor, body=body)
