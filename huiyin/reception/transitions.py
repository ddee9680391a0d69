"""The small state machines of leader reception, as tables (huiyin/core/statetable.py `StateTable`).

A booking: 已预约 → 已接待 (the outcome recorded) or 已取消 (the session cancelled).
A session: 已排定 → 已接待 (a first visit recorded; more may follow) or 已取消.
A hall referral (一站式接待): 待窗口接待 → 窗口已登记办理 (the department's officer registers it) or 退回分流.
Who may take each action is the module's capability (huiyin.reception.permissions); the services also
check the side (the session's own office, the leader at their own session, the window's own unit).
"""

from __future__ import annotations

from django.db import models

from huiyin.core.statetable import StateTable
from huiyin.reception import permissions
from huiyin.reception.choices import BookingStatus, ReferralAction, ReferralStatus, SessionStatus


class Action(models.TextChoices):
    RECORD = "record", "记录接待结果"
    CANCEL = "cancel", "取消场次"


WHO: dict[str, frozenset[str]] = {Action.RECORD: permissions.RECORD, Action.CANCEL: permissions.MANAGE}

BOOKING_TABLE = StateTable(
    name="预约",
    transitions={
        (BookingStatus.BOOKED, Action.RECORD): BookingStatus.RECEIVED,
        (BookingStatus.BOOKED, Action.CANCEL): BookingStatus.CANCELLED,
    },
    may=WHO,
    states=BookingStatus,
    actions=Action,
    refused="您的岗位不能办理此项预约",
)
SESSION_TABLE = StateTable(
    name="接待场次",
    transitions={
        (SessionStatus.SCHEDULED, Action.RECORD): SessionStatus.HELD,
        (SessionStatus.HELD, Action.RECORD): SessionStatus.HELD,
        (SessionStatus.SCHEDULED, Action.CANCEL): SessionStatus.CANCELLED,
    },
    may=WHO,
    states=SessionStatus,
    actions=Action,
    refused="您的岗位不能安排领导接待日",
)
REFERRAL_TABLE = StateTable(
    name="来访分流",
    transitions={
        (ReferralStatus.WAITING, ReferralAction.TAKE): ReferralStatus.TAKEN,
        (ReferralStatus.WAITING, ReferralAction.RETURN): ReferralStatus.RETURNED,
    },
    may={ReferralAction.TAKE: permissions.WINDOW, ReferralAction.RETURN: permissions.WINDOW},
    states=ReferralStatus,
    actions=ReferralAction,
    refused="由入驻该窗口的部门工作人员办理",
)

# the tables as plain mappings (the table test reads them)
BOOKING = BOOKING_TABLE.transitions
SESSION = SESSION_TABLE.transitions
REFERRAL = REFERRAL_TABLE.transitions
