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


# --- t10-rules: suggestions to organs (条例 §40¶2–4; SV-3) -----------------------------------------


class SuggestionKind(models.TextChoices):
    """条例 §40: 改进工作建议 (¶1), 完善政策建议 (¶2), 追究责任建议 (¶3)."""

    IMPROVE_WORK = "improve_work", "改进工作建议"
    IMPROVE_POLICY = "improve_policy", "完善政策建议"
    ACCOUNTABILITY = "accountability", "追究责任建议"


class Adoption(models.TextChoices):
    """条例 §40¶4: the organ gives written feedback on whether it adopted the suggestion."""

    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ADOPTED = "not_adopted", "不予采纳（须说明理由）"


EVENT_SUGGESTION = "suggestion_issued"
EVENT_SUGGESTION_FEEDBACK = "suggestion_feedback"
EVENT_LABELS[EVENT_SUGGESTION] = "向有关机关提出建议"
EVENT_LABELS[EVENT_SUGGESTION_FEEDBACK] = "建议采纳情况书面反馈"
