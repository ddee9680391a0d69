"""The guards next to the table (`transitions.TABLE`): checks on the case's data (GUARDS) and on who
acts (ACTOR_GUARDS) that an action must pass besides its (status, action) row and its permission."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from huiyin.cases.choices import (
    Decision,
    OpinionStage,
    PetitionType,
    Rating,
)
from huiyin.cases.models import Case, CaseEvent, Opinion
from huiyin.core.errors import PermissionDenied, TransitionNotAllowed
from huiyin.org.choices import Role, RuleKey
from huiyin.org.rules import days_text
from huiyin.workflow import clocks
from huiyin.workflow.actors import (
    MSG_NO_BAR_TO_CLEAR,
    Actor,
    CitizenActor,
    Interest,
    _pending_opinion,
    actor_sides,
    bars_clearable_by,
)
from huiyin.workflow.choices import ClockKind, ClockState, CoTaskState, DisputeState, ExtensionState
from huiyin.workflow.clocks import rules_for_case
from huiyin.workflow.models import Clock, CoHandling, CompetenceDispute, ExtensionRequest
from huiyin.workflow.transitions import (
    Action,
    Side,
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
        window = (
            f"（收到之日起{days_text(clock.rule_days, clock.rule_unit)}）" if clock else ""
        )  # its profile's
        _refuse(f"已超过提出异议的期限{window}", due_on=clock.due_on.isoformat() if clock else None)


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
    # the case type's ceiling, in its own unit and with its own article (条例 §34, §29, §30; t10-law)
    rule = clocks.extension_rule(case, rules_for_case(case))
    if case.extension_days >= rule.value:
        _refuse(f"延期已达上限（{days_text(rule.value, rule.unit)}，{rule.article}）")


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


def _guard_divert_in_handling(case: Case, today: date) -> None:
    """issue 10: while the common superior decides who is competent (条例 §24), nobody hands it over."""
    dispute = _open_dispute(case)
    if dispute is not None:
        _refuse(MSG_DISPUTE_OPEN.format(unit=dispute.decider.name, action="导入法定途径"))


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
    # issue 10 (t10-types)
    Action.DIVERT_IN_HANDLING: _guard_divert_in_handling,
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


def _guard_clear_bar(case: Case, actor: Actor, interest: Interest) -> None:
    if not bars_clearable_by(case, actor):
        raise PermissionDenied(MSG_NO_BAR_TO_CLEAR)


# issue 10 (t10-types): 诉访分离 while handling (条例 §28¶2) is taken by the office's dispatcher or the
# handling unit's staff — each on their own side, not a dispatcher of the unit nor a handler of the office.
MSG_DIVERT_SIDE = "只有信访部门办理员或承办单位的承办人、负责人可以在办理中导入法定途径"


def _guard_diverter(case: Case, actor: Actor, interest: Interest) -> None:
    if isinstance(actor, CitizenActor):
        raise PermissionDenied(MSG_DIVERT_SIDE)
    role = actor.role
    sides = actor_sides(actor, case)
    if (role == Role.DISPATCHER and Side.OFFICE in sides) or (
        role in (Role.HANDLER, Role.UNIT_HEAD) and Side.HANDLING in sides
    ):
        return
    raise PermissionDenied(MSG_DIVERT_SIDE)


# Guards that depend on who acts.
ACTOR_GUARDS: dict[Action, Callable[[Case, Actor, Interest], None]] = {
    Action.ACKNOWLEDGE_CONFLICT: _guard_acknowledge,
    Action.ACCEPT_REVIEW: _guard_acceptance_organ,
    Action.CLEAR_CONFLICT_BAR: _guard_clear_bar,
    Action.DIVERT_IN_HANDLING: _guard_diverter,
}


# --- issue 10 items 1 and 5 (t10-organ): the competent organ's acceptance, extension requests --------

MSG_UNIT_ACCEPT_FIRST = (
    "请先受理并告知信访人（《信访工作条例》第二十三条第三款）；办理期限自受理之日起计算（第三十四条）"
)
MSG_NO_UNIT_ACCEPTANCE = "本事项没有待受理的转送、交办（已受理，或按原规则已在办理）"
MSG_ALREADY_ACCEPTED = "本单位已受理该事项，不能再提出异议（《信访工作条例》第二十三条第三款）"
MSG_EXTENSION_PENDING = "已有延期申请待单位负责人审批"
MSG_NO_EXTENSION_REQUEST = "没有待审批的延期申请"
MSG_NO_HANDLING_CLOCK = "没有正在计算的办理时限"


def _accepted_by_handling_unit(case: Case) -> bool:
    """The handling unit recorded its acceptance of the matter now with it (its acceptance clock stopped)."""
    if case.handling_unit_id is None:
        return False
    latest = (
        Clock.objects.filter(case=case, kind=ClockKind.UNIT_ACCEPTANCE, unit_id=case.handling_unit_id)
        .order_by("-id")
        .first()
    )
    return latest is not None and latest.state in (ClockState.MET, ClockState.LATE)


def _guard_unit_acceptance_pending(case: Case, today: date) -> None:
    if _live_clock(case, ClockKind.UNIT_ACCEPTANCE) is None:
        _refuse(MSG_NO_UNIT_ACCEPTANCE)
    if case.objection_pending:
        _refuse("已提出异议，等待信访部门核实")


def _guard_unit_accepted(case: Case, today: date) -> None:
    """条例 §23¶3, §34: a forwarded or assigned matter is handled only once its unit has accepted it.
    A case routed under the old rule (its 60 days started at the office) has no acceptance clock."""
    if _live_clock(case, ClockKind.UNIT_ACCEPTANCE) is not None:
        _refuse(MSG_UNIT_ACCEPT_FIRST)


def _guard_not_accepted(case: Case, today: date) -> None:
    if _accepted_by_handling_unit(case):
        _refuse(MSG_ALREADY_ACCEPTED)


def _pending_extension(case: Case) -> ExtensionRequest | None:
    return ExtensionRequest.objects.filter(case=case, state=ExtensionState.PENDING).first()


def _guard_extension_request(case: Case, today: date) -> None:
    if _live_clock(case, ClockKind.HANDLING) is None:
        _refuse(MSG_NO_HANDLING_CLOCK)
    if _pending_extension(case) is not None:
        _refuse(MSG_EXTENSION_PENDING)


def _guard_extension_pending(case: Case, today: date) -> None:
    if _pending_extension(case) is None:
        _refuse(MSG_NO_EXTENSION_REQUEST)


def _all(*guards: Callable[[Case, date], None]) -> Callable[[Case, date], None]:
    def guard(case: Case, today: date) -> None:
        for one in guards:
            one(case, today)

    return guard


for _action in (Action.REPLY, Action.MEDIATE, Action.EXTEND):
    GUARDS[_action] = _all(GUARDS[_action], _guard_unit_accepted)
GUARDS[Action.OBJECT] = _all(_guard_not_accepted, GUARDS[Action.OBJECT])
GUARDS[Action.ACCEPT_ASSIGNMENT] = _guard_unit_acceptance_pending
GUARDS[Action.REQUEST_EXTENSION] = _all(_guard_unit_accepted, _guard_extend, _guard_extension_request)
GUARDS[Action.APPROVE_EXTENSION] = _guard_extension_pending
GUARDS[Action.REFUSE_EXTENSION] = _guard_extension_pending


# --- the unit head's sign-off of the 信访处理意见书 (rule `opinion_signoff`; issue 10 item 5) ----------

MSG_SIGNOFF_REQUIRED = (
    "本辖区规则要求信访处理意见书经单位负责人签发后出具：请“提交意见书送签”，由单位负责人签发（{article}）"
)
MSG_NO_SIGNOFF = "本辖区规则未设单位负责人签发环节，请直接答复"


def signoff_required(case: Case) -> bool:
    return bool(rules_for_case(case)[RuleKey.OPINION_SIGNOFF].value)


def _guard_signoff_on(case: Case, today: date) -> None:
    if not signoff_required(case):
        _refuse(MSG_NO_SIGNOFF)


def _guard_reply_signed_off(case: Case, actor: Actor, interest: Interest) -> None:
    """Where the profile says so, only the unit head issues the 信访处理意见书 (signing it off)."""
    if getattr(actor, "role", None) == Role.UNIT_HEAD or not signoff_required(case):
        return
    article = rules_for_case(case)[RuleKey.OPINION_SIGNOFF].article
    raise PermissionDenied(MSG_SIGNOFF_REQUIRED.format(article=article))


GUARDS[Action.SUBMIT_OPINION] = _all(_guard_signoff_on, GUARDS[Action.REPLY])
ACTOR_GUARDS[Action.REPLY] = _guard_reply_signed_off
# --- t10-rules, RG-3 (条例 §23¶1) ------------------------------------------------------------------

MSG_NOT_DIRECT = "本件由信访部门登记，应由信访部门受理、转送或交办（《信访工作条例》第二十二条）"


def _guard_direct_registrar(case: Case, actor: Actor, interest: Interest) -> None:
    """The §23¶1 triage belongs to the unit (not a petition office) that registered the case itself."""
    from huiyin.org.choices import UnitKind

    if case.office.kind == UnitKind.PETITION_OFFICE:
        raise PermissionDenied(MSG_NOT_DIRECT)


ACTOR_GUARDS[Action.DIRECT_HANDLE] = _guard_direct_registrar
ACTOR_GUARDS[Action.DIRECT_ROUTE] = _guard_direct_registrar
ACTOR_GUARDS[Action.DIRECT_REDIRECT] = _guard_direct_registrar
