"""JSON API of the workflow: one operation per action, each with its own parameter schema, and /meta.

Every action goes through its service (`ACTION_SERVICES`, or `ENTRY_SERVICES` where a person's request
starts something first: 调解和解 opens a linked mediation); the API only resolves ids to objects the
user may use and renders the case afterwards. The transition table and guards decide, as in HTML.
"""

# No `from __future__ import annotations` here: the endpoints are built in a loop and django-ninja
# must see each action's schema class itself, not a string naming a loop variable.

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import StringConstraints

from huiyin.cases.choices import (
    Adoption,
    AssignmentKind,
    Channel,
    Decision,
    DeliveryMethod,
    DivertTarget,
    NotAcceptedReason,
    Outcome,
    PetitionerKind,
    PetitionType,
    Rating,
    RootCause,
    Status,
)
from huiyin.cases.models import Case
from huiyin.cases.schemas import ERRORS, DbId
from huiyin.cases.selectors import LIST_FIELDS, access_case, queues
from huiyin.core import access
from huiyin.core.access import CASE, STAFF
from huiyin.core.errors import NotFound, ValidationFailed
from huiyin.org.api import api_user
from huiyin.org.choices import Role, UnitKind
from huiyin.org.models import Unit, User
from huiyin.workflow.choices import ClockKind, ClockState
from huiyin.workflow.schemas import CaseDetail, case_detail
from huiyin.workflow.services import CoUnit, leaders_for, perform_entry
from huiyin.workflow.transitions import ACTION_LABELS, PERMISSIONS, TABLE, Action

router = Router(tags=["workflow"])

MSG_UNIT_UNUSABLE = "单位（id={id}）不存在、已停用或不在本辖区，不能{action}"
MSG_OFFICE_UNUSABLE = "信访部门（id={id}）不存在或已停用"
MSG_CASE_UNUSABLE = "目标事项（{ref}）不存在或您无权查看"
MSG_LEADER_UNUSABLE = "领导账号（id={id}）不存在，或不是本辖区及上级的领导"

# --- one parameter schema per action (the OpenAPI document shows each) ---------------------------


class AcceptIn(Schema):
    reason: str = Field("", description="受理说明")


class NotAcceptIn(Schema):
    reason_code: NotAcceptedReason
    reason: str = Field(description="不予受理的理由（书面告知信访人）")
    notice_method: DeliveryMethod = DeliveryMethod.IN_PERSON


class DivertIn(Schema):
    target: DivertTarget
    guidance: str = Field(description="向信访人告知的法定途径和指引")
    to_unit: DbId | None = Field(
        None,
        description="移交的纪检监察机关或政法部门 id（导入纪检监察、政法途径时可填；条例第二十二条第二款）",
    )


class MergeIn(Schema):
    into: str = Field(
        coerce_numbers_to_str=True,
        max_length=24,
        description="并入的事项 id 或受理凭证编号（须在办理中且您可查看）",
    )
    reason: str = ""


class TransferIn(Schema):
    to_office: DbId = Field(description="接收的信访部门 id")
    reason: str


class CoUnitIn(Schema):
    unit: DbId = Field(description="协办单位 id（本辖区内、在用）")
    deadline: date | None = Field(None, description="协办期限；为空则与主办单位相同")


class AssignIn(Schema):
    unit: DbId = Field(description="责任单位（主办）id（本辖区内、在用）")
    deadline: date = Field(description="交办期限（须晚于今天）")
    instructions: str = ""
    co_units: list[CoUnitIn] = Field([], description="协办单位（一揽子解决），各有期限和办理报告")


class ForwardIn(Schema):
    unit: DbId = Field(description="责任单位（主办）id（本辖区内、在用）")
    instructions: str = ""
    co_units: list[CoUnitIn] = Field([], description="协办单位（一揽子解决），各有期限和办理报告")


class ObjectIn(Schema):
    reason: str = Field(description="异议理由（须详细说明）")


class ReturnIn(Schema):
    reason: str = ""


class DismissObjectionIn(Schema):
    reason: str


class ExtendIn(Schema):
    days: int = Field(description="延期天数（合计不超过上限）")
    reason: str = Field(description="延期理由（将告知信访人）")


