"""JSON API of 督办 and the leader inbox. Mounted under the workflow router (huiyin/workflow/api.py).

Reads are scoped by the same selectors as the pages; writes go through the same services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from huiyin.cases.schemas import ERRORS, CaseItem, DbId, case_item, unit_ref
from huiyin.cases.selectors import access_case
from huiyin.core import access
from huiyin.core.access import LEAD, STAFF
from huiyin.core.errors import NotFound, PermissionDenied
from huiyin.org import roles
from huiyin.org.api import UnitRef, api_user
from huiyin.supervision import selectors, services
from huiyin.supervision.models import SupervisionCandidate, SupervisionOrder

router = Router(tags=["supervision"])
LIST_LIMIT = 200


class CandidateOut(Schema):
    id: int
    case: CaseItem
    unit: UnitRef | None
    reason: str
    reason_label: str
    state: str
    detail: str
    found_at: datetime


class OrderOut(Schema):
    id: int
    case_id: int
    case_code: str
    unit: UnitRef
    level: int
    instructions: str
    due_on: date
    state: str
    state_label: str
    answer: str
    issued_at: datetime
    answered_at: datetime | None
    escalated_from: int | None


class OrderIn(Schema):
    case: str = Field(coerce_numbers_to_str=True, max_length=24, description="事项 id 或受理凭证编号")
    instructions: str = Field(description="督办要求")
    due_on: date = Field(description="答复期限（须晚于今天）")
    candidate: DbId | None = Field(None, description="据以督办的线索 id（可选）")


class DismissIn(Schema):
    candidate: DbId = Field(description="督办线索 id")
    reason: str = Field(description="不予督办的理由（记入事项办理记录）")


class AnswerIn(Schema):
    order: DbId = Field(description="督办单 id")
    answer: str = Field(description="答复内容")


class LeaderInboxOut(Schema):
    owned: list[CaseItem] = Field(description="包案事项")
    awaiting: list[CaseItem] = Field(description="待领导（所在单位）决定的管辖争议")
    mailbox: list[CaseItem] = Field(description="辖区内领导信箱来信（未办结）")


def order_out(order: SupervisionOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "case_id": order.case_id,
        "case_code": order.case.code,
        "unit": unit_ref(order.unit),
        "level": order.level,
        "instructions": order.instructions,
        "due_on": order.due_on,
        "state": order.state,
        "state_label": order.get_state_display(),
        "answer": order.answer,
        "issued_at": order.issued_at,
        "answered_at": order.answered_at,
        "escalated_from": order.escalated_from_id,
    }


@router.get(
    "/supervision/candidates",
    response={200: list[CandidateOut], **ERRORS},
    url_name="supervision_candidates",
    summary="督办线索（督查岗位，辖区内）",
)
def candidates(request: HttpRequest) -> list[dict[str, Any]]:
    user = api_user(request)
    qs = selectors.candidates_for(user).select_related(
        "case__office", "case__handling_unit", "case__category"
    )
    return [candidate_out(c) for c in qs[:LIST_LIMIT]]


def candidate_out(c: SupervisionCandidate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "case": case_item(c.case),
        "unit": unit_ref(c.unit),
        "reason": c.reason,
        "reason_label": c.get_reason_display(),
        "state": c.state,
        "detail": c.detail,
        "found_at": c.found_at,
    }


@router.get(
    "/supervision/orders",
    response={200: list[OrderOut], **ERRORS},
    url_name="supervision_orders",
    summary="督办单（督查、领导：辖区内；其他：本单位收到的）",
)
def orders(request: HttpRequest) -> list[dict[str, Any]]:
    user = api_user(request)
    return [order_out(o) for o in selectors.orders_for(user)[:LIST_LIMIT]]


@router.post(
    "/supervision/orders",
    response={200: OrderOut, **ERRORS},
    url_name="supervision_issue",
    summary="下发督办单（督查岗位）",
)
def issue(request: HttpRequest, payload: OrderIn) -> dict[str, Any]:
    user = api_user(request)
    case = access_case(user, payload.case)
    candidate = None
    if payload.candidate is not None:
        candidate = SupervisionCandidate.objects.filter(pk=payload.candidate, case=case).first()
        if candidate is None:
            raise NotFound("没有这条督办线索")
    order = services.order_issue(
        case=case, actor=user, instructions=payload.instructions, due_on=payload.due_on, candidate=candidate
    )
    return order_out(order)


@router.post(
    "/supervision/candidates/dismiss",
    response={200: CandidateOut, **ERRORS},
    url_name="supervision_dismiss_api",
    summary="不予督办（督查岗位，须说明理由）",
)
def dismiss(request: HttpRequest, payload: DismissIn) -> dict[str, Any]:
    user = api_user(request)
    candidate = selectors.candidates_for(user).filter(pk=payload.candidate).first()
    if candidate is None:
        raise NotFound("没有这条督办线索")
    candidate = services.candidate_dismiss(candidate=candidate, actor=user, reason=payload.reason)
    return candidate_out(candidate)


@router.post(
    "/supervision/answers",
    response={200: OrderOut, **ERRORS},
    url_name="supervision_answer",
    summary="答复督办（被督办单位）",
)
def answer(request: HttpRequest, payload: AnswerIn) -> dict[str, Any]:
    user = api_user(request)
    order = selectors.orders_for(user).filter(pk=payload.order).first()
    if order is None:
        raise NotFound("没有这份督办单，或您无权查看")
    return order_out(services.order_answer(order=order, actor=user, answer=payload.answer))


@router.get(
    "/leader/inbox",
    response={200: LeaderInboxOut, **ERRORS},
    url_name="leader_inbox_api",
    summary="领导信箱与包案",
)
def leader_inbox(request: HttpRequest) -> dict[str, Any]:
    user = api_user(request)
    if not roles.has(user, roles.LEAD):
        raise PermissionDenied("领导信箱与包案事项只对领导岗位开放")
    return {
        name: [case_item(c) for c in qs[:LIST_LIMIT]] for name, qs in selectors.leader_inbox(user).items()
    }


# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "supervision_candidates": STAFF,
        "supervision_orders": STAFF,
        "supervision_issue": STAFF,
        "supervision_dismiss_api": STAFF,
        "supervision_answer": STAFF,
        "leader_inbox_api": LEAD,
    },
)
