"""为民办实事: citizens propose, a leader selects the year's list (budget, owner) or declines with a
public reason; a selected project is its owner's public commitment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from huiyin.core import timeutil
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.org.choices import Role
from huiyin.org.models import Territory, Unit, User
from huiyin.outreach.choices import (
    ProposalState,
)
from huiyin.outreach.models import (
    Commitment,
    ProjectProposal,
)
from huiyin.outreach.services.common import (
    _fail,
    voter_hash,
)

SELECT_PROJECTS: frozenset[str] = frozenset({Role.LEADER})


@transaction.atomic
def proposal_submit(*, contact: str, title: str, description: str, territory: Territory) -> ProjectProposal:
    """A citizen signed in by phone proposes a practical project (anonymous in public)."""
    if not contact:
        raise PermissionDenied("请先用手机号码验证登录后再提议")
    if not title.strip():
        raise _fail("title", "请填写项目名称")
    if not description.strip():
        raise _fail("description", "请填写项目内容和理由")
    return ProjectProposal.objects.create(
        title=title.strip()[:200],
        description=description.strip(),
        territory=territory,
        proposer_hash=voter_hash(contact),
        created_at=timeutil.now(),
    )


@dataclass
class SelectionIn:
    owner: Unit
    year: int
    budget: Decimal
    measure: str
    due_on: date
    beneficiaries: str


@transaction.atomic
def proposal_select(*, proposal: ProjectProposal, data: SelectionIn, actor: User) -> Commitment:
    """A leader puts the proposal on the year's list with a budget and an owner unit; it becomes that
    unit's public commitment (progress, evidence, ratings as for any promise)."""
    proposal = ProjectProposal.objects.select_for_update().get(pk=proposal.pk)
    if actor.role not in SELECT_PROJECTS:
        raise PermissionDenied("只有领导可以确定为民办实事项目")
    if proposal.state != ProposalState.PROPOSED:
        raise ValidationFailed("该提议已有决定")
    if data.budget <= 0:
        raise _fail("budget", "预算须大于0")
    if data.due_on <= timeutil.today():
        raise _fail("due_on", "完成日期须晚于今天")
    if not data.measure.strip():
        raise _fail("measure", "请填写可衡量的结果")
    commitment = Commitment.objects.create(
        unit=data.owner,
        territory=proposal.territory,
        title=f"为民办实事：{proposal.title}"[:200],
        beneficiaries=data.beneficiaries.strip()[:200] or "群众",
        measure=data.measure.strip()[:300],
        due_on=data.due_on,
        published_by=actor,
        published_at=timeutil.now(),
    )
    proposal.state = ProposalState.SELECTED
    proposal.year = data.year
    proposal.budget = data.budget
    proposal.commitment = commitment
    proposal.decided_by = actor
    proposal.decided_at = timeutil.now()
    proposal.save()
    return commitment


@transaction.atomic
def proposal_decline(*, proposal: ProjectProposal, reason: str, actor: User) -> ProjectProposal:
    """Not on the list, with a public reason (事事有回音)."""
    proposal = ProjectProposal.objects.select_for_update().get(pk=proposal.pk)
    if actor.role not in SELECT_PROJECTS:
        raise PermissionDenied("只有领导可以确定为民办实事项目")
    if proposal.state != ProposalState.PROPOSED:
        raise ValidationFailed("该提议已有决定")
    if not reason.strip():
        raise _fail("reason", "请写明未列入的理由")
    proposal.state = ProposalState.DECLINED
    proposal.reason = reason.strip()[:300]
    proposal.decided_by = actor
    proposal.decided_at = timeutil.now()
    proposal.save()
    return proposal
