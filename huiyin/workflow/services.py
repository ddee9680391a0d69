"""Every state change of a case. One keyword-only service per action; all go through `_transition`,
which locks the case, checks the table and the actor, applies the change and writes the event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from huiyin.cases.choices import (
    OPEN_STATUSES,
    AssignmentKind,
    Decision,
    DeliveryMethod,
    DivertTarget,
    NotAcceptedReason,
    OpinionStage,
    PetitionType,
    Rating,
    Status,
)
from huiyin.cases.confidentiality import office_above, on_accused_side
from huiyin.cases.models import Case, CaseEvent, Opinion
from huiyin.core import timeutil
from huiyin.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.notify.outbox import outbox_write
from huiyin.org.choices import Role, RuleKey, UnitKind, ValueUnit
from huiyin.org.models import Unit, User
from huiyin.org.selectors import Rule, rules_for, rules_for_profile
from huiyin.workflow import clocks
from huiyin.workflow.choices import ClockKind, ClockState, CoTaskState, DisputeState
from huiyin.workflow.conflicts import (
    EVENT_CLEARED,
    MSG_CONFLICT,
    MSG_RECUSED,
    accused_names,
    clearable_bars,
    conflict_bar,
    conflict_resolved,
    interest_links,
)
from huiyin.workflow.models import Clock, CoHandling, CompetenceDispute
from huiyin.workflow.routing import MSG_ACCUSED, dispute_decider, guard_accused_known, guard_routing
from huiyin.workflow.transitions import (
    ACTION_LABELS,
    CITIZEN_ACTIONS,
    CONFLICT_ACTIONS,
    CONFLICT_ROLES,
    PERMISSIONS,
    TABLE,
    Action,
    Side,
    next_status,
)

MSG_REASON_REQUIRED = "请填写理由"
MSG_NO_SUPERIOR = "{unit}未设置上一级机关，无法确定复查（复核）机关"
MSG_CO_PENDING = "协办单位尚未全部报送办理情况（{units}），须由主办单位汇总后统一答复（一揽子解决）"
MSG_DISPUTE_OPEN = "管辖争议正待{unit}决定，暂不能{action}"
MSG_NO_DISPUTE = "没有待决定的管辖争议"
MSG_NO_ACCEPTANCE = "没有待决定受理的复查（复核）请求：本辖区规则未设受理决定环节，或已决定受理"
MSG_ACCEPT_FIRST = "请先作出是否受理复查（复核）请求的决定（{article}）"
MSG_NOT_ACCEPTANCE_ORGAN = "应由{unit}决定是否受理该请求"
MSG_NOT_ACCUSATION = "只有检举控告事项需要核定被反映单位"
CO_HANDLING_ARTICLE = "《信访工作条例》第二十二条第一款第三项（一揽子解决，协办期限）"


class ConflictOfInterest(TransitionNotAllowed):
    """The actor is linked to a petitioner or the accused and has neither recused nor recorded why not."""


@dataclass(frozen=True)
class CitizenActor:
    """The petitioner acting for themselves, already verified by the caller (e.g. the portal checked the
    tracking code and its second factor). May take only `CITIZEN_ACTIONS`."""

    via: str = "portal"
    petitioner_id: int | None = None


Actor = User | CitizenActor


@dataclass
class Context:
    """What an action's body needs besides the case: who, when, and the jurisdiction's rules."""

    actor: Actor
    now: datetime
    today: date
    rules: dict[RuleKey, Rule]


def rules_for_case(case: Case) -> dict[RuleKey, Rule]:
    """The rules the case was registered under (a profile switch applies to new cases only)."""
    if case.rule_profile_id:
        return rules_for_profile(case.rule_profile)
    return rules_for(case.territory or case.office.territory)


def lock_case(pk: int) -> Case:
    """Re-read the case under a row lock (a no-op on SQLite, where IMMEDIATE transactions serialise writes)."""
    return Case.objects.select_for_update().get(pk=pk)


# --- who may act -------------------------------------------------------------------------------


def _pending_opinion(case: Case) -> Opinion | None:
    return case.opinions.filter(delivered_on__isnull=True).order_by("-issued_at", "-id").first()


def actor_sides(actor: User, case: Case) -> set[Side]:
    if not actor.unit_id or on_accused_side(actor.unit_id, case.accused_unit_id):
        return set()  # 条例 §30¶3: the accused side takes no part in the case (ADR 0005)
    if case.accused_user_id is not None and case.accused_user_id == actor.pk:
        return set()  # nor the accused person's own account
    sides = set()
    if actor.unit_id == case.office_id:
        sides.add(Side.OFFICE)
    if actor.unit_id == case.handling_unit_id:
        sides.add(Side.HANDLING)
    if actor.unit_id == case.review_unit_id:
        sides.add(Side.REVIEW)
    if actor.unit_id == case.rereview_unit_id:
        sides.add(Side.REREVIEW)
    pending = _pending_opinion(case)
    if pending is not None and pending.issued_unit_id == actor.unit_id:
        sides.add(Side.ISSUER)
    if CoHandling.objects.filter(case=case, unit_id=actor.unit_id, state=CoTaskState.OPEN).exists():
        sides.add(Side.CO_HANDLING)
    if CompetenceDispute.objects.filter(
        case=case, decider_id=actor.unit_id, state=DisputeState.OPEN
    ).exists():
        sides.add(Side.DECIDER)
    overseer = actor.role in (Role.LEADER, Role.SUPERVISOR) and actor.unit is not None
    if overseer and case.office.territory.path.startswith(actor.unit.territory.path):  # type: ignore[union-attr]
        sides.add(Side.OVERSIGHT)
    return sides


def ensure_actor_may(actor: Actor, action: Action, case: Case, sides: set[Side] | None = None) -> None:
    if isinstance(actor, CitizenActor):
        if action not in CITIZEN_ACTIONS:
            raise PermissionDenied(f"信访人不能自行“{ACTION_LABELS[action]}”", extra={"action": str(action)})
        return
    permission = PERMISSIONS[action]
    if sides is None:
        sides = actor_sides(actor, case)
    if actor.role not in permission.roles or not (sides & set(permission.sides)):
        raise PermissionDenied(
            f"您的岗位或单位不能对此事项执行“{ACTION_LABELS[action]}”",
            extra={"action": str(action), "role": actor.role},
        )


@dataclass(frozen=True)
class Interest:
    """What the conflict-of-interest check found for one person on one case (条例 §28¶3)."""

    links: list[str]
    recused: bool
    reason_recorded: bool

    @property
    def unresolved(self) -> bool:
        return bool(self.links) and not self.recused and not self.reason_recorded


def interest_of(actor: Actor, case: Case) -> Interest:
    if isinstance(actor, CitizenActor) or actor.role not in CONFLICT_ROLES:
        return Interest([], False, False)
    recused, recorded = conflict_resolved(case, actor)
    return Interest(interest_links(case, actor), recused, recorded)


def ensure_no_conflict(actor: Actor, action: Action, case: Case, interest: Interest | None = None) -> None:
    """A handler who recused takes no further part; one linked to the case first recuses or says why not.
    Whoever is barred as the accused person (or by the accused's name) takes no part at all."""
    if not isinstance(actor, CitizenActor):
        bar = conflict_bar(case, actor)
        if bar is not None:
            raise PermissionDenied(bar.message, extra={"action": str(action), "bar": bar.kind})
    interest = interest or interest_of(actor, case)
    if interest.recused:
        raise PermissionDenied(MSG_RECUSED, extra={"action": str(action)})
    if interest.unresolved and action not in CONFLICT_ACTIONS:
        raise ConflictOfInterest(
            MSG_CONFLICT.format(links="；".join(interest.links)),
            extra={"action": str(action), "links": interest.links},
        )


# --- guards that depend on the case's data -----------------------------------------------------


def _latest_opinion(case: Case, stages: tuple[OpinionStage, ...] | None = None) -> Opinion | None:
    qs = case.opinions.all()
    if stages:
        qs = qs.filter(stage__in=stages)
    return qs.order_by("-issued_at", "-id").first()


def _live_clock(case: Case, kind: ClockKind) -> Clock | None:
    found = clocks.live_clocks(case, (kind,))
    return found[0] if found else None


def _refuse(message: str, **extra: Any) -> None:
    raise TransitionNotAllowed(message, extra=extra)


def _guard_object(case: Case, today: date) -> None:
    if case.objection_pending:
        _refuse("已提出异议，等待信访部门核实")
    clock = _live_clock(case, ClockKind.OBJECTION)
    if clock is None or today > clock.due_on:
        # 条例 §23¶3: an objection must come within 5 working days of receipt.
        _refuse(
            "已超过提出异议的期限（收到之日起5个工作日）", due_on=clock.due_on.isoformat() if clock else None
        )


def _guard_objection_pending(case: Case, today: date) -> None:
    if not case.objection_pending:
        _refuse("没有待核实的异议")


def _open_dispute(case: Case) -> CompetenceDispute | None:
    return (
        CompetenceDispute.objects.filter(case=case, state=DisputeState.OPEN).select_related("decider").first()
    )


def _guard_no_objection(case: Case, today: date) -> None:
    if case.objection_pending:
        _refuse("异议尚待信访部门核实，暂不能答复")
    dispute = _open_dispute(case)
    if dispute is not None:
        _refuse(MSG_DISPUTE_OPEN.format(unit=dispute.decider.name, action="答复"))
    waiting = list(
        CoHandling.objects.filter(case=case, state=CoTaskState.OPEN).values_list("unit__name", flat=True)
    )
    if waiting:
        # 一揽子解决: the case answers once, after the lead unit has every co-unit's report.
        _refuse(MSG_CO_PENDING.format(units="、".join(waiting)), waiting=waiting)


def _guard_no_dispute(case: Case, today: date) -> None:
    dispute = _open_dispute(case)
    if dispute is not None:
        _refuse(MSG_DISPUTE_OPEN.format(unit=dispute.decider.name, action="再次报请"))


def _guard_dispute_open(case: Case, today: date) -> None:
    if _open_dispute(case) is None:
        _refuse(MSG_NO_DISPUTE)


def _guard_extend(case: Case, today: date) -> None:
    max_days = rules_for_case(case)[RuleKey.EXTENSION_MAX_DAYS].value
    if case.extension_days >= max_days:
        _refuse(f"延期已达上限（{max_days}日，《信访工作条例》第三十四条）")


def _guard_undelivered(case: Case, today: date) -> None:
    if _pending_opinion(case) is None:
        _refuse("没有待送达的意见书")


def _guard_delivered(case: Case, today: date) -> None:
    if _pending_opinion(case) is not None:
        _refuse("意见书尚未送达")


def _guard_rate(case: Case, today: date) -> None:
    opinion = _latest_opinion(case)
    if opinion is None or opinion.delivered_on is None:
        _refuse("意见书送达后才能评价")
    assert opinion is not None
    if CaseEvent.objects.filter(case=case, event_type=Action.RATE, data__opinion=opinion.pk).exists():
        _refuse("该意见书已评价，评价不可修改")


def _guard_reopen(case: Case, today: date) -> None:
    opinion = _latest_opinion(case, (OpinionStage.HANDLING,))
    if case.rating != Rating.DISSATISFIED or opinion is None or opinion.decision != Decision.SUPPORT:
        _refuse("只有对“支持”的处理意见未落实而不满意的，才能重新办理")


def _guard_window(kind: ClockKind, label: str) -> Callable[[Case, date], None]:
    def guard(case: Case, today: date) -> None:
        clock = _live_clock(case, kind)
        if clock is None:
            _refuse(f"不在{label}期限内")
        elif today > clock.due_on:
            _refuse(f"已超过{label}期限（{clock.due_on:%Y年%m月%d日}届满）", due_on=clock.due_on.isoformat())

    return guard


def _guard_acceptance_pending(case: Case, today: date) -> None:
    if _live_clock(case, ClockKind.REVIEW_ACCEPTANCE) is None:
        _refuse(MSG_NO_ACCEPTANCE)


def _guard_accepted(case: Case, today: date) -> None:
    """Where a decision to accept the request is due (山东 §43, §44), nothing is answered before it."""
    clock = _live_clock(case, ClockKind.REVIEW_ACCEPTANCE)
    if clock is not None:
        _refuse(MSG_ACCEPT_FIRST.format(article=clock.rule_article))


def _guard_hearing(running: bool) -> Callable[[Case, date], None]:
    def guard(case: Case, today: date) -> None:
        _guard_accepted(case, today)
        clock = _live_clock(case, ClockKind.REREVIEW)
        paused = clock is not None and clock.state == ClockState.PAUSED
        if running and not paused:
            _refuse("没有进行中的听证")
        if not running and paused:
            _refuse("听证进行中")

    return guard


def _guard_accusation(case: Case, today: date) -> None:
    if case.petition_type != PetitionType.ACCUSATION:
        _refuse(MSG_NOT_ACCUSATION)


GUARDS: dict[Action, Callable[[Case, date], None]] = {
    Action.SET_ACCUSED: _guard_accusation,
    Action.OBJECT: _guard_object,
    Action.RETURN: _guard_objection_pending,
    Action.DISMISS_OBJECTION: _guard_objection_pending,
    Action.REPLY: _guard_no_objection,
    Action.MEDIATE: _guard_no_objection,
    Action.EXTEND: _guard_extend,
    Action.DELIVER: _guard_undelivered,
    Action.RATE: _guard_rate,
    Action.REOPEN: _guard_reopen,
    Action.CLOSE: _guard_delivered,
    Action.REQUEST_REVIEW: _guard_window(ClockKind.REVIEW_WINDOW, "请求复查"),
    Action.REQUEST_REREVIEW: _guard_window(ClockKind.REREVIEW_WINDOW, "请求复核"),
    Action.HEARING_START: _guard_hearing(running=False),
    Action.HEARING_END: _guard_hearing(running=True),
    Action.REREVIEW_REPLY: _guard_hearing(running=False),
    Action.REVIEW_REPLY: _guard_accepted,
    Action.ACCEPT_REVIEW: _guard_acceptance_pending,
    Action.REFER_DISPUTE: _guard_no_dispute,
    Action.DECIDE_DISPUTE: _guard_dispute_open,
}


def _guard_acknowledge(case: Case, actor: Actor, interest: Interest) -> None:
    if not interest.links:
        _refuse("未发现您与本事项的利害关系，无需记录")
    if interest.reason_recorded:
        _refuse("已记录不回避的理由")


def _guard_acceptance_organ(case: Case, actor: Actor, interest: Interest) -> None:
    """Only the organ the request went to decides (not the 复查 organ once a 复核 is asked)."""
    clock = _live_clock(case, ClockKind.REVIEW_ACCEPTANCE)
    if clock is not None and clock.unit_id != getattr(actor, "unit_id", None):
        raise PermissionDenied(MSG_NOT_ACCEPTANCE_ORGAN.format(unit=clock.unit.name if clock.unit else ""))


MSG_NO_BAR_TO_CLEAR = "本事项没有可由您解除的同名限制（须为其他单位人员的同名限制）"


def bars_clearable_by(case: Case, actor: Actor) -> list[User]:
    """The same-name bars `actor` may clear: of staff in another unit than the actor's, never when the
    actor bears the accused person's name (or is the accused person) themselves (ADR 0005)."""
    if isinstance(actor, CitizenActor) or actor.pk == case.accused_user_id:
        return []
    if (actor.full_name or "").strip() in accused_names(case):
        return []
    return [u for u in clearable_bars(case) if u.unit_id != actor.unit_id and u.pk != actor.pk]


def _guard_clear_bar(case: Case, actor: Actor, interest: Interest) -> None:
    if not bars_clearable_by(case, actor):
        raise PermissionDenied(MSG_NO_BAR_TO_CLEAR)


# Guards that depend on who acts.
ACTOR_GUARDS: dict[Action, Callable[[Case, Actor, Interest], None]] = {
    Action.ACKNOWLEDGE_CONFLICT: _guard_acknowledge,
    Action.ACCEPT_REVIEW: _guard_acceptance_organ,
    Action.CLEAR_CONFLICT_BAR: _guard_clear_bar,
}


def allowed_actions(case: Case, user: User) -> list[Action]:
    """The actions `user` may take on `case` now; templates and the API ask this, they never decide."""
    today = timeutil.today()
    allowed = []
    sides = set() if isinstance(user, CitizenActor) else actor_sides(user, case)
    if not isinstance(user, CitizenActor) and conflict_bar(case, user) is not None:
        return []  # the accused person (or a namesake not yet cleared) takes no part (ADR 0005)
    interest = interest_of(user, case)
    for (status, action), _target in TABLE.items():
        if status != case.status:
            continue
        try:
            ensure_actor_may(user, action, case, sides)
            ensure_no_conflict(user, action, case, interest)
            if action in GUARDS:
                GUARDS[action](case, today)
            if action in ACTOR_GUARDS:
                ACTOR_GUARDS[action](case, user, interest)
        except (PermissionDenied, TransitionNotAllowed):
            continue
        allowed.append(action)
    return allowed


# --- the transition ----------------------------------------------------------------------------

Body = Callable[[Case, Context], dict[str, Any] | None]


def _transition(
    *, case: Case, action: Action, actor: Actor, reason: str = "", body: Body | None = None
) -> Case:
    with transaction.atomic():
        case = lock_case(case.pk)
        from_status = case.status
        to_status = next_status(from_status, action)
        ensure_actor_may(actor, action, case)
        interest = interest_of(actor, case)
        ensure_no_conflict(actor, action, case, interest)
        now = timeutil.now()
        ctx = Context(actor=actor, now=now, today=timeutil.today(), rules=rules_for_case(case))
        if action in GUARDS:
            GUARDS[action](case, ctx.today)
        if action in ACTOR_GUARDS:
            ACTOR_GUARDS[action](case, actor, interest)
        before = _field_values(case)
        data = (body(case, ctx) if body else None) or {}
        case.status = to_status
        changed = [name for name, value in _field_values(case).items() if value != before[name]]
        case.save(update_fields=[*changed, "status", "updated_at"])
        event = CaseEvent.objects.create(
            case=case,
            event_type=action,
            from_status=from_status,
            to_status=to_status,
            actor=None if isinstance(actor, CitizenActor) else actor,
            actor_unit_id=None if isinstance(actor, CitizenActor) else actor.unit_id,
            reason=reason,
            data=_jsonable({**data, **_citizen_marks(actor)}),
            created_at=now,
        )
        outbox_write(event=event)  # its notices commit with it (ADR 0006)
    return case


def _citizen_marks(actor: Actor) -> dict[str, Any]:
    if isinstance(actor, CitizenActor):
        return {"by": "petitioner", "via": actor.via, "petitioner": actor.petitioner_id}
    return {}


def _field_values(case: Case) -> dict[str, Any]:
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, date):
            out[key] = value.isoformat()
        elif isinstance(value, dict):
            out[key] = _jsonable(value)
        else:
            out[key] = value
    return out


