"""The transition table of a petition case (SPEC §3.3). The server checks every action against it.

Who may act is part of the table: a role, and the side of the case the actor's unit must be on
(the registering office, the handling unit, the 复查 organ or the 复核 organ).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from huiyin.cases.choices import Status
from huiyin.core.errors import TransitionNotAllowed
from huiyin.org.choices import Role


class Action(StrEnum):
    ACCEPT = "accept"  # 受理
    NOT_ACCEPT = "not_accept"  # 不予受理
    DIVERT = "divert"  # 分流（引导至法定途径）
    MERGE = "merge"  # 合并重复件
    TRANSFER = "transfer"  # 移交其他辖区
    ASSIGN = "assign"  # 交办
    FORWARD = "forward"  # 转送
    OBJECT = "object"  # 提出异议
    RETURN = "return"  # 同意异议、退回
    DISMISS_OBJECTION = "dismiss_objection"  # 不同意异议
    EXTEND = "extend"  # 延期
    MEDIATE = "mediate"  # 调解和解
    REPLY = "reply"  # 答复（出具信访处理意见书）
    DELIVER = "deliver"  # 送达
    RATE = "rate"  # 评价（回访）
    REOPEN = "reopen"  # 重新办理
    CLOSE = "close"  # 办结
    REQUEST_REVIEW = "request_review"  # 请求复查
    REVIEW_REPLY = "review_reply"  # 复查答复
    REQUEST_REREVIEW = "request_rereview"  # 请求复核
    HEARING_START = "hearing_start"  # 听证开始
    HEARING_END = "hearing_end"  # 听证结束
    REREVIEW_REPLY = "rereview_reply"  # 复核答复（终结）
    CO_REPORT = "co_report"  # 协办单位报送办理情况（一揽子解决）
    REFER_DISPUTE = "refer_dispute"  # 管辖争议报请共同上级决定（条例 §24）
    DECIDE_DISPUTE = "decide_dispute"  # 共同上级（联席会议）决定承办单位
    ATTACH_LEADER = "attach_leader"  # 领导包案
    RECUSE = "recuse"  # 回避（条例 §28¶3）
    ACKNOWLEDGE_CONFLICT = "acknowledge_conflict"  # 记录不回避的理由
    ACCEPT_REVIEW = "accept_review"  # 决定受理复查/复核请求（省级规则设此环节时，如山东）
    SET_ACCUSED = "set_accused"  # 核定被反映单位（人）（条例 §30¶3；ADR 0005）
    CLEAR_CONFLICT_BAR = "clear_conflict_bar"  # 核实解除同名限制（其他单位督查人员；条例 §28¶3）


ACTION_LABELS: dict[Action, str] = {
    Action.ACCEPT: "受理",
    Action.NOT_ACCEPT: "不予受理",
    Action.DIVERT: "分流至法定途径",
    Action.MERGE: "合并重复件",
    Action.TRANSFER: "移交其他辖区",
    Action.ASSIGN: "交办",
    Action.FORWARD: "转送",
    Action.OBJECT: "提出异议",
    Action.RETURN: "同意异议并退回",
    Action.DISMISS_OBJECTION: "不同意异议",
    Action.EXTEND: "延期",
    Action.MEDIATE: "调解和解",
    Action.REPLY: "答复",
    Action.DELIVER: "送达",
    Action.RATE: "登记评价",
    Action.REOPEN: "重新办理",
    Action.CLOSE: "办结",
    Action.REQUEST_REVIEW: "请求复查",
    Action.REVIEW_REPLY: "复查答复",
    Action.REQUEST_REREVIEW: "请求复核",
    Action.HEARING_START: "开始听证",
    Action.HEARING_END: "结束听证",
    Action.REREVIEW_REPLY: "复核答复",
    Action.CO_REPORT: "报送协办情况",
    Action.REFER_DISPUTE: "报请决定管辖争议",
    Action.DECIDE_DISPUTE: "决定承办单位",
    Action.ATTACH_LEADER: "领导包案",
    Action.RECUSE: "回避",
    Action.ACKNOWLEDGE_CONFLICT: "记录不回避理由",
    Action.ACCEPT_REVIEW: "受理复查/复核请求",
    Action.SET_ACCUSED: "核定被反映单位",
    Action.CLEAR_CONFLICT_BAR: "解除同名限制",
}


class Side(StrEnum):
    OFFICE = "office"  # the petition office that registered the case (case.office)
    HANDLING = "handling"  # the responsible unit (case.handling_unit)
    REVIEW = "review"  # the 复查 organ (case.review_unit)
    REREVIEW = "rereview"  # the 复核 organ (case.rereview_unit)
    ISSUER = "issuer"  # whoever issued the opinion now awaiting delivery, or the office
    CO_HANDLING = "co_handling"  # a co-handling unit with an open task (一揽子解决)
    DECIDER = "decider"  # the common superior (or 联席会议) asked to decide a competence dispute
    OVERSIGHT = "oversight"  # a leader or supervisor whose territory covers the registering office


S = Status
TABLE: dict[tuple[Status, Action], Status] = {
    (S.REGISTERED, Action.ACCEPT): S.ACCEPTED,
    (S.REGISTERED, Action.NOT_ACCEPT): S.CLOSED,
    (S.REGISTERED, Action.DIVERT): S.CLOSED,
    (S.REGISTERED, Action.MERGE): S.CLOSED,
    (S.REGISTERED, Action.TRANSFER): S.REGISTERED,
    (S.ACCEPTED, Action.ASSIGN): S.IN_HANDLING,
    (S.ACCEPTED, Action.FORWARD): S.IN_HANDLING,
    (S.IN_HANDLING, Action.OBJECT): S.IN_HANDLING,
    (S.IN_HANDLING, Action.RETURN): S.ACCEPTED,
    (S.IN_HANDLING, Action.DISMISS_OBJECTION): S.IN_HANDLING,
    (S.IN_HANDLING, Action.EXTEND): S.IN_HANDLING,
    (S.IN_HANDLING, Action.MEDIATE): S.REPLIED,
    (S.IN_HANDLING, Action.REPLY): S.REPLIED,
    (S.REPLIED, Action.DELIVER): S.REPLIED,
    (S.REPLIED, Action.RATE): S.REPLIED,
    (S.REPLIED, Action.REOPEN): S.IN_HANDLING,
    (S.REPLIED, Action.CLOSE): S.CLOSED,
    (S.REPLIED, Action.REQUEST_REVIEW): S.UNDER_REVIEW,
    (S.CLOSED, Action.RATE): S.CLOSED,
    (S.CLOSED, Action.REQUEST_REVIEW): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, Action.ACCEPT_REVIEW): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, Action.REVIEW_REPLY): S.REVIEW_REPLIED,
    (S.REVIEW_REPLIED, Action.DELIVER): S.REVIEW_REPLIED,
    (S.REVIEW_REPLIED, Action.RATE): S.REVIEW_REPLIED,
    (S.REVIEW_REPLIED, Action.CLOSE): S.CLOSED,
    (S.REVIEW_REPLIED, Action.REQUEST_REREVIEW): S.UNDER_REREVIEW,
    (S.UNDER_REREVIEW, Action.ACCEPT_REVIEW): S.UNDER_REREVIEW,
    (S.UNDER_REREVIEW, Action.HEARING_START): S.UNDER_REREVIEW,
    (S.UNDER_REREVIEW, Action.HEARING_END): S.UNDER_REREVIEW,
    (S.UNDER_REREVIEW, Action.REREVIEW_REPLY): S.FINAL,
    (S.FINAL, Action.DELIVER): S.FINAL,
    (S.FINAL, Action.RATE): S.FINAL,
    (S.IN_HANDLING, Action.CO_REPORT): S.IN_HANDLING,
    (S.IN_HANDLING, Action.REFER_DISPUTE): S.IN_HANDLING,
    (S.IN_HANDLING, Action.DECIDE_DISPUTE): S.IN_HANDLING,
    # 包案: a leader can take charge of a case at any point before it ends.
    **{
        (s, Action.ATTACH_LEADER): s
        for s in (
            S.REGISTERED,
            S.ACCEPTED,
            S.IN_HANDLING,
            S.REPLIED,
            S.UNDER_REVIEW,
            S.REVIEW_REPLIED,
            S.UNDER_REREVIEW,
        )
    },
    # 条例 §28¶3: whoever works on the case may (and when linked, must) step aside or say why not.
    **{
        (s, a): s
        for s in (S.IN_HANDLING, S.UNDER_REVIEW, S.UNDER_REREVIEW)
        for a in (Action.RECUSE, Action.ACKNOWLEDGE_CONFLICT, Action.CLEAR_CONFLICT_BAR)
    },
    # ADR 0005: the petition office sets (and corrects) the accused unit while the case is its own,
    # before it is routed out; an accusation without one cannot be routed (routing.guard_accused_known).
    (S.REGISTERED, Action.SET_ACCUSED): S.REGISTERED,
    (S.ACCEPTED, Action.SET_ACCUSED): S.ACCEPTED,
}


@dataclass(frozen=True)
class Permission:
    roles: frozenset[Role]
    sides: tuple[Side, ...]


_DISPATCH = Permission(frozenset({Role.DISPATCHER}), (Side.OFFICE,))
_FRONT_DESK = Permission(frozenset({Role.CLERK, Role.DISPATCHER}), (Side.OFFICE,))
_HANDLER = Permission(frozenset({Role.HANDLER, Role.UNIT_HEAD}), (Side.HANDLING,))
_WORKER = Permission(
    frozenset({Role.HANDLER, Role.UNIT_HEAD}), (Side.HANDLING, Side.REVIEW, Side.REREVIEW, Side.CO_HANDLING)
)

PERMISSIONS: dict[Action, Permission] = {
    Action.ACCEPT: _DISPATCH,
    Action.NOT_ACCEPT: _DISPATCH,
    Action.DIVERT: _DISPATCH,
    Action.MERGE: _DISPATCH,
    Action.TRANSFER: _DISPATCH,
    Action.ASSIGN: _DISPATCH,
    Action.FORWARD: _DISPATCH,
    Action.RETURN: _DISPATCH,
    Action.DISMISS_OBJECTION: _DISPATCH,
    Action.REOPEN: _DISPATCH,
    Action.OBJECT: _HANDLER,
    Action.MEDIATE: _HANDLER,
    Action.REPLY: _HANDLER,
    # 条例 §34: only the head of the handling organ approves an extension.
    Action.EXTEND: Permission(frozenset({Role.UNIT_HEAD}), (Side.HANDLING,)),
    Action.DELIVER: Permission(
        frozenset({Role.CLERK, Role.DISPATCHER, Role.HANDLER, Role.UNIT_HEAD}), (Side.OFFICE, Side.ISSUER)
    ),
    Action.RATE: _FRONT_DESK,
    Action.CLOSE: _FRONT_DESK,
    Action.REQUEST_REVIEW: _FRONT_DESK,
    Action.REQUEST_REREVIEW: _FRONT_DESK,
    Action.REVIEW_REPLY: Permission(frozenset({Role.HANDLER, Role.UNIT_HEAD}), (Side.REVIEW,)),
    Action.HEARING_START: Permission(frozenset({Role.HANDLER, Role.UNIT_HEAD}), (Side.REREVIEW,)),
    Action.HEARING_END: Permission(frozenset({Role.HANDLER, Role.UNIT_HEAD}), (Side.REREVIEW,)),
    Action.REREVIEW_REPLY: Permission(frozenset({Role.HANDLER, Role.UNIT_HEAD}), (Side.REREVIEW,)),
    Action.CO_REPORT: Permission(frozenset({Role.HANDLER, Role.UNIT_HEAD}), (Side.CO_HANDLING,)),
    Action.REFER_DISPUTE: _DISPATCH,
    Action.DECIDE_DISPUTE: Permission(
        frozenset({Role.HANDLER, Role.UNIT_HEAD, Role.LEADER}), (Side.DECIDER,)
    ),
    Action.ATTACH_LEADER: Permission(
        frozenset({Role.DISPATCHER, Role.LEADER}), (Side.OFFICE, Side.OVERSIGHT)
    ),
    Action.RECUSE: _WORKER,
    Action.ACKNOWLEDGE_CONFLICT: _WORKER,
    # the organ the request went to (its acceptance clock names it; see guards.ACTOR_GUARDS)
    Action.ACCEPT_REVIEW: Permission(frozenset({Role.HANDLER, Role.UNIT_HEAD}), (Side.REVIEW, Side.REREVIEW)),
    Action.SET_ACCUSED: _FRONT_DESK,
    # a supervisor whose territory covers the case, of another unit than the barred person's
    # (guards.ACTOR_GUARDS); never the accused person (conflicts.conflict_bar)
    Action.CLEAR_CONFLICT_BAR: Permission(frozenset({Role.SUPERVISOR}), (Side.OVERSIGHT,)),
}

# Actions that deal with a conflict of interest itself: allowed while the conflict is unresolved.
CONFLICT_ACTIONS = frozenset({Action.RECUSE, Action.ACKNOWLEDGE_CONFLICT})
# Roles whose acts on a case are checked for a conflict of interest (条例 §28¶3).


# What a petitioner may do for themselves (through the portal, once the portal has verified them):
# rate the answer (条例 §21¶2 evaluation), ask for 复查 (§35) and 复核 (§36).
CITIZEN_ACTIONS = frozenset({Action.RATE, Action.REQUEST_REVIEW, Action.REQUEST_REREVIEW})


def next_status(status: str, action: Action) -> Status:
    """The status `action` leads to from `status`, or raise TransitionNotAllowed."""
    try:
        return TABLE[(Status(status), action)]
    except (KeyError, ValueError):
        raise TransitionNotAllowed(
            f"“{Status(status).label if status in Status.values else status}”状态下不能{ACTION_LABELS[action]}",
            extra={"status": status, "action": str(action)},
        ) from None


def actions_from(status: str) -> list[Action]:
    return [action for (st, action) in TABLE if st == status]
