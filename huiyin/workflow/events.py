"""The workflow's case event types (ADR 0007): one per action of the transition table, and the clock
events of the sweeper. Each says what staff call it, what it means for the petitioner, which message
the petitioner gets, what the staff notice says and who among the staff is told.

Who is told (SPEC §3.3, §3.9): every routing step, objection, competence dispute, co-handling report,
包案 and 回避, and every clock turning yellow or red, reaches the people who must act next. The accused
side is never told whatever an event names (huiyin.notify.staff removes it, 条例 §30¶3).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N

from huiyin.cases.choices import (
    Adoption,
    AssignmentKind,
    Decision,
    DeliveryMethod,
    DivertTarget,
    NotAcceptedReason,
    OpinionStage,
    Rating,
)
from huiyin.cases.models import CaseEvent
from huiyin.core.registry import EventType, Phase, Recipients
from huiyin.org import roles
from huiyin.org.choices import RuleKey
from huiyin.org.rules import days_text
from huiyin.org.selectors import case_rules, unit_staff
from huiyin.workflow.choices import ClockKind
from huiyin.workflow.transitions import ACTION_LABELS, Action

# --- who is told ---------------------------------------------------------------------------------


def _data(event: CaseEvent, key: str) -> Any:
    return (event.data or {}).get(key)


def named_in_data(event: CaseEvent) -> set[int]:
    """The services name the people themselves (督办 addressees, the issuer, leaders, unit heads)."""
    return {int(pk) for pk in _data(event, "notify_users") or []}


def _routed(event: CaseEvent) -> set[int]:
    """交办/转送: the lead unit and every co-handling unit (一揽子解决)."""
    co = [c.get("unit") for c in _data(event, "co_units") or []]
    return unit_staff([_data(event, "unit"), *co], roles.HANDLE)


def _handling_unit(event: CaseEvent) -> set[int]:
    return unit_staff([event.case.handling_unit_id], roles.HANDLE)


def _unit_in(key: str, capability: frozenset[str]) -> Recipients:
    return lambda event: unit_staff([_data(event, key)], capability)


def _decided(event: CaseEvent) -> set[int]:
    """The unit now competent, and the unit that had the case before the decision."""
    return unit_staff([_data(event, "unit"), _data(event, "from_unit")], roles.HANDLE)


def _office(event: CaseEvent) -> set[int]:
    # 条例 §23¶3: the office that routed the case decides on the objection.
    return unit_staff([event.case.office_id], roles.ROUTE)


def _leader(event: CaseEvent) -> set[int]:
    return {int(_data(event, "leader"))} if _data(event, "leader") else set()


def _clock_unit(event: CaseEvent) -> set[int]:
    """A clock turning yellow or red: the people of the unit whose clock it is (the sweeper's event
    names it as the acting unit)."""
    return unit_staff([event.actor_unit_id], roles.WATCH_CLOCKS)


# --- what the petitioner reads -------------------------------------------------------------------


def _day(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return ""


def _unit(ev: CaseEvent) -> str:
    return ev.actor_unit.name if ev.actor_unit else ""


def _label(enum: Any, value: Any) -> str:
    return str(enum(value).label) if value in enum.values else ""


def _not_accepted(ev: CaseEvent) -> str:
    label = _label(NotAcceptedReason, (ev.data or {}).get("reason_code"))
    return _("不予受理：%(label)s。%(reason)s") % {"label": label, "reason": ev.reason}


def _diverted(ev: CaseEvent) -> str:
    d = ev.data or {}
    label = d.get("target_label") or _label(DivertTarget, d.get("target"))
    text = _("请通过法定途径解决（%(label)s）：%(guidance)s") % {"label": label, "guidance": ev.reason}
    # issue 10 (t10-types), 诉访分离 (条例 §28¶2, §23¶4): where it went and why the time limits stopped
    if d.get("to_unit_name"):
        text += _("。已移交%(unit)s") % {"unit": d["to_unit_name"]}
    if d.get("clocks_stop_reason"):
        text += _("。%(why)s") % {"why": d["clocks_stop_reason"]}
    return str(text)


def _extended(ev: CaseEvent) -> str:
    d = ev.data or {}
    # t10-law: the period in the extension rule's own unit ("5个工作日"); older events have only days
    period = d.get("period") or _("%(days)s日") % {"days": d.get("days", "")}
    return _("经批准延期%(period)s，办理期限至%(due)s。延期理由：%(reason)s") % {
        "period": period,
        "due": _day(d.get("new_due_on")),
        "reason": ev.reason,
    }


def _unit_accepted(ev: CaseEvent) -> str:
    # 条例 §23¶3, §34: the competent organ accepts and the 60 days run from that day
    d = ev.data or {}
    # t10-law: the period in the clock's own unit ("10个工作日" for a suggestion under such a profile)
    days, unit = d.get("handling_days"), d.get("handling_unit") or "calendar_day"
    return _("%(unit)s受理了您的信访事项，自%(start)s起%(period)s内办结，办理期限至%(due)s") % {
        "unit": d.get("unit_name") or _unit(ev),
        "start": _day(d.get("handling_started_on")),
        "period": days_text(int(days), unit) if days else "",
        "due": _day(d.get("due_on")),
    }


def _opinion(stage: OpinionStage) -> Any:
    def text(ev: CaseEvent) -> str:
        adoption = (ev.data or {}).get("adoption")
        if adoption in Adoption.values:
            # 条例 §29 (issue 10, HD-2): a suggestion is answered with whether it is adopted
            return str(
                _("%(unit)s答复您的建议：%(adoption)s")
                % {"unit": _unit(ev), "adoption": Adoption(adoption).label}
            )
        decision = _label(Decision, (ev.data or {}).get("decision"))
        return _("%(unit)s出具%(stage)s（%(decision)s）") % {
            "unit": _unit(ev),
            "stage": stage.label,
            "decision": decision,
        }

    return text


def _delivered(ev: CaseEvent) -> str:
    d = ev.data or {}
    return _("意见书已送达（%(method)s，%(day)s）") % {
        "method": _label(DeliveryMethod, d.get("method")),
        "day": _day(d.get("delivered_on")),
    }


def _rated(ev: CaseEvent) -> str:
    return _("您评价：%(rating)s") % {"rating": _label(Rating, (ev.data or {}).get("rating"))}


def _words(text: str, **keys: str) -> Any:
    """A fixed sentence, with `keys` mapping placeholders to event data keys."""

    def render(ev: CaseEvent) -> str:
        d = ev.data or {}
        return _(text) % {name: d.get(key, "") for name, key in keys.items()} if keys else _(text)

    return render


def _clock_overdue(ev: CaseEvent) -> str | None:
    d = ev.data or {}
    if d.get("clock") not in ClockKind.values:
        return None
    return _("%(clock)s已超期（期满日%(due)s）") % {
        "clock": ClockKind(d["clock"]).label,
        "due": _day(d.get("due_on")),
    }


def _clock_expired(ev: CaseEvent) -> str | None:
    d = ev.data or {}
    if d.get("clock") not in ClockKind.values:
        return None
    return _("%(clock)s已届满") % {"clock": ClockKind(d["clock"]).label}


def _clock_values(ev: CaseEvent) -> dict[str, str]:
    d = ev.data or {}
    return {"clock_label": str(ClockKind(d["clock"]).label)} if d.get("clock") in ClockKind.values else {}


# --- the declarations ----------------------------------------------------------------------------

A = Action
P = Phase


def _action(
    action: Action,
    phase: Phase,
    *,
    citizen: Any = None,
    notice: str | None = None,
    tells: Recipients | None = None,
    message: bool = False,
    notice_values: Callable[[CaseEvent], dict[str, str]] | None = None,
) -> EventType:
    return EventType(
        code=str(action),
        label=ACTION_LABELS[action],
        phase=phase,
        citizen=citizen,
        notice=notice,
        tells=tells,
        message=str(action) if message else None,
        notice_values=notice_values,
    )


def _objection_window(ev: CaseEvent) -> dict[str, str]:
    """The receiving unit's objection window in the case's own profile (条例 §23¶3; issue 10 item 8)."""
    return {"objection_days": case_rules(ev.case)[RuleKey.OBJECTION_DAYS].text}


def _direct_handled(ev: CaseEvent) -> str:
    # 条例 §23¶1: received, and the handling route and procedure; §34: the day it is due
    d = ev.data or {}
    text = _("%(unit)s收到您的信访事项，由本单位办理：%(guidance)s") % {
        "unit": _unit(ev),
        "guidance": ev.reason,
    }
    if d.get("due_on"):
        text += _("。办理期限至%(due)s") % {"due": _day(d["due_on"])}
    return str(text)


def _kind_label(ev: CaseEvent) -> str:
    return _label(AssignmentKind, (ev.data or {}).get("kind")) or str(AssignmentKind.FORWARD.label)


def _direct_routed(ev: CaseEvent) -> str:
    # 条例 §23¶1: where it went; §23¶3: that organ tells the petitioner of its acceptance by a day
    d = ev.data or {}
    text = _("%(unit)s将您的信访事项%(kind)s%(to)s办理") % {
        "unit": _unit(ev),
        "kind": _kind_label(ev),
        "to": d.get("unit_name", ""),
    }
    if d.get("acceptance_due_on"):
        text += _("，%(to)s将于%(due)s前告知您受理情况及处理途径和程序") % {
            "to": d.get("unit_name", ""),
            "due": _day(d["acceptance_due_on"]),
        }
    return str(text)


def _direct_redirected(ev: CaseEvent) -> str:
    # 条例 §23¶1: neither the unit nor its system is competent: which organ to approach, and how
    return str(
        _("本事项不属%(unit)s及其系统职权，请向%(organ)s提出：%(guidance)s")
        % {"unit": _unit(ev), "organ": (ev.data or {}).get("organ", ""), "guidance": ev.reason}
    )


def _direct_route_values(ev: CaseEvent) -> dict[str, str]:
    return {**_objection_window(ev), "kind_label": _kind_label(ev)}


EVENTS: tuple[EventType, ...] = (
    _action(
        A.ACCEPT,
        P.REGISTRATION,
        citizen=lambda ev: _("%(unit)s受理了您的信访事项") % {"unit": _unit(ev)},
        message=True,
    ),
    _action(A.NOT_ACCEPT, P.REGISTRATION, citizen=_not_accepted, message=True),
    _action(A.DIVERT, P.REGISTRATION, citizen=_diverted, message=True),
    _action(A.MERGE, P.REGISTRATION, citizen=_words(N("与同一事项合并办理")), message=True),
    _action(
        A.TRANSFER,
        P.REGISTRATION,
        citizen=_words(N("移交%(unit)s处理"), unit="to_office_name"),
        notice="事项已移交{to_office_name}，请在期限内区分处理。",
        tells=_unit_in("to_office", roles.ROUTE),
        message=True,
    ),
    _action(
        A.ASSIGN,
        P.ROUTING,
        citizen=_words(N("交%(unit)s办理，要求按期反馈结果"), unit="unit_name"),
        notice="事项已交{unit_name}办理，请于{acceptance_due_on}前受理并告知信访人（条例第二十三条第三款），须在期限内办结并报告结果（条例第二十二条）。",
        tells=_routed,
        message=True,
    ),
    _action(
        A.FORWARD,
        P.ROUTING,
        citizen=_words(N("转送%(unit)s办理"), unit="unit_name"),
        notice="事项已转送{unit_name}办理，请于{acceptance_due_on}前受理并告知信访人（条例第二十三条第三款）。如认为不属本单位职责，可在{objection_days}内提出异议。",
        tells=_routed,
        message=True,
        notice_values=_objection_window,
    ),
    _action(A.OBJECT, P.ROUTING, notice="承办单位对转送/交办提出异议：{reason}", tells=_office),
    _action(
        A.RETURN,
        P.ROUTING,
        citizen=_words(N("重新确定办理单位")),
        notice="信访部门同意异议，事项已从本单位退回。",
        tells=_unit_in("from_unit", roles.HANDLE),
    ),
    _action(
        A.DISMISS_OBJECTION,
        P.ROUTING,
        notice="信访部门不同意异议，事项仍由本单位办理：{reason}",
        tells=_handling_unit,
    ),
    _action(A.EXTEND, P.HANDLING, citizen=_extended, message=True),
    _action(
        A.MEDIATE,
        P.HANDLING,
        citizen=lambda ev: _("%(unit)s组织调解，双方达成协议") % {"unit": _unit(ev)},
        message=True,
    ),
    _action(A.REPLY, P.HANDLING, citizen=_opinion(OpinionStage.HANDLING), message=True),
    _action(A.DELIVER, P.ANSWER, citizen=_delivered, message=True),
    _action(A.RATE, P.ANSWER, citizen=_rated),
    _action(A.REOPEN, P.ANSWER, citizen=_words(N("重新办理"))),
    _action(A.CLOSE, P.ANSWER, citizen=_words(N("办结"))),
    _action(
        A.REQUEST_REVIEW,
        P.REVIEW,
        citizen=_words(N("您请求复查，复查机关：%(unit)s"), unit="review_unit_name"),
        notice="信访人请求复查，由{review_unit_name}复查（条例第三十五条）。",
        tells=_unit_in("review_unit", roles.HANDLE),
        message=True,
    ),
    _action(A.REVIEW_REPLY, P.REVIEW, citizen=_opinion(OpinionStage.REVIEW), message=True),
    _action(
        A.REQUEST_REREVIEW,
        P.REVIEW,
        citizen=_words(N("您请求复核，复核机关：%(unit)s"), unit="rereview_unit_name"),
        notice="信访人请求复核，由{rereview_unit_name}复核（条例第三十六条）。",
        tells=_unit_in("rereview_unit", roles.HANDLE),
        message=True,
    ),
    _action(A.HEARING_START, P.REVIEW, citizen=_words(N("复核机关举行听证（听证期间不计入复核期限）"))),
    _action(
        A.HEARING_END,
        P.REVIEW,
        citizen=lambda ev: (
            _("听证结束，复核期限至%(due)s") % {"due": _day((ev.data or {}).get("new_due_on"))}
        ),
    ),
    _action(A.REREVIEW_REPLY, P.REVIEW, citizen=_opinion(OpinionStage.REREVIEW), message=True),
    _action(A.ACCEPT_REVIEW, P.REVIEW, message=True),
    _action(A.CO_REPORT, P.HANDLING, notice="{unit_name}已报送协办情况；{waiting}", tells=_handling_unit),
    _action(
        A.REFER_DISPUTE,
        P.ROUTING,
        notice="{units}对管辖有争议，报请{decider_name}决定（条例第二十四条）。",
        tells=_unit_in("decider", roles.DECIDE_DISPUTE),
    ),
    _action(A.DECIDE_DISPUTE, P.ROUTING, notice="管辖争议已决定由{unit_name}办理：{reason}", tells=_decided),
    _action(A.ATTACH_LEADER, P.SUPERVISION, notice="{leader_name}为本事项包案领导。", tells=_leader),
    _action(
        A.RECUSE,
        P.CONFIDENTIALITY,
        notice="{actor}已回避（条例第二十八条），请安排其他工作人员办理：{reason}",
        tells=named_in_data,
    ),
    _action(A.ACKNOWLEDGE_CONFLICT, P.CONFIDENTIALITY),
    # issue 10 (t10-types): 诉访分离 found while handling (条例 §28¶2); the registering office is told
    _action(
        A.DIVERT_IN_HANDLING,
        P.HANDLING,
        citizen=_diverted,
        notice="{actor}在办理中查明应导入法定途径（{target_label}），信访办理时限已停止计算：{reason}",
        tells=_office,
        message=True,
    ),
    _action(A.SET_ACCUSED, P.CONFIDENTIALITY),
    _action(A.CLEAR_CONFLICT_BAR, P.CONFIDENTIALITY),
    EventType(
        "clock_yellow",
        "时限黄灯预警",
        P.CLOCK,
        notice="时限「{clock_label}」将于{due_on}届满（黄灯），请抓紧办理。",
        tells=_clock_unit,
        notice_values=_clock_values,
    ),
    EventType(
        "clock_red",
        "时限红灯超期",
        P.CLOCK,
        citizen=_clock_overdue,
        notice="时限「{clock_label}」已于{due_on}届满，已超期（红灯），将列入督办线索。",
        tells=_clock_unit,
        notice_values=_clock_values,
    ),
    EventType("clock_expired", "期限届满", P.CLOCK, citizen=_clock_expired),
    # the competent organ's own acceptance and the extension requests (条例 §23¶3, §34; issue 10)
    _action(
        A.ACCEPT_ASSIGNMENT,
        P.ROUTING,
        citizen=_unit_accepted,
        notice="{unit_name}已受理并告知信访人，办理期限至{due_on}（条例第二十三条第三款、第三十四条）。",
        tells=lambda event: unit_staff([event.case.office_id], roles.ROUTE),
        message=True,
    ),
    _action(
        A.REQUEST_EXTENSION,
        P.HANDLING,
        notice="{actor}申请延期{period}，请审批（条例第三十四条）：{reason}",
        tells=named_in_data,  # the unit heads
    ),
    EventType(
        str(A.APPROVE_EXTENSION),
        ACTION_LABELS[A.APPROVE_EXTENSION],
        P.HANDLING,
        citizen=_extended,
        notice="延期申请已批准，办理期限延至{new_due_on}。",
        tells=named_in_data,  # the handler who asked
        message="extend",  # the petitioner hears what a direct extension tells them (条例 §34)
    ),
    _action(A.REFUSE_EXTENSION, P.HANDLING, notice="延期申请不予批准：{reason}", tells=named_in_data),
    _action(
        A.SUBMIT_OPINION,
        P.HANDLING,
        notice="{actor}提交了信访处理意见书送签稿，请审核签发。",
        tells=named_in_data,  # the unit heads sign it off
    ),
    # t10-rules, RG-3 (条例 §23¶1): a unit other than the petition office triages what it received directly;
    # t10-law: each answer tells the petitioner what happened and where to go next, on the timeline and
    # in a message of its own
    _action(A.DIRECT_HANDLE, P.REGISTRATION, citizen=_direct_handled, message=True),
    _action(
        A.DIRECT_ROUTE,
        P.ROUTING,
        citizen=_direct_routed,
        notice="上级单位直接收到的事项已{kind_label}{unit_name}办理，请于{acceptance_due_on}前受理并告知信访人（条例第二十三条第三款）；如认为不属本单位职责，可在{objection_days}内提出异议。",
        tells=_routed,
        message=True,
        notice_values=_direct_route_values,
    ),
    _action(A.DIRECT_REDIRECT, P.REGISTRATION, citizen=_direct_redirected, message=True),
)

assert {et.code for et in EVENTS} >= {str(a) for a in Action}, "every action of the table is an event type"
