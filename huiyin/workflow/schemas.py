"""The JSON API's case detail: everything about one case the user may see, with its clocks and the
actions `allowed_actions` offers (returned by the case endpoint and by every transition)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema

from huiyin.cases.models import Case
from huiyin.cases.schemas import CaseItem, case_item, unit_ref
from huiyin.cases.selectors import (
    case_parties_with_audit,
)
from huiyin.core import net
from huiyin.org.api import UnitRef
from huiyin.org.models import User
from huiyin.workflow.choices import ClockState
from huiyin.workflow.services import allowed_actions
from huiyin.workflow.transitions import ACTION_LABELS


class PetitionerOut(Schema):
    id: int
    kind: str
    name: str
    id_number: str
    phone: str = Field(description="本件联系电话：本次提交所留（与档案不同者须核实后才成为本人联系方式）")
    address: str = Field(description="本件联系地址")
    contact_state: str = Field(description="on_record / unverified / verified")
    is_representative: bool


class EventOut(Schema):
    id: int
    event_type: str
    from_status: str
    to_status: str
    actor: str | None
    actor_unit: str | None
    reason: str
    data: dict[str, Any]
    created_at: datetime


class ClockOut(Schema):
    id: int
    kind: str
    kind_label: str
    unit: UnitRef | None
    state: str
    state_label: str
    started_on: date
    due_on: date
    warn_on: date
    extended_days: int
    paused_days: int
    stopped_on: date | None
    rule_article: str


class OpinionOut(Schema):
    id: int
    stage: str
    decision: str
    request_summary: str
    facts_reasons: str
    legal_basis: str
    review_route: str
    agreement: str
    issued_unit: UnitRef
    issued_at: datetime
    delivered_on: date | None
    delivery_method: str


class ActionRef(Schema):
    action: str
    label: str


class CaseDetail(CaseItem):
    content: str
    request: str
    address: str
    territory: str | None
    accused_person: str
    accused_unit: UnitRef | None
    headcount: int
    identity_unclear: bool
    assignment_kind: str
    assignment_deadline: date | None
    assignment_instructions: str
    completion_report: str
    objection_pending: bool
    extension_days: int
    review_unit: UnitRef | None
    rereview_unit: UnitRef | None
    merged_into: str | None = Field(description="合并到的事项编号")
    rating: str
    problem_solved: bool | None
    is_final: bool
    petitioners: list[PetitionerOut]
    events: list[EventOut]
    clocks: list[ClockOut]
    opinions: list[OpinionOut]
    allowed_actions: list[ActionRef]


def _loaded(case: Case, name: str) -> list[Any] | None:
    """The related rows intake left on a case it has just registered (no second read), else None."""
    cached = getattr(case, "_prefetched_objects_cache", {}).get(name)
    return list(cached) if cached is not None else None


def case_detail(
    request: HttpRequest, user: User, case: Case, *, echoed: frozenset[int] = frozenset()
) -> dict[str, Any]:
    """Everything about one case the user may see; showing the petitioners is audited (SPEC §1.3).

    A case intake has just registered comes with its rows in memory (`intake.case_register`): they
    are shown as written, and no read is made. `echoed`: petitioners whose shown identity is exactly
    what this request itself submitted (see `case_parties_with_audit`)."""
    just_registered = _loaded(case, "events") is not None
    parties = case_parties_with_audit(user, case, ip=net.audit_ip(request), echoed=echoed)
    events = _loaded(case, "events")
    if events is None:
        events = list(case.events.select_related("actor", "actor_unit").order_by("created_at", "id"))
    clocks = _loaded(case, "clocks")
    if clocks is None:
        clocks = list(case.clocks.select_related("unit").order_by("started_on", "id"))
    opinions = _loaded(case, "opinions")
    if opinions is None:
        opinions = list(case.opinions.select_related("issued_unit").order_by("issued_at", "id"))
    return {
        **case_item(case),
        "content": case.content,
        "request": case.request,
        "address": case.address,
        "territory": case.territory.name if case.territory else None,
        "accused_person": case.accused_person,
        "accused_unit": unit_ref(case.accused_unit),
        "headcount": case.headcount,
        "identity_unclear": case.identity_unclear,
        "assignment_kind": case.assignment_kind,
        "assignment_deadline": case.assignment_deadline,
        "assignment_instructions": case.assignment_instructions,
        "completion_report": case.completion_report,
        "objection_pending": case.objection_pending,
        "extension_days": case.extension_days,
        "review_unit": unit_ref(case.review_unit),
        "rereview_unit": unit_ref(case.rereview_unit),
        "merged_into": case.merged_into.code if case.merged_into else None,
        "rating": case.rating,
        "problem_solved": case.problem_solved,
        "is_final": case.is_final,
        "petitioners": [
            {
                "id": p.petitioner.pk,
                "kind": p.petitioner.kind,
                "name": p.petitioner.name,
                "id_number": p.petitioner.id_number,
                "phone": p.phone,
                "address": p.address,
                "contact_state": p.contact_state,
                "is_representative": p.is_representative,
            }
            for p in parties
        ],
        "events": [
            {
                "id": e.pk,
                "event_type": e.event_type,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": str(e.actor) if e.actor else None,
                "actor_unit": e.actor_unit.name if e.actor_unit else None,
                "reason": e.reason,
                "data": e.data,
                "created_at": e.created_at,
            }
            for e in events
        ],
        "clocks": [
            {
                "id": c.pk,
                "kind": c.kind,
                "kind_label": c.label,
                "unit": unit_ref(c.unit),
                "state": c.state,
                "state_label": ClockState(c.state).label,
                "started_on": c.started_on,
                "due_on": c.due_on,
                "warn_on": c.warn_on,
                "extended_days": c.extended_days,
                "paused_days": c.paused_days,
                "stopped_on": c.stopped_on,
                "rule_article": c.rule_article,
            }
            for c in clocks
        ],
        "opinions": [
            {
                "id": o.pk,
                "stage": o.stage,
                "decision": o.decision,
                "request_summary": o.request_summary,
                "facts_reasons": o.facts_reasons,
                "legal_basis": o.legal_basis,
                "review_route": o.review_route,
                "agreement": o.agreement,
                "issued_unit": unit_ref(o.issued_unit),
                "issued_at": o.issued_at,
                "delivered_on": o.delivered_on,
                "delivery_method": o.delivery_method,
            }
            for o in opinions
        ],
        "allowed_actions": [
            {"action": str(a), "label": ACTION_LABELS[a]}
            for a in allowed_actions(case, user, just_registered=just_registered)
        ],
    }
