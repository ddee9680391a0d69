"""Vocabularies of supervision (督办, 条例 §40). English codes are fixed (docs/glossary.md)."""

from django.db import models


class CandidateReason(models.TextChoices):
    """Why the sweeper proposes a case for 督办 (条例 §40¶1: 推诿敷衍拖延、未按期办结…)."""

    OVERDUE = "overdue", "超期（红灯）"
    STALLED = "stalled", "长期无进展"
    RETURNED_TWICE = "returned_twice", "两次以上退回"
    DISSATISFIED_TWICE = "dissatisfied_twice", "两次评价不满意"


class CandidateState(models.TextChoices):
    OPEN = "open", "待处理"
    ORDERED = "ordered", "已督办"
    DISMISSED = "dismissed", "不予督办"


class OrderState(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
    ESCALATED = "escalated", "逾期未答复，已升级"


# Event types written on the case (the notify app may listen to them; see docs/supervision.md).
EVENT_ORDER = "supervision_order"
EVENT_ANSWER = "supervision_answer"
EVENT_ESCALATED = "supervision_escalated"
EVENT_MAJOR_URGENT = "major_urgent_report"
EVENT_DISMISSED = "supervision_dismissed"

EVENT_LABELS = {
    EVENT_ORDER: "督办",
    EVENT_ANSWER: "督办答复",
    EVENT_ESCALATED: "逾期未答复，升级督办",
    EVENT_MAJOR_URGENT: "重大紧急事项报告",
    EVENT_DISMISSED: "督办线索不予督办",
}
