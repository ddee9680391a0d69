"""JSON API of cases: intake, scoped lists and queues with keyset pagination, detail (SPEC §3.10)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema, Status

from huiyin.cases.audit import audit_identity_search
from huiyin.cases.choices import Channel, PetitionerKind, PetitionType
from huiyin.cases.choices import Status as CaseStatus
from huiyin.cases.models import HEADCOUNT_MAX, Case, Category
from huiyin.cases.schemas import (
    DEFAULT_PAGE_SIZE,
    ERRORS,
    MAX_PAGE_SIZE,
    CasePage,
    DbId,
    PageParams,
    QueuePage,
    keyset_page,
)
from huiyin.cases.selectors import (
    LIST_FIELDS,
    access_case,
    case_list,
    queues,
    search_cases,
    visible_as_registrar,
)
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core import access, net
from huiyin.core.access import CASE, STAFF
from huiyin.core.errors import NotFound, PermissionDenied, ValidationFailed
from huiyin.core.parsing import day_after_start, day_start
from huiyin.intake.services import case_register
from huiyin.org import roles
from huiyin.org.api import api_user
from huiyin.org.choices import UnitKind
from huiyin.org.models import User
from huiyin.portal.services import new_secret, tracking_secret_first
from huiyin.workflow.schemas import CaseDetail, case_detail

router = Router(tags=["cases"])


IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")


MSG_BAD_IDEMPOTENCY_KEY = "Idempotency-Key 须为 1–64 位字母、数字或 . _ : -"


MSG_NOT_AN_OFFICE = "您的账号不属于信访部门，不能登记信访事项"


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
    # issue 10 item 7: every channel's receipt carries the 查询码, returned once, on the first 201; it
    # is stored in the registration's transaction (one transaction per intake, issue 15)
    secret = new_secret()
    case, created = case_register(
        data=data,
        office=user.unit,
        actor=user,
        idempotency_key=key,
        within=lambda new: tracking_secret_first(case=new, secret=secret),
        deliver_later=True,  # the receipt SMS and the duplicate signature: the worker's (ADR 0006)
    )
    if not created:  # a retry: the first case as it stands now, read and audited like GET
        receipt: dict[str, Any] = {"tracking_secret": None}
        try:
            case = access_case(user, case.pk)
        except NotFound:
            return Status(200, registrar_receipt(request, user, case) | receipt)
        return Status(200, case_detail(request, user, case) | receipt)
    receipt = {"tracking_secret": secret}
    if not visible_as_registrar(user, case):
        # An accusation against the registering office (or a unit above it) went up to the office
        # above (ADR 0005): the registrar gets the receipt, never what happens to it afterwards.
        return Status(201, registrar_receipt(request, user, case) | receipt)
    # built from what the registration holds in memory: no second read (issue 15)
    return Status(201, case_detail(request, user, case, echoed=_echoed(case, data)) | receipt)


def _echoed(case: Case, data: CaseIn) -> frozenset[int]:
    """The petitioners the 201 shows exactly as this request submitted them (nothing from a stored
    record): showing them back is no identity view (docs/audit.md). Parties are in submission order."""
    shown = list(case.parties.all())
    if len(shown) != len(data.petitioners):
        return frozenset()
    same = set()
    for party, sent in zip(shown, data.petitioners, strict=True):
        p = party.petitioner
        if (p.name, p.kind, p.id_number, party.phone, party.address) == (
            sent.name.strip(),
            sent.kind,
            (sent.id_number or "").strip().upper(),
            sent.phone.strip(),
            sent.address.strip(),
        ):
            same.add(p.pk)
    return frozenset(same)


def registrar_receipt(request: HttpRequest, user: User, case: Case) -> dict[str, Any]:
    """What a registrar on the accused side gets back: the case as registered, no later step, no
    petitioner identity, no routing (条例 §30¶3)."""
    if not hasattr(case, "_prefetched_objects_cache"):  # a retry: read it; a new case is in memory
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
