"""Supervision's case event types (ADR 0007): 督办 orders, answers and escalations, dismissed
candidates, and the 重大紧急 report (条例 §25). None of them is shown to the petitioner; the people each
order, answer or report names are told, by SMS too for a major/urgent report and an escalated 督办."""

from __future__ import annotations

from huiyin.core.registry import EventType, Phase
from huiyin.org import roles
from huiyin.org.selectors import unit_staff
from huiyin.supervision.choices import (
    EVENT_ANSWER,
    EVENT_DISMISSED,
    EVENT_ESCALATED,
    EVENT_LABELS,
    EVENT_MAJOR_URGENT,
    EVENT_ORDER,
    EVENT_SUGGESTION,
    EVENT_SUGGESTION_FEEDBACK,
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
    # t10-rules, SV-3 (条例 §40¶4): the organ a suggestion about a case went to is told when its written
    # feedback is due; the feedback itself is the office's to read on the suggestions page
    EventType(
        EVENT_SUGGESTION,
        EVENT_LABELS[EVENT_SUGGESTION],
        Phase.SUPERVISION,
        notice="信访部门提出{kind_label}，请于{due_on}前书面反馈采纳情况（条例第四十条第四款）。",
        tells=lambda event: unit_staff([(event.data or {}).get("to_unit")], roles.ANSWER_SUGGESTION),
    ),
    EventType(EVENT_SUGGESTION_FEEDBACK, EVENT_LABELS[EVENT_SUGGESTION_FEEDBACK], Phase.SUPERVISION),
)
