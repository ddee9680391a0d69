"""领导批示: a leader's instruction on a case, its work notice to the unit, its answer, tracked like a 督办
order (条例 §18¶2; regulations.md LD-1). The case event carries no internal remark to the citizen."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from huiyin.cases.confidentiality import on_accused_side
from huiyin.cases.events import event_record
from huiyin.cases.models import Case
from huiyin.cases.selectors import visible_to
from huiyin.core import timeutil
from huiyin.core.errors import NotFound, PermissionDenied, ValidationFailed
from huiyin.core.registry import EventType, Phase
from huiyin.org import roles
from huiyin.org.choices import Role
from huiyin.org.models import Unit, User
from huiyin.org.selectors import unit_staff
from huiyin.reception.models import Instruction
from huiyin.workflow.events import named_in_data

EVENT_ISSUED = "leader_instruction"
EVENT_ANSWERED = "leader_instruction_answer"


def _citizen(event: Any) -> str:
    d = event.data or {}
    return _("%(leader)s对您的事项作出批示，要求%(unit)s于%(deadline)s前办理。") % {
        "leader": d.get("leader_name", ""),
        "unit": d.get("unit_name", ""),
        "deadline": d.get("deadline", ""),
    }


EVENTS = (
    EventType(
        EVENT_ISSUED,
        "领导批示",
        Phase.SUPERVISION,
        citizen=_citizen,
        notice="{leader_name}批示：{reason}（请于{deadline}前办理并报告落实情况）",
        tells=named_in_data,
    ),
    EventType(
        EVENT_ANSWERED,
        "批示落实情况",
        Phase.SUPERVISION,
        notice="{unit_name}报告批示落实情况：{reason}",
        tells=named_in_data,
    ),
)


@transaction.atomic
def instruction_issue(*, case: Case, actor: User, text: str, deadline: date, unit: Unit) -> Instruction:
    if actor.role != Role.LEADER:
        raise PermissionDenied("只有领导可以作出批示")
    if not visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound("没有找到该信访事项")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请填写批示内容", extra={"fields": {"text": "请填写批示内容"}})
    if deadline <= timeutil.today():
        raise ValidationFailed("办理期限须晚于今天", extra={"fields": {"deadline": "办理期限须晚于今天"}})
    if unit.pk not in (case.handling_unit_id, case.office_id):
        message = "批示须交该事项的承办单位或负责分办的信访部门"
        raise ValidationFailed(message, extra={"fields": {"unit": message}})
    # 条例 §30¶3: an accusation is never sent to the accused unit or its chain
    if case.accused_unit_id and on_accused_side(unit.pk, case.accused_unit_id):
        raise ValidationFailed("不得批转被反映单位办理", extra={"fields": {"unit": "不得批转被反映单位"}})
    instruction = Instruction.objects.create(
        case=case, leader=actor, unit=unit, text=text[:5000], deadline=deadline, created_at=timeutil.now()
    )
    event_record(
        case=case,
        event_type=EVENT_ISSUED,
        actor=actor,
        reason=text[:200],
        data={
            "instruction": instruction.pk,
            "unit": unit.pk,
            "unit_name": unit.name,
            "leader_name": str(actor),
            "deadline": f"{deadline:%Y年%m月%d日}",
            "notify_users": sorted(unit_staff([unit.pk], roles.HANDLE | {Role.DISPATCHER})),
        },
    )
    return instruction


@transaction.atomic
def instruction_answer(*, instruction: Instruction, actor: User, answer: str) -> Instruction:
    answering = roles.HANDLE | ({Role.DISPATCHER} if instruction.unit.is_petition_office else set())
    if actor.role not in answering or actor.unit_id != instruction.unit_id:
        raise PermissionDenied("由批示办理单位报告落实情况")
    if instruction.answered_at is not None:
        raise ValidationFailed("已报告落实情况")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed("请填写落实情况", extra={"fields": {"answer": "请填写落实情况"}})
    instruction.answer, instruction.answered_by, instruction.answered_at = (
        answer[:5000],
        actor,
        timeutil.now(),
    )
    instruction.save(update_fields=["answer", "answered_by", "answered_at"])
    event_record(
        case=instruction.case_id,
        event_type=EVENT_ANSWERED,
        actor=actor,
        reason=answer[:200],
        data={
            "instruction": instruction.pk,
            "unit_name": instruction.unit.name,
            "notify_users": [instruction.leader_id],
        },
    )
    return instruction


CANDIDATE_LIMIT = 200


def overdue_instructions(user: User, today: date | None = None) -> list[Instruction]:
    """Unanswered instructions past their deadline on the cases `user` may see (visibility keeps the
    accused side away from an accusation, 条例 §30¶3), the longest overdue first."""
    today = today or timeutil.today()
    return list(
        Instruction.objects.filter(
            answered_at__isnull=True, deadline__lt=today, case__in=visible_to(user).values("pk")
        )
        .select_related("case", "leader", "unit")
        .order_by("deadline", "id")[:CANDIDATE_LIMIT]
    )


def supervision_candidates(user: User, today: date | None = None) -> list[Any]:
    """Overdue 领导批示 as 督办 candidates (Module.supervision_candidates): a leader's instruction is
    tracked like a 督办 order (issue 12 item 7; 条例 §40)."""
    from django.urls import reverse

    from huiyin.core import registry

    today = today or timeutil.today()
    return [
        registry.Candidate(
            module="领导批示",
            label=f"{i.case.code} {i.case.title}",
            url=reverse("case_detail", args=[i.case.code]),
            detail=f"{i.leader}批示，期限{i.deadline:%Y-%m-%d}，已逾期{(today - i.deadline).days}天，尚未报告落实情况",
            unit=i.unit.name,
        )
        for i in overdue_instructions(user, today)
    ]