class MediateIn(Schema):
    """调解和解 starts a mediation case linked to the petition (issue 13); the case stays 办理中 and is
    answered with the agreement once the mediation reaches one (from the mediation's page)."""

    organ: DbId = Field(description="调解组织 id：村（居）、乡镇人民调解委员会所在单位，或行政调解的行政机关")
    kind: Literal["people", "administrative"] = Field(
        description="人民调解（people）或行政调解（administrative）"
    )
    respondents: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        [], max_length=20, description="对方当事人姓名（信访人为申请方）"
    )
    dispute_kind: str = Field("other", max_length=20, description="纠纷类型（见调解模块），默认 other")


class ReplyIn(Schema):
    facts_reasons: str
    decision: Decision | None = Field(
        None, description="处理意见（条例第三十二条）；建议意见类可为空，按采纳情况"
    )
    adoption: Adoption | None = Field(None, description="建议意见类事项必填：采纳情况（条例第二十九条）")
    legal_basis: str = Field("", description="法律法规依据；建议意见类为空时为条例第二十九条")
    request_summary: str = ""
    review_route: str | None = Field(None, description="复查途径；为空则按规则自动生成")
    completion_report: str = Field("", description="交办事项须提交办结报告")


class DeliverIn(Schema):
    method: DeliveryMethod
    delivered_on: date | None = Field(None, description="送达日期，默认今天")


class RateIn(Schema):
    rating: Rating
    solved: bool | None = None
    comment: str = ""


class ReopenIn(Schema):
    reason: str


class CloseIn(Schema):
    reason: str = ""
    root_cause: RootCause = Field(description="信访问题成因（条例第四十二条；用于年度报告）")
    outcome: Outcome | None = Field(None, description="化解情况（条例第二十七条）；为空则按处理意见确定")


class RequestReviewIn(Schema):
    reason: str


class ReviewReplyIn(Schema):
    facts_reasons: str
    decision: Decision
    legal_basis: str
    review_route: str | None = None


class RequestRereviewIn(Schema):
    reason: str


class HearingIn(Schema):
    reason: str = ""


class AcceptReviewIn(Schema):
    reason: str = Field("", description="说明（可选）")


class RereviewReplyIn(Schema):
    facts_reasons: str
    decision: Decision
    legal_basis: str


class CoReportIn(Schema):
    report: str = Field(description="协办情况报告")


class ReferDisputeIn(Schema):
    units: list[DbId] = Field(description="与承办单位存在管辖争议的单位 id（承办单位自动计入）")
    reason: str = Field(description="争议情况")


class DecideDisputeIn(Schema):
    unit: DbId = Field(description="决定的承办单位 id")
    reason: str = Field(description="决定理由")


class AttachLeaderIn(Schema):
    leader: DbId | None = Field(None, description="包案领导的账号 id；领导本人操作时可为空")
    reason: str = ""


class RecuseIn(Schema):
    reason: str = Field(description="回避理由")


class AcknowledgeConflictIn(Schema):
    reason: str = Field(description="不回避的理由")


class SetAccusedIn(Schema):
    accused_unit: DbId | None = Field(None, description="被反映单位 id；为空时须 no_unit=true")
    no_unit: bool = Field(False, description="被反映人不属于本系统任何单位（如企业、个人）")
    accused_person: str = Field("", max_length=100, description="被反映人；为空则保留原填写")
    accused_user: DbId | None = Field(None, description="被反映人的工作人员账号 id（如能确认）")
    reason: str = Field(description="核定依据")


class ClearConflictBarIn(Schema):
    staff: DbId = Field(description="核实为非被反映人的同名工作人员账号 id（其他单位的）")
    reason: str = Field(description="核实情况")


# issue 10 items 1 and 5 (t10-organ)
class AcceptAssignmentIn(Schema):
    notice_method: DeliveryMethod = Field(
        DeliveryMethod.ELECTRONIC, description="书面告知信访人的方式（条例第二十三条第三款）"
    )
    procedure: str = Field("", description="告知的处理途径和程序；为空则按规则生成")


class RequestExtensionIn(Schema):
    days: int = Field(description="申请延长的天数（合计不超过延期上限）")
    reason: str = Field(description="延期理由（批准后告知信访人）")


class ApproveExtensionIn(Schema):
    comment: str = Field("", description="审批意见（可选）")


class RefuseExtensionIn(Schema):
    reason: str = Field(description="不予批准的理由")


class SubmitOpinionIn(ReplyIn):
    """The handler's draft 信访处理意见书 for the unit head's sign-off (rule opinion_signoff)."""


