"""Supervision's case event types (ADR 0007): 督办 orders, answers and escalations, dismissed
candidates, and the 重大紧急 report (条例 §25). None of them is shown to the petitioner; the people each
order, answer or report names are told, by SMS too for a major/urgent report and an escalated 督办."""

from __future__ import annotations

from huiyin.core.registry import EventType, Phase
from huiyin.supervision.choices import (
    EVENT_ANSWER,
    EVENT_DISMISSED,
    EVENT_ESCALATED,
    EVENT_LABELS,
    EVENT_MAJOR_URGENT,
    EVENT_ORDER,
)
from huiyin.workflow.events import named_in_data

EVENTS = (
    EventType(
        EVENT_ORDER,
        EVENT_LABELS[EVENT_ORDER],
        Phase.SUPERVISION,
        notice="{unit_name}被督办：{reason}",
        tells=named_in_data,
    ),
    EventType(
        EVENT_ANSWER,
        EVENT_LABELS[EVENT_ANSWER],
        Phase.SUPERVISION,
        notice="被督办单位已答复{late}：{reason}",
        tells=named_in_data,
    ),
    EventType(
        EVENT_ESCALATED,
        EVENT_LABELS[EVENT_ESCALATED],
        Phase.SUPERVISION,
        notice="{unit_name}逾期未答复督办，升级为第{level}级督办。",
        tells=named_in_data,
        urgent=True,
    ),
    EventType(
        EVENT_MAJOR_URGENT,
        EVENT_LABELS[EVENT_MAJOR_URGENT],
        Phase.SUPERVISION,
        notice="重大、紧急信访事项，请立即研究处置（条例第二十五条）。",
        tells=named_in_data,
        urgent=True,
    ),
    EventType(EVENT_DISMISSED, EVENT_LABELS[EVENT_DISMISSED], Phase.SUPERVISION),
)
