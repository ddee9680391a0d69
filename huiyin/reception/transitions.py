"""The small state machines of leader reception, as tables (like huiyin/workflow/transitions.py).

A booking: 已预约 → 已接待 (the outcome recorded) or 已取消 (the session cancelled).
A session: 已排定 → 已接待 (a first visit recorded; more may follow) or 已取消.
Who may take each action is the module's capability (huiyin.reception.permissions); the services also
check the side (the session's own office, or the leader at their own session).
"""

from __future__ import annotations

from django.db import models

from huiyin.reception import permissions
from huiyin.reception.choices import BookingStatus, SessionStatus


class Action(models.TextChoices):
    RECORD = "record", "记录接待结果"
    CANCEL = "cancel", "取消场次"


BOOKING: dict[tuple[str, str], str] = {
    (BookingStatus.BOOKED, Action.RECORD): BookingStatus.RECEIVED,
    (BookingStatus.BOOKED, Action.CANCEL): BookingStatus.CANCELLED,
}
SESSION: dict[tuple[str, str], str] = {
    (SessionStatus.SCHEDULED, Action.RECORD): SessionStatus.HELD,
    (SessionStatus.HELD, Action.RECORD): SessionStatus.HELD,
    (SessionStatus.SCHEDULED, Action.CANCEL): SessionStatus.CANCELLED,
}
WHO: dict[str, frozenset[str]] = {Action.RECORD: permissions.RECORD, Action.CANCEL: permissions.MANAGE}