ACTION_SCHEMAS: dict[Action, type[Schema]] = {
    Action.ACCEPT: AcceptIn,
    Action.NOT_ACCEPT: NotAcceptIn,
    Action.DIVERT: DivertIn,
    Action.MERGE: MergeIn,
    Action.TRANSFER: TransferIn,
    Action.ASSIGN: AssignIn,
    Action.FORWARD: ForwardIn,
    Action.OBJECT: ObjectIn,
    Action.RETURN: ReturnIn,
    Action.DISMISS_OBJECTION: DismissObjectionIn,
    Action.EXTEND: ExtendIn,
    Action.MEDIATE: MediateIn,
    Action.REPLY: ReplyIn,
    Action.DELIVER: DeliverIn,
    Action.RATE: RateIn,
    Action.REOPEN: ReopenIn,
    Action.CLOSE: CloseIn,
    Action.REQUEST_REVIEW: RequestReviewIn,
    Action.REVIEW_REPLY: ReviewReplyIn,
    Action.REQUEST_REREVIEW: RequestRereviewIn,
    Action.HEARING_START: HearingIn,
    Action.HEARING_END: HearingIn,
    Action.REREVIEW_REPLY: RereviewReplyIn,
    Action.CO_REPORT: CoReportIn,
    Action.REFER_DISPUTE: ReferDisputeIn,
    Action.DECIDE_DISPUTE: DecideDisputeIn,
    Action.ATTACH_LEADER: AttachLeaderIn,
    Action.RECUSE: RecuseIn,
    Action.ACKNOWLEDGE_CONFLICT: AcknowledgeConflictIn,
    Action.ACCEPT_REVIEW: AcceptReviewIn,
    Action.SET_ACCUSED: SetAccusedIn,
    Action.CLEAR_CONFLICT_BAR: ClearConflictBarIn,
    # issue 10 items 1 and 5 (t10-organ)
    Action.ACCEPT_ASSIGNMENT: AcceptAssignmentIn,
    Action.REQUEST_EXTENSION: RequestExtensionIn,
    Action.APPROVE_EXTENSION: ApproveExtensionIn,
    Action.REFUSE_EXTENSION: RefuseExtensionIn,
    Action.SUBMIT_OPINION: SubmitOpinionIn,
    # issue 10 (t10-types)
    Action.DIVERT_IN_HANDLING: DivertIn,
}


# t10-rules, RG-3 (条例 §23¶1): the triage of a petition a unit other than the petition office received.
class DirectHandleIn(Schema):
    guidance: str = Field(description="告知信访人的接收情况及处理途径和程序")
    notice_method: DeliveryMethod = DeliveryMethod.IN_PERSON


class DirectRouteIn(Schema):
    unit: DbId = Field(description="本系统下级单位 id")
    kind: AssignmentKind = Field(AssignmentKind.FORWARD, description="转送（forward）或交办（assign）")
    deadline: date | None = Field(None, description="交办期限（交办时必填，须晚于今天）")
    instructions: str = ""
    notice_method: DeliveryMethod = DeliveryMethod.IN_PERSON


class DirectRedirectIn(Schema):
    organ: str = Field(max_length=100, description="有权处理的机关")
    guidance: str = Field(description="告知信访人向该机关提出的途径")
    notice_method: DeliveryMethod = DeliveryMethod.IN_PERSON


ACTION_SCHEMAS[Action.DIRECT_HANDLE] = DirectHandleIn
ACTION_SCHEMAS[Action.DIRECT_ROUTE] = DirectRouteIn
ACTION_SCHEMAS[Action.DIRECT_REDIRECT] = DirectRedirectIn
assert set(ACTION_SCHEMAS) == set(Action), "every action has a parameter schema"


# --- resolving ids to objects the user may use ---------------------------------------------------


def _bad_reference(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"fields": {field: message}})


def _handling_unit(user: User, case: Case, value: int, action: Action) -> Unit:
    # 属地管理、分级负责: an office routes to active units of its own jurisdiction (the territory subtree).
    unit = None
    if user.unit is not None:
        unit = Unit.objects.filter(
            pk=value, is_active=True, territory__path__startswith=user.unit.territory.path
        ).first()
    if unit is None:
        raise _bad_reference("unit", MSG_UNIT_UNUSABLE.format(id=value, action=ACTION_LABELS[action]))
    return unit


