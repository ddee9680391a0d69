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
from huiyin.org.choices import RuleKey
from huiyin.workflow import clocks
from huiyin.workflow.actors import MSG_NO_BAR_TO_CLEAR, Actor, Interest, _pending_opinion, bars_clearable_by
from huiyin.workflow.choices import ClockKind, ClockState, CoTaskState, DisputeState
from huiyin.workflow.clocks import rules_for_case
from huiyin.workflow.models import Clock, CoHandling, CompetenceDispute
from huiyin.workflow.transitions import (
    Action,
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


def _guard_clear_bar(case: Case, actor: Actor, interest: Interest) -> None:
    if not bars_clearable_by(case, actor):
        raise PermissionDenied(MSG_NO_BAR_TO_CLEAR)


# Guards that depend on who acts.
ACTOR_GUARDS: dict[Action, Callable[[Case, Actor, Interest], None]] = {
    Action.ACKNOWLEDGE_CONFLICT: _guard_acknowledge,
    Action.ACCEPT_REVIEW: _guard_acceptance_organ,
    Action.CLEAR_CONFLICT_BAR: _guard_clear_bar,
}