def _require(text: str, message: str = MSG_REASON_REQUIRED, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(message, extra={"fields": {field: message}})
    return text


# --- registration-phase actions (信访部门) ------------------------------------------------------


def case_accept(*, case: Case, actor: User, reason: str = "") -> Case:
    """受理: the 60-day handling clock starts on the day of acceptance (条例 §34)."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        stopped = clocks.stop_clocks(case, (ClockKind.NOTICE,), on=ctx.today)
        clocks.start_clock(
            case=case,
            kind=ClockKind.HANDLING,
            unit=case.office,
            rules=ctx.rules,
            trigger="accept",
            on=ctx.today,
        )
        return {"clocks_stopped": stopped}

    return _transition(case=case, action=Action.ACCEPT, actor=actor, reason=reason, body=body)


def case_not_accept(
    *,
    case: Case,
    actor: User,
    reason_code: NotAcceptedReason | str,
    reason: str,
    notice_method: DeliveryMethod | str = DeliveryMethod.IN_PERSON,
) -> Case:
    """不予受理: the petitioner is told why in writing (条例 §23¶2; a stated reason keeps it reviewable, §44)."""
    reason = _require(reason)
    reason_code = _choice(NotAcceptedReason, reason_code, "reason_code")
    notice_method = _choice(DeliveryMethod, notice_method, "notice_method")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        stopped = clocks.stop_clocks(case, None, on=ctx.today)
        return {"reason_code": reason_code, "notice_method": notice_method, "clocks_stopped": stopped}

    return _transition(case=case, action=Action.NOT_ACCEPT, actor=actor, reason=reason, body=body)


def case_divert(*, case: Case, actor: User, target: DivertTarget | str, guidance: str) -> Case:
    """分流: guide the matter into its legal channel and record the guidance given (条例 §31, §22¶2)."""
    guidance = _require(guidance, "请填写向信访人告知的途径和指引", "guidance")
    target = _choice(DivertTarget, target, "target")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        stopped = clocks.stop_clocks(case, None, on=ctx.today)
        return {"target": target, "target_label": DivertTarget(target).label, "clocks_stopped": stopped}

    return _transition(case=case, action=Action.DIVERT, actor=actor, reason=guidance, body=body)


def case_merge(*, case: Case, actor: User, into: Case, reason: str = "") -> Case:
    """合并: a duplicate of a live case closes, linked to it; the contact stays registered (条例 §19¶3)."""
    if into.pk == case.pk:
        raise ValidationFailed("不能合并到本件", extra={"fields": {"into": "不能合并到本件"}})
    if into.status not in (*OPEN_STATUSES, Status.REPLIED) or into.merged_into_id:
        raise ValidationFailed(
            f"{into.code} 已办结，只能合并到正在办理的事项", extra={"fields": {"into": "目标事项不在办理中"}}
        )

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        case.merged_into = into
        stopped = clocks.stop_clocks(case, None, on=ctx.today)
        return {"into": into.pk, "into_code": into.code, "clocks_stopped": stopped}

    return _transition(case=case, action=Action.MERGE, actor=actor, reason=reason, body=body)


def case_transfer(*, case: Case, actor: User, to_office: Unit, reason: str) -> Case:
    """移交: the matter belongs to another jurisdiction's petition office; its routing clock restarts."""
    reason = _require(reason)
    if to_office.kind != UnitKind.PETITION_OFFICE:
        raise ValidationFailed("只能移交给信访部门", extra={"fields": {"to_office": "请选择信访部门"}})
    if to_office.pk == case.office_id:
        raise ValidationFailed("已在本单位", extra={"fields": {"to_office": "请选择其他信访部门"}})
    guard_accused_known(case, actor)  # ADR 0005: an accusation leaves the office only once its accused is set
    if on_accused_side(to_office.pk, case.accused_unit_id):
        guard_routing(case, to_office, actor)  # refused and audited: the accused's own desk

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        from_office = case.office
        cancelled = clocks.cancel_clocks(case, None, on=ctx.today)
        case.office = to_office
        clocks.start_clock(
            case=case,
            kind=ClockKind.ROUTING,
            unit=to_office,
            rules=ctx.rules,
            trigger="transfer",
            on=ctx.today,
        )
        if not case.identity_unclear:
            clocks.start_clock(
                case=case,
                kind=ClockKind.NOTICE,
                unit=to_office,
                rules=ctx.rules,
                trigger="transfer",
                on=ctx.today,
            )
        return {
            "from_office": from_office.pk,
            "to_office": to_office.pk,
            "to_office_name": to_office.name,
            "clocks_cancelled": cancelled,
        }

    return _transition(case=case, action=Action.TRANSFER, actor=actor, reason=reason, body=body)


def _ensure_may_handle(case: Case, unit: Unit, actor: User) -> None:
    guard_routing(case, unit, actor)
    if not unit.is_active:
        raise ValidationFailed(f"{unit.name}已停用", extra={"fields": {"unit": "单位已停用"}})


@dataclass(frozen=True)
class CoUnit:
    """A co-handling unit named at assignment, with its own deadline (None: the lead's deadline)."""

    unit: Unit
    deadline: date | None = None


def _co_units(case: Case, actor: User, lead: Unit, co_units: Sequence[CoUnit | Unit] | None) -> list[CoUnit]:
    """Check the co-handling units before anything is written: distinct, not the lead, routable."""
    found: list[CoUnit] = []
    seen = {lead.pk}
    for item in co_units or ():
        co = item if isinstance(item, CoUnit) else CoUnit(item)
        if co.unit.pk in seen:
            message = f"{co.unit.name}已是主办或协办单位"
            raise ValidationFailed(message, extra={"fields": {"co_units": message}})
        seen.add(co.unit.pk)
        _ensure_may_handle(case, co.unit, actor)
        if co.unit.kind == UnitKind.PETITION_OFFICE:
            raise ValidationFailed("协办单位不能是信访部门", extra={"fields": {"co_units": "请选择责任单位"}})
        if co.deadline is not None and co.deadline <= timeutil.today():
            raise ValidationFailed(
                "协办期限须晚于今天", extra={"fields": {"co_deadline": "协办期限须晚于今天"}}
            )
        found.append(co)
    return found


def _start_co_tasks(
    case: Case, ctx: Context, co_units: list[CoUnit], lead_due: date | None, instructions: str
) -> list[dict[str, Any]]:
    """一揽子解决: each co-unit gets its own task and clock; by default the lead's deadline."""
    if not co_units:
        return []
    if lead_due is None:
        handling = _live_clock(case, ClockKind.HANDLING)
        lead_due = handling.due_on if handling else ctx.today
    made = []
    for co in co_units:
        due = co.deadline or lead_due
        CoHandling.objects.create(
            case=case, unit=co.unit, deadline=due, instructions=instructions, created_at=ctx.now
        )
        clocks.start_deadline_clock(
            case=case,
            kind=ClockKind.CO_HANDLING,
            unit=co.unit,
            due_on=due,
            rules=ctx.rules,
            trigger="co_handling",
            on=ctx.today,
            article=CO_HANDLING_ARTICLE,
        )
        made.append({"unit": co.unit.pk, "unit_name": co.unit.name, "deadline": due.isoformat()})
    return made


def _cancel_co_tasks(case: Case, ctx: Context) -> list[int]:
    units = list(
        CoHandling.objects.filter(case=case, state=CoTaskState.OPEN).values_list("unit_id", flat=True)
    )
    CoHandling.objects.filter(case=case, state=CoTaskState.OPEN).update(state=CoTaskState.CANCELLED)
    clocks.cancel_clocks(case, (ClockKind.CO_HANDLING,), on=ctx.today)
    return units


def _route(
    case: Case, ctx: Context, *, unit: Unit, kind: AssignmentKind, deadline: date | None, instructions: str
) -> dict[str, Any]:
    stopped = clocks.stop_clocks(case, (ClockKind.ROUTING, ClockKind.NOTICE), on=ctx.today)
    case.handling_unit = unit
    case.assignment_kind = kind
    case.assignment_deadline = deadline
    case.assignment_instructions = instructions
    case.objection_pending = False
    # 条例 §23¶3: the receiving unit has 5 working days to object to a wrong assignment.
    clocks.start_clock(
        case=case, kind=ClockKind.OBJECTION, unit=unit, rules=ctx.rules, trigger=kind, on=ctx.today
    )
    Clock.objects.filter(case=case, kind=ClockKind.HANDLING, state__in=clocks.LIVE_STATES).update(unit=unit)
    if deadline is not None:
        clocks.start_deadline_clock(
            case=case,
            kind=ClockKind.ASSIGNMENT,
            unit=unit,
            due_on=deadline,
            rules=ctx.rules,
            trigger=kind,
            on=ctx.today,
            article="《信访工作条例》第二十二条第一款第三项",
        )
    return {"unit": unit.pk, "unit_name": unit.name, "deadline": deadline, "clocks_stopped": stopped}


def case_assign(
    *,
    case: Case,
    actor: User,
    unit: Unit,
    deadline: date,
    instructions: str = "",
    co_units: Sequence[CoUnit | Unit] | None = None,
) -> Case:
    """交办: hand the matter to a unit with a deadline and a required completion report (条例 §22¶1(三));
    co-handling units, if named, each get a task and a clock (一揽子解决)."""
    _ensure_may_handle(case, unit, actor)
    if deadline <= timeutil.today():
        raise ValidationFailed("交办期限须晚于今天", extra={"fields": {"deadline": "交办期限须晚于今天"}})
    co = _co_units(case, actor, unit, co_units)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        data = _route(
            case, ctx, unit=unit, kind=AssignmentKind.ASSIGN, deadline=deadline, instructions=instructions
        )
        return {**data, "co_units": _start_co_tasks(case, ctx, co, deadline, instructions)}

    return _transition(case=case, action=Action.ASSIGN, actor=actor, reason=instructions, body=body)


def case_forward(
    *,
    case: Case,
    actor: User,
    unit: Unit,
    instructions: str = "",
    co_units: Sequence[CoUnit | Unit] | None = None,
) -> Case:
    """转送: pass the matter to the competent organ (条例 §22¶1(一)(二)), with co-handling units if named."""
    _ensure_may_handle(case, unit, actor)
    co = _co_units(case, actor, unit, co_units)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        data = _route(
            case, ctx, unit=unit, kind=AssignmentKind.FORWARD, deadline=None, instructions=instructions
        )
        return {**data, "co_units": _start_co_tasks(case, ctx, co, None, instructions)}

    return _transition(case=case, action=Action.FORWARD, actor=actor, reason=instructions, body=body)


# --- handling-phase actions (责任单位) ----------------------------------------------------------


def case_object(*, case: Case, actor: User, reason: str) -> Case:
    """异议: the unit says the matter is not its own, with detailed reasons (条例 §23¶3)."""
    reason = _require(reason, "请详细说明异议理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        case.objection_pending = True
        return {"clocks_stopped": clocks.stop_clocks(case, (ClockKind.OBJECTION,), on=ctx.today)}

    return _transition(case=case, action=Action.OBJECT, actor=actor, reason=reason, body=body)


def case_return(*, case: Case, actor: User, reason: str = "") -> Case:
    """退回: the petition office agrees with the objection; the case goes back to be routed again."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        from_unit = case.handling_unit
        case.objection_pending = False
        case.handling_unit = None
        case.assignment_kind = ""
        case.assignment_deadline = None
        cancelled = clocks.cancel_clocks(case, (ClockKind.ASSIGNMENT, ClockKind.OBJECTION), on=ctx.today)
        Clock.objects.filter(case=case, kind=ClockKind.HANDLING, state__in=clocks.LIVE_STATES).update(
            unit=case.office
        )
        co_cancelled = _cancel_co_tasks(case, ctx)
        return {
            "from_unit": from_unit.pk if from_unit else None,
            "clocks_cancelled": cancelled,
            "co_units_cancelled": co_cancelled,
        }

    return _transition(case=case, action=Action.RETURN, actor=actor, reason=reason, body=body)


def case_dismiss_objection(*, case: Case, actor: User, reason: str) -> Case:
    """The petition office does not agree: the unit keeps the case (no silent bounce-back)."""
    reason = _require(reason)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        case.objection_pending = False
        return {}

    return _transition(case=case, action=Action.DISMISS_OBJECTION, actor=actor, reason=reason, body=body)


def case_extend(*, case: Case, actor: User, days: int, reason: str) -> Case:
    """延期: at most 30 days in all, approved by the unit head, the reason told to the petitioner (条例 §34)."""
    reason = _require(reason, "请填写延期理由（将告知信访人）")
    if days < 1:
        raise ValidationFailed("延期天数至少为1日", extra={"fields": {"days": "至少1日"}})

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        rule = ctx.rules[RuleKey.EXTENSION_MAX_DAYS]
        max_days = rule.value
        per = "个工作日" if rule.unit == ValueUnit.WORKING_DAY else "日"
        if case.extension_days + days > max_days:
            raise ValidationFailed(
                f"延期合计不得超过{max_days}{per}（已延期{case.extension_days}{per}）",
                extra={"fields": {"days": f"最多还可延期{max_days - case.extension_days}{per}"}},
            )
        clock = _live_clock(case, ClockKind.HANDLING)
        if clock is None:
            _refuse("没有正在计算的办理时限")
        assert clock is not None
        old_due = clock.due_on
        clocks.extend_clock(clock, days, ctx.rules)
        case.extension_days += days
        return {"days": days, "old_due_on": old_due, "new_due_on": clock.due_on, "notify_petitioner": True}

    return _transition(case=case, action=Action.EXTEND, actor=actor, reason=reason, body=body)


def default_review_route(case: Case, stage: OpinionStage, issuing_unit: Unit) -> str:
    """How and by when to ask for the next review (on by default; 北京 §43 requires it locally)."""
    superior = issuing_unit.parent
    rules = rules_for_case(case)
    if stage == OpinionStage.HANDLING:
        days = rules[RuleKey.REVIEW_REQUEST_DAYS].value
        return (
            f"如对本处理意见不服，可以自收到本意见书之日起{days}日内，"
            f"向{superior.name if superior else '原办理机关的上一级机关'}请求复查（《信访工作条例》第三十五条）。"
        )
    if stage == OpinionStage.REVIEW:
        days = rules[RuleKey.REREVIEW_REQUEST_DAYS].value
        return (
            f"如对本复查意见不服，可以自收到本意见书之日起{days}日内，"
            f"向{superior.name if superior else '复查机关的上一级机关'}请求复核（《信访工作条例》第三十六条）。"
        )
    return "本复核意见为终结意见。对复核意见不服，仍以同一事实和理由提出投诉请求的，不再受理（《信访工作条例》第三十六条第三款）。"


def _issue_opinion(
    case: Case,
    ctx: Context,
    *,
    stage: OpinionStage,
    request_summary: str,
    facts_reasons: str,
    decision: Decision | str,
    legal_basis: str,
    review_route: str | None,
    agreement: str = "",
) -> Opinion:
    unit = ctx.actor.unit
    assert unit is not None
    return Opinion.objects.create(
        case=case,
        stage=stage,
        request_summary=request_summary or case.request or case.title,
        facts_reasons=facts_reasons,
        decision=decision,
        legal_basis=legal_basis,
        review_route=review_route if review_route is not None else default_review_route(case, stage, unit),
        agreement=agreement,
        issued_by=ctx.actor,
        issued_unit=unit,
        issued_at=ctx.now,
    )


def _opinion_fields(facts_reasons: str, legal_basis: str) -> tuple[str, str]:
    errors = {}
    if not (facts_reasons or "").strip():
        errors["facts_reasons"] = "请填写事实和理由"
    if not (legal_basis or "").strip():
        errors["legal_basis"] = "请填写处理意见的法律法规依据（《信访工作条例》第三十二条）"
    if errors:
        raise ValidationFailed("意见书内容不完整", extra={"fields": errors})
    return facts_reasons.strip(), legal_basis.strip()


def _choice(enum: Any, value: Any, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise ValidationFailed(f"无效的选项：{value}", extra={"fields": {field: "无效的选项"}}) from None


def case_reply(
    *,
    case: Case,
    actor: User,
    facts_reasons: str,
    decision: Decision | str,
    legal_basis: str,
    request_summary: str = "",
    review_route: str | None = None,
    completion_report: str = "",
) -> Case:
    """答复: issue the 信访处理意见书 — request, facts and reasons, decision and legal basis (条例 §32)."""
    facts_reasons, legal_basis = _opinion_fields(facts_reasons, legal_basis)
    decision = _choice(Decision, decision, "decision")
    if decision == Decision.MEDIATED:
        raise ValidationFailed("调解和解请使用“调解和解”", extra={"fields": {"decision": "无效的选项"}})
    if case.assignment_kind == AssignmentKind.ASSIGN and not completion_report.strip():
        # 条例 §22¶1(三): an assigned matter is answered with a completion report.
        raise ValidationFailed(
            "交办事项须提交办结报告", extra={"fields": {"completion_report": "请填写办结报告"}}
        )

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _issue_opinion(
            case,
            ctx,
            stage=OpinionStage.HANDLING,
            request_summary=request_summary,
            facts_reasons=facts_reasons,
            decision=decision,
            legal_basis=legal_basis,
            review_route=review_route,
        )
        if completion_report.strip():
            case.completion_report = completion_report.strip()
        stopped = clocks.stop_clocks(
            case, (ClockKind.HANDLING, ClockKind.ASSIGNMENT, ClockKind.OBJECTION), on=ctx.today
        )
        return {"opinion": opinion.pk, "decision": decision, "clocks_stopped": stopped}

    return _transition(case=case, action=Action.REPLY, actor=actor, body=body)


def case_mediate(
    *, case: Case, actor: User, agreement: str, facts_reasons: str, legal_basis: str = ""
) -> Case:
    """调解和解: both parties agree; the agreement is written down (条例 §33)."""
    agreement = _require(agreement, "请填写调解协议书或和解协议书内容", "agreement")
    facts_reasons = _require(facts_reasons, "请填写事实和理由", "facts_reasons")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _issue_opinion(
            case,
            ctx,
            stage=OpinionStage.HANDLING,
            request_summary="",
            facts_reasons=facts_reasons,
            decision=Decision.MEDIATED,
            legal_basis=legal_basis.strip() or "《信访工作条例》第三十三条",
            review_route=None,
            agreement=agreement,
        )
        stopped = clocks.stop_clocks(
            case, (ClockKind.HANDLING, ClockKind.ASSIGNMENT, ClockKind.OBJECTION), on=ctx.today
        )
        return {"opinion": opinion.pk, "clocks_stopped": stopped}

    return _transition(case=case, action=Action.MEDIATE, actor=actor, body=body)


# --- answer, callback, review ------------------------------------------------------------------


_WINDOW_AFTER = {
    OpinionStage.HANDLING: ClockKind.REVIEW_WINDOW,
    OpinionStage.REVIEW: ClockKind.REREVIEW_WINDOW,
}


def case_deliver(
    *,
    case: Case,
    actor: User,
    delivered_on: date | None = None,
    method: DeliveryMethod | str,
) -> Case:
    """送达: record the delivery date; the petitioner's 30-day review window starts then (条例 §35)."""
    method = _choice(DeliveryMethod, method, "method")
    delivered_on = delivered_on or timeutil.today()
    if delivered_on > timeutil.today():
        raise ValidationFailed("送达日期不能晚于今天", extra={"fields": {"delivered_on": "不能晚于今天"}})
    if method == DeliveryMethod.NOT_OWED and not case.identity_unclear:
        raise ValidationFailed(
            "只有姓名（名称）、住址不清的，才可不书面告知（《信访工作条例》第二十三条第二款）",
            extra={"fields": {"method": "信访人身份清楚，须书面送达"}},
        )

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _pending_opinion(case)
        assert opinion is not None
        if delivered_on < opinion.issued_at.date():
            raise ValidationFailed(
                "送达日期不能早于出具日期", extra={"fields": {"delivered_on": "早于出具日期"}}
            )
        opinion.delivered_on = delivered_on
        opinion.delivery_method = method
        opinion.save(update_fields=["delivered_on", "delivery_method"])
        window = _WINDOW_AFTER.get(OpinionStage(opinion.stage))
        if window is not None:
            clocks.start_clock(
                case=case, kind=window, unit=None, rules=ctx.rules, trigger="deliver", on=delivered_on
            )
        return {"opinion": opinion.pk, "stage": opinion.stage, "delivered_on": delivered_on, "method": method}

    return _transition(case=case, action=Action.DELIVER, actor=actor, body=body)


def case_rate(
    *, case: Case, actor: Actor, rating: Rating | str, solved: bool | None, comment: str = ""
) -> Case:
    """回访评价: the petitioner's rating; recorded once per answer, never editable by the unit."""
    rating = _choice(Rating, rating, "rating")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _latest_opinion(case)
        assert opinion is not None
        case.rating = rating
        case.problem_solved = solved
        return {"opinion": opinion.pk, "rating": rating, "solved": solved}

    return _transition(case=case, action=Action.RATE, actor=actor, reason=comment, body=body)


def case_reopen(*, case: Case, actor: User, reason: str) -> Case:
    """重新办理: a supported decision was not carried out and the petitioner is dissatisfied."""
    reason = _require(reason)

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        cancelled = clocks.cancel_clocks(case, (ClockKind.REVIEW_WINDOW,), on=ctx.today)
        clocks.start_clock(
            case=case,
            kind=ClockKind.HANDLING,
            unit=case.handling_unit,
            rules=ctx.rules,
            trigger="reopen",
            on=ctx.today,
        )
        return {"clocks_cancelled": cancelled}

    return _transition(case=case, action=Action.REOPEN, actor=actor, reason=reason, body=body)


def case_close(*, case: Case, actor: User, reason: str = "") -> Case:
    """办结: only once the answer is delivered (or no written notice is owed); windows keep running."""
    return _transition(case=case, action=Action.CLOSE, actor=actor, reason=reason)


def _superior(unit: Unit | None) -> Unit:
    if unit is None or unit.parent_id is None:
        name = unit.name if unit else "办理单位"
        raise ValidationFailed(
            MSG_NO_SUPERIOR.format(unit=name), extra={"fields": {"unit": "未设置上一级机关"}}
        )
    assert unit.parent is not None
    return unit.parent


_REVIEW_STAGES = {
    # stage: (the petitioner's window it closes, the organ's clock it starts)
    "review": (ClockKind.REVIEW_WINDOW, ClockKind.REVIEW),
    "rereview": (ClockKind.REREVIEW_WINDOW, ClockKind.REREVIEW),
}


def _open_review(case: Case, ctx: Context, *, above: Unit | None, stage: str) -> dict[str, Any]:
    """Hand the case to the organ one level above `above` (条例 §35, §36¶1): close the petitioner's
    window, start the organ's 30 days; never an organ that may not see an accusation (条例 §30¶3)."""
    window, kind = _REVIEW_STAGES[stage]
    organ = _superior(above)
    if on_accused_side(organ.pk, case.accused_unit_id):
        raise ValidationFailed(MSG_ACCUSED, extra={"fields": {"unit": MSG_ACCUSED}})
    setattr(case, f"{stage}_unit", organ)
    stopped = clocks.stop_clocks(case, (window,), on=ctx.today)
    clocks.start_clock(
        case=case, kind=kind, unit=organ, rules=ctx.rules, trigger=f"request_{stage}", on=ctx.today
    )
    data = {f"{stage}_unit": organ.pk, f"{stage}_unit_name": organ.name, "clocks_stopped": stopped}
    if ctx.rules[RuleKey.REVIEW_ACCEPT_DAYS].value > 0:
        # A province's decision step (山东 §43, §44: 3 working days to decide whether to accept); the
        # organ's 30 days still run from the request, as §35/§36 say.
        acceptance = clocks.start_clock(
            case=case,
            kind=ClockKind.REVIEW_ACCEPTANCE,
            unit=organ,
            rules=ctx.rules,
            trigger=f"request_{stage}",
            on=ctx.today,
        )
        data["accept_due_on"] = acceptance.due_on
    return data


def case_request_review(*, case: Case, actor: Actor, reason: str) -> Case:
    """请求复查: within 30 days of delivery, to the organ above the original handler (条例 §35)."""
    reason = _require(reason, "请填写请求复查的理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _latest_opinion(case, (OpinionStage.HANDLING,))
        assert opinion is not None
        return _open_review(case, ctx, above=opinion.issued_unit, stage="review")

    return _transition(case=case, action=Action.REQUEST_REVIEW, actor=actor, reason=reason, body=body)


def case_review_reply(
    *,
    case: Case,
    actor: User,
    facts_reasons: str,
    decision: Decision | str,
    legal_basis: str,
    review_route: str | None = None,
) -> Case:
    """复查意见: within 30 days of the request, in writing (条例 §35)."""
    return _answer_review(
        case=case,
        actor=actor,
        stage=OpinionStage.REVIEW,
        facts_reasons=facts_reasons,
        decision=decision,
        legal_basis=legal_basis,
        review_route=review_route,
    )


def _answer_review(
    *,
    case: Case,
    actor: User,
    stage: OpinionStage,
    facts_reasons: str,
    decision: Decision | str,
    legal_basis: str,
    review_route: str | None,
) -> Case:
    """Issue the 复查 or 复核 opinion and stop the organ's clock; a 复核 answer is final (条例 §36¶3)."""
    facts_reasons, legal_basis = _opinion_fields(facts_reasons, legal_basis)
    decision = _choice(Decision, decision, "decision")
    final = stage == OpinionStage.REREVIEW
    kind, action = (
        (ClockKind.REREVIEW, Action.REREVIEW_REPLY) if final else (ClockKind.REVIEW, Action.REVIEW_REPLY)
    )

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        opinion = _issue_opinion(
            case,
            ctx,
            stage=stage,
            request_summary="",
            facts_reasons=facts_reasons,
            decision=decision,
            legal_basis=legal_basis,
            review_route=None if final else review_route,
        )
        if final:
            case.is_final = True
        return {
            "opinion": opinion.pk,
            "decision": decision,
            "clocks_stopped": clocks.stop_clocks(case, (kind,), on=ctx.today),
        }

    return _transition(case=case, action=action, actor=actor, body=body)


def case_accept_review(*, case: Case, actor: User, reason: str = "") -> Case:
    """受理复查/复核请求: where the jurisdiction's rules add the step (山东 §43, §44), the organ that
    received the request decides to accept it within the rule's working days; until then it may not
    answer. The decision stops the acceptance clock."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        answer = _live_clock(
            case, ClockKind.REREVIEW if case.status == Status.UNDER_REREVIEW else ClockKind.REVIEW
        )
        return {
            "unit": actor.unit_id,
            "unit_name": actor.unit.name if actor.unit else "",
            "answer_due_on": answer.due_on if answer else None,  # told to the petitioner
            "clocks_stopped": clocks.stop_clocks(case, (ClockKind.REVIEW_ACCEPTANCE,), on=ctx.today),
        }

    return _transition(case=case, action=Action.ACCEPT_REVIEW, actor=actor, reason=reason, body=body)


def case_request_rereview(*, case: Case, actor: Actor, reason: str) -> Case:
    """请求复核: within 30 days of the review answer, to the organ above the reviewer (条例 §36¶1)."""
    reason = _require(reason, "请填写请求复核的理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        return _open_review(case, ctx, above=case.review_unit, stage="rereview")

    return _transition(case=case, action=Action.REQUEST_REREVIEW, actor=actor, reason=reason, body=body)


def case_hearing_start(*, case: Case, actor: User, reason: str = "") -> Case:
    """听证开始: the 复核 clock pauses; hearing time is not counted (条例 §36¶2)."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        clock = _live_clock(case, ClockKind.REREVIEW)
        assert clock is not None
        clocks.pause_clock(clock, on=ctx.today)
        return {"clock": clock.pk, "paused_on": ctx.today}

    return _transition(case=case, action=Action.HEARING_START, actor=actor, reason=reason, body=body)


def case_hearing_end(*, case: Case, actor: User, reason: str = "") -> Case:
    """听证结束: the 复核 clock resumes, its due date moved by the days the hearing took."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        clock = _live_clock(case, ClockKind.REREVIEW)
        assert clock is not None
        paused = clocks.resume_clock(clock, on=ctx.today, rules=ctx.rules)
        return {"clock": clock.pk, "paused_days": paused, "new_due_on": clock.due_on}

    return _transition(case=case, action=Action.HEARING_END, actor=actor, reason=reason, body=body)


def case_rereview_reply(
    *,
    case: Case,
    actor: User,
    facts_reasons: str,
    decision: Decision | str,
    legal_basis: str,
) -> Case:
    """复核意见: the final answer; the same facts and reasons are not accepted again (条例 §36¶3)."""
    return _answer_review(
        case=case,
        actor=actor,
        stage=OpinionStage.REREVIEW,
        facts_reasons=facts_reasons,
        decision=decision,
        legal_basis=legal_basis,
        review_route=None,
    )


# --- joint handling, competence disputes, 包案, conflicts of interest -------------------------------


def case_co_report(*, case: Case, actor: User, report: str) -> Case:
    """协办报告: a co-handling unit reports what it did; the lead unit replies once all have reported."""
    report = _require(report, "请填写协办情况报告", "report")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        assert actor.unit_id is not None  # the CO_HANDLING side requires a unit
        task = CoHandling.objects.select_for_update().get(
            case=case, unit_id=actor.unit_id, state=CoTaskState.OPEN
        )
        task.state = CoTaskState.REPORTED
        task.report = report
        task.reported_by = actor
        task.reported_at = ctx.now
        task.save(update_fields=["state", "report", "reported_by", "reported_at"])
        stopped = clocks.stop_clocks(case, (ClockKind.CO_HANDLING,), on=ctx.today, unit=task.unit)
        waiting = CoHandling.objects.filter(case=case, state=CoTaskState.OPEN).count()
        return {
            "task": task.pk,
            "unit": task.unit_id,
            "unit_name": task.unit.name,
            "co_waiting": waiting,
            "clocks_stopped": stopped,
        }

    return _transition(case=case, action=Action.CO_REPORT, actor=actor, reason=report, body=body)


def case_refer_dispute(*, case: Case, actor: User, units: Sequence[Unit], reason: str) -> Case:
    """管辖争议: organs disagree on who is competent; their common superior decides, or the 联席会议 where
    they have none (条例 §24). The decider has a clock (rule value `dispute_days`)."""
    reason = _require(reason, "请说明争议情况")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        disputing = {u.pk: u for u in units}
        if case.handling_unit is not None:
            disputing.setdefault(case.handling_unit.pk, case.handling_unit)
        if len(disputing) < 2:
            message = "请选择与承办单位存在争议的其他单位"
            raise ValidationFailed(message, extra={"fields": {"units": message}})
        decider = dispute_decider(case, list(disputing.values()))
        dispute = CompetenceDispute.objects.create(
            case=case, decider=decider, reason=reason, referred_by=actor, referred_at=ctx.now
        )
        dispute.units.set(list(disputing.values()))
        case.objection_pending = False  # the objection is now the superior's to decide
        stopped = clocks.stop_clocks(case, (ClockKind.OBJECTION,), on=ctx.today)
        clock = clocks.start_clock(
            case=case,
            kind=ClockKind.DISPUTE,
            unit=decider,
            rules=ctx.rules,
            trigger="refer_dispute",
            on=ctx.today,
        )
        return {
            "dispute": dispute.pk,
            "units": sorted(disputing),
            "unit_names": [u.name for u in disputing.values()],
            "decider": decider.pk,
            "decider_name": decider.name,
            "due_on": clock.due_on,
            "clocks_stopped": stopped,
        }

    return _transition(case=case, action=Action.REFER_DISPUTE, actor=actor, reason=reason, body=body)


def case_decide_dispute(*, case: Case, actor: User, unit: Unit, reason: str) -> Case:
    """The common superior decides the competent unit; the case goes there, without a new objection
    period (the decision settles competence)."""
    reason = _require(reason, "请说明决定理由")
    _ensure_may_handle(case, unit, actor)
    if unit.kind == UnitKind.PETITION_OFFICE:
        raise ValidationFailed("承办单位不能是信访部门", extra={"fields": {"unit": "请选择责任单位"}})

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        dispute = CompetenceDispute.objects.select_for_update().get(case=case, state=DisputeState.OPEN)
        dispute.state = DisputeState.DECIDED
        dispute.decided_unit = unit
        dispute.decided_by = actor
        dispute.decided_at = ctx.now
        dispute.decision_reason = reason
        dispute.save(update_fields=["state", "decided_unit", "decided_by", "decided_at", "decision_reason"])
        stopped = clocks.stop_clocks(case, (ClockKind.DISPUTE,), on=ctx.today)
        from_unit = case.handling_unit
        case.handling_unit = unit
        case.objection_pending = False
        clocks.cancel_clocks(case, (ClockKind.OBJECTION,), on=ctx.today)
        Clock.objects.filter(
            case=case, kind__in=(ClockKind.HANDLING, ClockKind.ASSIGNMENT), state__in=clocks.LIVE_STATES
        ).update(unit=unit)
        return {
            "dispute": dispute.pk,
            "from_unit": from_unit.pk if from_unit else None,
            "unit": unit.pk,
            "unit_name": unit.name,
            "clocks_stopped": stopped,
        }

    return _transition(case=case, action=Action.DECIDE_DISPUTE, actor=actor, reason=reason, body=body)


def leaders_for(case: Case) -> Any:
    """Leaders who may take charge of the case: active leader accounts of the registering office's
    territory or above (属地管理、分级负责)."""
    paths = [t.path for t in case.office.territory.ancestors()]
    return User.objects.filter(
        role=Role.LEADER, is_active=True, unit__territory__path__in=paths
    ).select_related("unit")


def case_attach_leader(*, case: Case, actor: User, leader: User | None = None, reason: str = "") -> Case:
    """包案: a leader takes personal charge of the case (条例 §18¶2); it shows in the leader's inbox."""

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        owner = leader or (actor if actor.role == Role.LEADER else None)
        if owner is None or not leaders_for(case).filter(pk=owner.pk).exists():
            message = "请选择本辖区或上级的领导"
            raise ValidationFailed(message, extra={"fields": {"leader": message}})
        if case.leader_id == owner.pk:
            raise ValidationFailed(f"{owner}已是包案领导", extra={"fields": {"leader": "已是包案领导"}})
        previous = case.leader_id
        case.leader = owner
        return {"leader": owner.pk, "leader_name": str(owner), "previous_leader": previous}

    return _transition(case=case, action=Action.ATTACH_LEADER, actor=actor, reason=reason, body=body)


def case_recuse(*, case: Case, actor: User, reason: str) -> Case:
    """回避: the person steps aside (条例 §28¶3); the unit head is told to have someone else handle it."""
    reason = _require(reason, "请说明回避理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        assert actor.unit_id is not None  # every side that may recuse is a unit's
        heads = list(
            User.objects.filter(unit_id=actor.unit_id, role=Role.UNIT_HEAD, is_active=True)
            .exclude(pk=actor.pk)
            .values_list("pk", flat=True)
        )
        return {"unit": actor.unit_id, "links": interest_links(case, actor), "notify_users": heads}

    return _transition(case=case, action=Action.RECUSE, actor=actor, reason=reason, body=body)


def case_acknowledge_conflict(*, case: Case, actor: User, reason: str) -> Case:
    """The linked person records why they still act; the reason stays on the case for review."""
    reason = _require(reason, "请说明不回避的理由")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        return {"links": interest_links(case, actor)}

    return _transition(case=case, action=Action.ACKNOWLEDGE_CONFLICT, actor=actor, reason=reason, body=body)


# --- the accused side (ADR 0005) -----------------------------------------------------------------

MSG_ACCUSED_UNIT_REQUIRED = "请选择被反映单位，或确认被反映人不属于本系统任何单位"
MSG_ACCUSED_UNIT_CONFLICT = "已选择被反映单位，不能同时确认其不属于本系统单位"
MSG_ACCUSED_USER_UNIT = "被反映人的账号属于{unit}，与所选被反映单位不一致"
MSG_NO_OFFICE_ABOVE = (
    "登记单位属被反映单位一方，且没有可受理本件的上级信访部门（《信访工作条例》第三十条第三款）"
)


def case_set_accused(
    *,
    case: Case,
    actor: User,
    accused_unit: Unit | None,
    accused_person: str = "",
    accused_user: User | None = None,
    no_unit: bool = False,
    reason: str,
) -> Case:
    """核定被反映人: the petition office sets or corrects who an accusation is against, before routing
    (a portal or Open311 accusation names them only in words). If the office itself turns out to be
    on the accused side, the case goes up to the petition office above (条例 §30¶3; ADR 0005)."""
    reason = _require(reason, "请说明核定依据")
    if accused_unit is None and accused_user is not None:
        accused_unit = accused_user.unit
    if accused_unit is None and not no_unit:
        raise ValidationFailed(
            MSG_ACCUSED_UNIT_REQUIRED, extra={"fields": {"accused_unit": MSG_ACCUSED_UNIT_REQUIRED}}
        )
    if accused_unit is not None and no_unit:
        raise ValidationFailed(
            MSG_ACCUSED_UNIT_CONFLICT, extra={"fields": {"no_unit": MSG_ACCUSED_UNIT_CONFLICT}}
        )
    if accused_user is not None and accused_unit is not None and accused_user.unit_id != accused_unit.pk:
        unit_name = accused_user.unit.name if accused_user.unit else "无单位"
        message = MSG_ACCUSED_USER_UNIT.format(unit=unit_name)
        raise ValidationFailed(message, extra={"fields": {"accused_user": message}})
    person = (accused_person or "").strip()[:100]

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        previous = {
            "previous_accused_unit": case.accused_unit_id,
            "previous_accused_person": case.accused_person,
            "previous_accused_user": case.accused_user_id,
        }
        case.accused_unit = accused_unit
        case.accused_unit_none = no_unit
        case.accused_user = accused_user
        if person:
            case.accused_person = person
        data: dict[str, Any] = {
            **previous,
            "accused_unit": accused_unit.pk if accused_unit else None,
            "accused_unit_name": accused_unit.name if accused_unit else "",
            "accused_person": case.accused_person,
            "accused_user": accused_user.pk if accused_user else None,
            "no_unit": no_unit,
        }
        office = case.office
        above = office_above(office, accused_unit.pk) if accused_unit else office
        if above is None:
            raise ValidationFailed(
                MSG_NO_OFFICE_ABOVE, extra={"fields": {"accused_unit": MSG_NO_OFFICE_ABOVE}}
            )
        if above.pk != office.pk:
            # the accused office never holds the case: its clocks run on at the office above
            case.office = above
            Clock.objects.filter(case=case, unit=office, state__in=clocks.LIVE_STATES).update(unit=above)
            data |= {"from_office": office.pk, "to_office": above.pk, "to_office_name": above.name}
        return data

    return _transition(case=case, action=Action.SET_ACCUSED, actor=actor, reason=reason, body=body)


def case_clear_conflict_bar(*, case: Case, actor: User, staff: User, reason: str) -> Case:
    """解除同名限制: a supervisor of another unit has checked that a staff member who bears the accused
    person's name is someone else; that member may then work on the case. The accused person's own
    account is never cleared, and nobody clears their own bar (ADR 0005)."""
    reason = _require(reason, "请说明核实情况")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        if staff.pk not in {u.pk for u in bars_clearable_by(case, actor)}:
            raise PermissionDenied(MSG_NO_BAR_TO_CLEAR, extra={"fields": {"staff": MSG_NO_BAR_TO_CLEAR}})
        return {
            "staff": staff.pk,
            "staff_name": str(staff),
            "staff_unit": staff.unit_id,
            "name": (staff.full_name or "").strip(),
            "notify_users": [staff.pk],
        }

    return _transition(case=case, action=Action.CLEAR_CONFLICT_BAR, actor=actor, reason=reason, body=body)


ACTION_SERVICES: dict[Action, Callable[..., Case]] = {
    Action.ACCEPT: case_accept,
    Action.NOT_ACCEPT: case_not_accept,
    Action.DIVERT: case_divert,
    Action.MERGE: case_merge,
    Action.TRANSFER: case_transfer,
    Action.ASSIGN: case_assign,
    Action.FORWARD: case_forward,
    Action.OBJECT: case_object,
    Action.RETURN: case_return,
    Action.DISMISS_OBJECTION: case_dismiss_objection,
    Action.EXTEND: case_extend,
    Action.MEDIATE: case_mediate,
    Action.REPLY: case_reply,
    Action.DELIVER: case_deliver,
    Action.RATE: case_rate,
    Action.REOPEN: case_reopen,
    Action.CLOSE: case_close,
    Action.REQUEST_REVIEW: case_request_review,
    Action.REVIEW_REPLY: case_review_reply,
    Action.REQUEST_REREVIEW: case_request_rereview,
    Action.HEARING_START: case_hearing_start,
    Action.HEARING_END: case_hearing_end,
    Action.REREVIEW_REPLY: case_rereview_reply,
    Action.CO_REPORT: case_co_report,
    Action.REFER_DISPUTE: case_refer_dispute,
    Action.DECIDE_DISPUTE: case_decide_dispute,
    Action.ATTACH_LEADER: case_attach_leader,
    Action.RECUSE: case_recuse,
    Action.ACKNOWLEDGE_CONFLICT: case_acknowledge_conflict,
    Action.ACCEPT_REVIEW: case_accept_review,
    Action.SET_ACCUSED: case_set_accused,
    Action.CLEAR_CONFLICT_BAR: case_clear_conflict_bar,
}


def perform(action: Action | str, *, case: Case, actor: Actor, **params: Any) -> Case:
    """Run the service for `action` (for the generic HTML and API endpoints)."""
    try:
        service = ACTION_SERVICES[Action(action)]
    except (ValueError, KeyError):
        raise NotFound(f"没有这个操作：{action}") from None
    return service(case=case, actor=actor, **params)


assert set(ACTION_SERVICES) == set(Action), "every action in the table has a service"
assert {a for _, a in TABLE} == set(Action), "every action appears in the table"
assert set(PERMISSIONS) == set(Action), "every action has a permission rule"
_ = Role  # roles are referenced through PERMISSIONS
assert EVENT_CLEARED == Action.CLEAR_CONFLICT_BAR, "conflicts reads the clearing events by this name"