def _petition_office(user: User, case: Case, value: int, action: Action) -> Unit:
    unit = Unit.objects.filter(pk=value, is_active=True, kind=UnitKind.PETITION_OFFICE).first()
    if unit is None:
        raise _bad_reference("to_office", MSG_OFFICE_UNUSABLE.format(id=value))
    return unit


def _target_case(user: User, case: Case, value: str, action: Action) -> Case:
    try:
        return access_case(user, value)
    except NotFound:
        raise _bad_reference("into", MSG_CASE_UNUSABLE.format(ref=value)) from None


def _co_units(user: User, case: Case, value: list[dict[str, Any]], action: Action) -> list[CoUnit]:
    units = []
    for item in value:
        try:
            unit = _handling_unit(user, case, item["unit"], action)
        except ValidationFailed as exc:
            raise _bad_reference("co_units", exc.message) from None
        units.append(CoUnit(unit, item.get("deadline")))
    return units


def _dispute_units(user: User, case: Case, value: list[int], action: Action) -> list[Unit]:
    units = []
    for pk in value:
        try:
            units.append(_handling_unit(user, case, pk, action))
        except ValidationFailed as exc:
            raise _bad_reference("units", exc.message) from None
    return units


def _leader(user: User, case: Case, value: int | None, action: Action) -> User | None:
    if value is None:
        return None
    leader: User | None = leaders_for(case).filter(pk=value).first()
    if leader is None:
        raise _bad_reference("leader", MSG_LEADER_UNUSABLE.format(id=value))
    return leader


MSG_ACCUSED_UNIT_UNUSABLE = "单位（id={id}）不存在或已停用"
MSG_STAFF_UNUSABLE = "工作人员账号（id={id}）不存在或已停用"


def _accused_unit(user: User, case: Case, value: int | None, action: Action) -> Unit | None:
    if value is None:
        return None
    unit = Unit.objects.filter(pk=value, is_active=True).first()
    if unit is None:
        raise _bad_reference("accused_unit", MSG_ACCUSED_UNIT_UNUSABLE.format(id=value))
    return unit


def _staff(field: str) -> Callable[[User, Case, Any, Action], User | None]:
    def resolve(user: User, case: Case, value: int | None, action: Action) -> User | None:
        if value is None:
            return None
        found = (
            User.objects.filter(pk=value, is_active=True, unit__isnull=False).select_related("unit").first()
        )
        if found is None:
            raise _bad_reference(field, MSG_STAFF_UNUSABLE.format(id=value))
        return found

    return resolve


def _handover_unit(user: User, case: Case, value: int | None, action: Action) -> Unit | None:
    if value is None:
        return None
    unit = Unit.objects.filter(pk=value, is_active=True).first()
    if unit is None:
        raise _bad_reference("to_unit", MSG_ACCUSED_UNIT_UNUSABLE.format(id=value))
    return unit  # its kind is checked by the service (services/outcomes.py)


MSG_ORGAN_UNUSABLE = "调解组织（id={id}）不存在或已停用"


def _organ(user: User, case: Case, value: Any, action: Action) -> Any:
    if action != Action.MEDIATE:
        return value  # 告知向有权处理的机关提出 names its organ in words (DirectRedirectIn.organ)
    unit = Unit.objects.filter(pk=value, is_active=True).exclude(kind=UnitKind.PETITION_OFFICE).first()
    if unit is None:
        raise _bad_reference("organ", MSG_ORGAN_UNUSABLE.format(id=value))
    return unit  # its kind and the accused side are the mediation module's checks (条例 §30¶3)


RESOLVERS: dict[str, Callable[[User, Case, Any, Action], Any]] = {
    "organ": _organ,
    "to_unit": _handover_unit,
    "accused_unit": _accused_unit,
    "accused_user": _staff("accused_user"),
    "staff": _staff("staff"),
    "unit": _handling_unit,
    "to_office": _petition_office,
    "into": _target_case,
    "co_units": _co_units,
    "units": _dispute_units,
    "leader": _leader,
}


def _after_action(request: HttpRequest, user: User, case: Case) -> dict[str, Any]:
    # A transfer can move the case out of the actor's sight; the actor still sees the result of the
    # step they just took (not later ones), so render the case as the service left it.
    try:
        case = access_case(user, case.pk, audit=False)  # not a refused look: the actor just moved it
    except NotFound:
        case = Case.objects.select_related(
            *LIST_FIELDS, "accused_unit", "review_unit", "rereview_unit", "merged_into"
        ).get(pk=case.pk)
    return case_detail(request, user, case)


