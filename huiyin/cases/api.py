"""JSON API of cases: intake, scoped lists and queues with keyset pagination, detail (SPEC §3.10)."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from huiyin.cases.audit import audit_identity_search
from huiyin.cases.choices import Channel, PetitionerKind, PetitionType
from huiyin.cases.choices import Status as CaseStatus
from huiyin.cases.models import HEADCOUNT_MAX, Case, Category
from huiyin.cases.selectors import (
    LIST_FIELDS,
    access_case,
    case_list,
    case_parties_with_audit,
    queues,
    search_cases,
)
from huiyin.cases.services import CaseIn, PetitionerIn, case_register
from huiyin.core import access, net
from huiyin.core.access import CASE, STAFF
from huiyin.core.errors import NotFound, PermissionDenied, ValidationFailed
from huiyin.core.parsing import DB_INT_MAX, day_after_start, day_start
from huiyin.org import roles
from huiyin.org.api import UnitRef, api_user
from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.portal.services import tracking_secret_issue
from huiyin.workflow.choices import ClockState
from huiyin.workflow.services import allowed_actions
from huiyin.workflow.transitions import ACTION_LABELS

router = Router(tags=["cases"])

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
MSG_BAD_CURSOR = "分页游标无效，请从第一页重新开始"
MSG_BAD_IDEMPOTENCY_KEY = "Idempotency-Key 须为 1–64 位字母、数字或 . _ : -"
MSG_NOT_AN_OFFICE = "您的账号不属于信访部门，不能登记信访事项"

# A database id: bounded so that a huge number is a 422, not an overflow inside the database driver.
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


# --- schemas -------------------------------------------------------------------------------------


class ErrorOut(Schema):
    message: str
    extra: dict[str, Any]


ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}


class PetitionerCreate(Schema):
    name: str = Field(max_length=100)
    kind: PetitionerKind = PetitionerKind.PERSON
    id_number: str = Field("", max_length=18, description="居民身份证号或统一社会信用代码")
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    is_representative: bool = False


class CaseCreate(Schema):
    """条例 §19¶1: name, address, request, facts and reasons."""

    channel: Channel = Channel.API
    petition_type: PetitionType
    title: str = Field(max_length=200)
    content: str = Field(description="事实和理由")
    request: str = Field("", description="信访请求")
    category_id: DbId | None = None
    territory_id: DbId | None = None
    address: str = Field("", max_length=200)
    accused_person: str = Field("", max_length=100)
    accused_unit_id: DbId | None = None
    is_collective: bool = False
    headcount: int = Field(1, ge=1, le=HEADCOUNT_MAX)
    identity_unclear: bool = False
    major_urgent: bool = False
    petitioners: list[PetitionerCreate] = Field(default_factory=list)


class CaseItem(Schema):
    id: int
    code: str
    status: str
    status_label: str
    channel: str
    petition_type: str
    title: str
    category: str | None
    office: UnitRef
    handling_unit: UnitRef | None
    major_urgent: bool
    is_collective: bool
    registered_at: datetime


class CasePage(Schema):
    items: list[CaseItem]
    next_cursor: str | None = Field(description="下一页游标；为空表示没有更多")


class QueuePage(CasePage):
    name: str
    label: str


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


class CaseCreated(CaseDetail):
    tracking_secret: str | None = Field(
        None,
        description="查询码：只在首次登记（201）时返回一次，须印在或告知信访人的受理凭证上；凭编号和查询码"
        "即可在门户查询（不需要手机）。重试（200）时为 null；遗失的可在工作台重新生成",
    )


class CaseFilters(Schema):
    status: CaseStatus | None = None
    channel: Channel | None = None
    petition_type: PetitionType | None = None
    office: DbId | None = Field(None, description="登记信访部门 id")
    handling_unit: DbId | None = Field(None, description="责任单位 id")
    category: DbId | None = Field(None, description="问题分类 id（含下级分类）")
    registered_from: date | None = Field(None, description="登记日期起（含）")
    registered_to: date | None = Field(None, description="登记日期止（含）")
    q: str | None = Field(None, max_length=100, description="编号、标题、内容，或信访人姓名、电话、证件号")
    cursor: str | None = None
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class PageParams(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


# --- keyset pagination ---------------------------------------------------------------------------


def encode_cursor(case: Case) -> str:
    raw = f"{case.registered_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.rsplit("|", 1)
        moment = datetime.fromisoformat(stamp)
        if timezone.is_naive(moment):
            raise ValueError("naive cursor")
        moment.astimezone(UTC)  # OverflowError at the calendar's edges
        number = int(pk)
        if not 0 < number <= DB_INT_MAX:
            raise ValueError("id out of range")
        return moment, number
    except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise ValidationFailed(MSG_BAD_CURSOR, extra={"fields": {"cursor": MSG_BAD_CURSOR}}) from None


def keyset_page(qs: QuerySet[Case], cursor: str | None, limit: int) -> dict[str, Any]:
    """One page, newest first on (registered_at, id); stable while cases are added or change status."""
    if cursor:
        moment, pk = decode_cursor(cursor)
        qs = qs.filter(Q(registered_at__lt=moment) | Q(registered_at=moment, pk__lt=pk))
    rows = list(qs.order_by("-registered_at", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [case_item(c) for c in rows],
        "next_cursor": encode_cursor(rows[-1]) if more else None,
    }


# --- presenting a case ---------------------------------------------------------------------------


def unit_ref(unit: Unit | None) -> dict[str, Any] | None:
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def case_item(case: Case) -> dict[str, Any]:
    """The list fields; reads only relations that `case_list` selects (no query per row)."""
    return {
        "id": case.pk,
        "code": case.code,
        "status": case.status,
        "status_label": case.get_status_display(),
        "channel": case.channel,
        "petition_type": case.petition_type,
        "title": case.title,
        "category": case.category.full_name if case.category else None,
        "office": unit_ref(case.office),
        "handling_unit": unit_ref(case.handling_unit),
        "major_urgent": case.major_urgent,
        "is_collective": case.is_collective,
        "registered_at": case.registered_at,
    }


def case_detail(request: HttpRequest, user: User, case: Case) -> dict[str, Any]:
    """Everything about one case the user may see; showing the petitioners is audited (SPEC §1.3)."""
    parties = case_parties_with_audit(user, case, ip=net.audit_ip(request))
    events = case.events.select_related("actor", "actor_unit").order_by("created_at", "id")
    clocks = case.clocks.select_related("unit").order_by("started_on", "id")
    opinions = case.opinions.select_related("issued_unit").order_by("issued_at", "id")
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
            {"action": str(a), "label": ACTION_LABELS[a]} for a in allowed_actions(case, user)
        ],
    }


# --- endpoints -----------------------------------------------------------------------------------


@router.post(
    "/cases",
    response={200: CaseCreated, 201: CaseCreated, **ERRORS},
    summary="登记信访事项",
    description="登记单位为当前账号所属的信访部门。带 `Idempotency-Key` 请求头重试时，返回第一次登记的事项"
    "（200）而不重复登记；首次登记返回 201。",
)
def case_create(
    request: HttpRequest,
    payload: CaseCreate,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    user = api_user(request)
    key = None
    if idempotency_key is not None:
        if not IDEMPOTENCY_KEY_RE.match(idempotency_key):
            raise ValidationFailed(
                MSG_BAD_IDEMPOTENCY_KEY, extra={"fields": {"Idempotency-Key": MSG_BAD_IDEMPOTENCY_KEY}}
            )
        # Keys are per account: another integration's key never answers with someone else's case.
        key = f"api:{user.pk}:{idempotency_key}"
    if user.unit is None:
        raise ValidationFailed(MSG_NOT_AN_OFFICE, extra={"fields": {"office": MSG_NOT_AN_OFFICE}})
    if user.unit.kind != UnitKind.PETITION_OFFICE:
        # RG-3 (条例 §23¶1): a department registers what it received directly on the workbench
        # (/direct/new/), not through the intake API, which stays the petition offices'.
        if user.role not in roles.REGISTER:
            raise PermissionDenied("您的岗位不能登记信访事项")
        raise ValidationFailed(MSG_NOT_AN_OFFICE, extra={"fields": {"office": MSG_NOT_AN_OFFICE}})
    data = CaseIn(
        **payload.model_dump(exclude={"petitioners"}),
        petitioners=[PetitionerIn(**p.model_dump()) for p in payload.petitioners],
    )
    case, created = case_register(data=data, office=user.unit, actor=user, idempotency_key=key)
    # issue 10 item 7: every channel's receipt carries the 查询码, returned once, on the first 201
    receipt = {"tracking_secret": tracking_secret_issue(case=case) if created else None}
    try:
        case = access_case(user, case.pk)
    except NotFound:
        # An accusation against the registering office (or a unit above it) went up to the office
        # above (ADR 0005): the registrar gets the receipt, never what happens to it afterwards.
        return Status(201 if created else 200, registrar_receipt(request, user, case) | receipt)
    return Status(201 if created else 200, case_detail(request, user, case) | receipt)


def registrar_receipt(request: HttpRequest, user: User, case: Case) -> dict[str, Any]:
    """What a registrar on the accused side gets back: the case as registered, no later step, no
    petitioner identity, no routing (条例 §30¶3)."""
    case = Case.objects.select_related(*LIST_FIELDS, "accused_unit").get(pk=case.pk)
    detail = case_detail(request, user, case)
    return detail | {
        "status": CaseStatus.REGISTERED.value,
        "status_label": CaseStatus.REGISTERED.label,
        "handling_unit": None,
        "assignment_kind": "",
        "assignment_deadline": None,
        "assignment_instructions": "",
        "completion_report": "",
        "objection_pending": False,
        "extension_days": 0,
        "review_unit": None,
        "rereview_unit": None,
        "merged_into": None,
        "rating": "",
        "problem_solved": None,
        "is_final": False,
        "petitioners": [],
        "events": [],
        "clocks": [],
        "opinions": [],
        "allowed_actions": [],
    }


def _filtered(user: User, f: CaseFilters) -> QuerySet[Case]:
    qs = search_cases(user, f.q) if f.q and f.q.strip() else case_list(user)
    for name in ("status", "channel", "petition_type"):
        value = getattr(f, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    if f.office is not None:
        qs = qs.filter(office_id=f.office)
    if f.handling_unit is not None:
        qs = qs.filter(handling_unit_id=f.handling_unit)
    if f.category is not None:
        category = Category.objects.filter(pk=f.category).first()
        if category is None:
            return qs.none()
        qs = qs.filter(
            Q(category_id=category.pk) | Q(category__full_name__startswith=f"{category.full_name} / ")
        )
    # Dates are local (Asia/Shanghai) days; the range is half-open on the day after `registered_to`.
    # A day at the calendar's edge (0001-01-01, 9999-12-31) has no representable bound: no filter.
    if f.registered_from is not None and (start := day_start(f.registered_from)) is not None:
        qs = qs.filter(registered_at__gte=start)
    if f.registered_to is not None and (end := day_after_start(f.registered_to)) is not None:
        qs = qs.filter(registered_at__lt=end)
    return qs


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="事项列表（按权限范围）")
def case_index(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    user = api_user(request)
    page = keyset_page(_filtered(user, filters), filters.cursor, filters.limit)
    if filters.q and filters.q.strip():
        audit_identity_search(request, filters.q, where="api_cases")  # SPEC §1.3: who searched for whom
    return page


@router.get(
    "/queues/{name}",
    response={200: QueuePage, **ERRORS},
    summary="工作队列",
    description="name: " + "、".join(f"`{k}`（{label}）" for k, (label, _) in queues().items()),
)
def queue(request: HttpRequest, name: str, page: Query[PageParams]) -> dict[str, Any]:
    user = api_user(request)
    if name not in queues():
        raise NotFound(f"没有这个工作队列：{name}")
    label, selector = queues()[name]
    return {"name": name, "label": label, **keyset_page(selector(user), page.cursor, page.limit)}


@router.get(
    "/cases/{ref}",
    response={200: CaseDetail, **ERRORS},
    summary="事项详情",
    description="ref 为事项 id 或受理凭证编号。查看信访人身份会写入审计记录。",
)
def case_show(request: HttpRequest, ref: str) -> dict[str, Any]:
    user = api_user(request)
    return case_detail(request, user, access_case(user, ref, ip=net.audit_ip(request)))


# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "case_create": STAFF,
        "case_index": STAFF,
        "queue": STAFF,
        "case_show": CASE,
    },
)