def _make_endpoint(action: Action, schema: type[Schema]) -> Callable[..., dict[str, Any]]:
    def endpoint(request: HttpRequest, ref: str, payload: schema) -> dict[str, Any]:  # type: ignore[valid-type]
        user = api_user(request)
        case = access_case(user, ref)
        params: dict[str, Any] = cast(Schema, payload).model_dump()
        for field, resolve in RESOLVERS.items():
            if field in params:
                params[field] = resolve(user, case, params[field], action)
        case = perform_entry(action, case=case, actor=user, **params)
        return _after_action(request, user, case)

    endpoint.__name__ = f"case_{action}"
    return endpoint


def _sources(action: Action) -> str:
    return "、".join(Status(s).label for (s, a) in TABLE if a == action)


for _action, _schema in ACTION_SCHEMAS.items():
    _roles = "、".join(Role(r).label for r in sorted(PERMISSIONS[_action].roles))
    router.post(
        f"/cases/{{ref}}/actions/{_action}",
        response={200: CaseDetail, **ERRORS},
        operation_id=f"case_{_action}",
        summary=f"{ACTION_LABELS[_action]}（{_action}）",
        description=(
            f"适用状态：{_sources(_action)}。岗位：{_roles}。ref 为事项 id 或受理凭证编号。"
            "状态不允许时返回 409；岗位或单位不符返回 403；参数不合规返回 400/422。"
        ),
    )(_make_endpoint(_action, _schema))
    access.declare(__name__, {f"case_{_action}": CASE})


@router.post("/cases/{ref}/actions/{name}", response={404: ERRORS[404]}, include_in_schema=False)
def unknown_action(request: HttpRequest, ref: str, name: str) -> None:
    raise NotFound(f"没有这个操作：{name}")


# --- vocabularies for integrations ---------------------------------------------------------------


class ChoiceOut(Schema):
    value: str
    label: str


class ActionOut(Schema):
    value: str
    label: str
    roles: list[str]
    transitions: dict[str, str] = Field(description="当前状态 → 操作后状态")


class MetaOut(Schema):
    statuses: list[ChoiceOut]
    actions: list[ActionOut]
    channels: list[ChoiceOut]
    petition_types: list[ChoiceOut]
    petitioner_kinds: list[ChoiceOut]
    decisions: list[ChoiceOut]
    delivery_methods: list[ChoiceOut]
    divert_targets: list[ChoiceOut]
    ratings: list[ChoiceOut]
    not_accepted_reasons: list[ChoiceOut]
    clock_kinds: list[ChoiceOut]
    clock_states: list[ChoiceOut]
    queues: list[ChoiceOut]
    # issue 10 (t10-types): 条例 §29 adoption, §27 outcome, §42 root cause
    adoptions: list[ChoiceOut]
    outcomes: list[ChoiceOut]
    root_causes: list[ChoiceOut]


def _choices(enum: Any) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in enum.choices]


@router.get("/meta", response=MetaOut, summary="代码表（状态、操作、渠道等）")
def meta(request: HttpRequest) -> dict[str, Any]:
    return {
        "statuses": _choices(Status),
        "actions": [
            {
                "value": str(action),
                "label": ACTION_LABELS[action],
                "roles": sorted(str(r) for r in PERMISSIONS[action].roles),
                "transitions": {str(s): str(t) for (s, a), t in TABLE.items() if a == action},
            }
            for action in Action
        ],
        "channels": _choices(Channel),
        "petition_types": _choices(PetitionType),
        "petitioner_kinds": _choices(PetitionerKind),
        "decisions": _choices(Decision),
        "delivery_methods": _choices(DeliveryMethod),
        "divert_targets": _choices(DivertTarget),
        "ratings": _choices(Rating),
        "not_accepted_reasons": _choices(NotAcceptedReason),
        "clock_kinds": _choices(ClockKind),
        "clock_states": _choices(ClockState),
        "queues": [{"value": name, "label": label} for name, (label, _) in queues().items()],
        "adoptions": _choices(Adoption),
        "outcomes": _choices(Outcome),
        "root_causes": _choices(RootCause),
    }


# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "meta": STAFF,
        "unknown_action": CASE,
    },
)
