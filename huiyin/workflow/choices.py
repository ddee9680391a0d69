from django.db import models

from huiyin.org.rules import days_text


class ClockKind(models.TextChoices):
    """Every statutory clock a case can run (docs/regulations.md §4). The labels are names only: the
    figure ("办理（60日）") comes from the rule the clock was started with (`Clock.label`), so a
    浙江 or 山东 case never shows the national number (issue 10 item 8)."""

    ROUTING = "routing", "登记分办"
    NOTICE = "notice", "书面告知"
    OBJECTION = "objection", "异议期"
    ASSIGNMENT = "assignment", "交办期限"
    HANDLING = "handling", "办理"
    REVIEW_WINDOW = "review_window", "请求复查期"
    REVIEW = "review", "复查"
    REREVIEW_WINDOW = "rereview_window", "请求复核期"
    REREVIEW = "rereview", "复核"
    CO_HANDLING = "co_handling", "协办期限"
    DISPUTE = "dispute", "管辖争议决定"
    REVIEW_ACCEPTANCE = "review_acceptance", "复查复核受理决定"
    UNIT_ACCEPTANCE = "unit_acceptance", "受理告知"  # 条例 §23¶3, the receiving unit's


# Kinds whose time limit is a rule value of the profile (the others are set by a person: the 交办 and
# 协办 deadlines); their label carries the figure the clock was started with.
RULED_KINDS = frozenset(
    {
        ClockKind.ROUTING,
        ClockKind.NOTICE,
        ClockKind.OBJECTION,
        ClockKind.HANDLING,
        ClockKind.UNIT_ACCEPTANCE,
        ClockKind.REVIEW_WINDOW,
        ClockKind.REVIEW,
        ClockKind.REREVIEW_WINDOW,
        ClockKind.REREVIEW,
        ClockKind.DISPUTE,
        ClockKind.REVIEW_ACCEPTANCE,
    }
)


def clock_label(kind: str, days: int | None = None, unit: str | None = None) -> str:
    """A clock's name, with its rule figure when the clock's own rule is given: "办理（60日）",
    "登记分办（5个工作日）" under 浙江. Never a figure typed in here."""
    try:
        name = str(ClockKind(kind).label)
    except ValueError:
        return "时限"
    if kind in RULED_KINDS and days is not None and unit:
        return f"{name}（{days_text(days, unit)}）"
    return name


# Windows are time someone MAY act in: the petitioner's 复查/复核 request windows, and a receiving unit's
# 5 working days to object (条例 §23¶3; not objecting is no failure). They lapse; they are never
# "overdue" against an office, so they never turn red or feed 督办.
WINDOW_KINDS = (ClockKind.REVIEW_WINDOW, ClockKind.REREVIEW_WINDOW, ClockKind.OBJECTION)


class ClockState(models.TextChoices):
    RUNNING = "running", "进行中"
    YELLOW = "yellow", "黄灯预警"
    RED = "red", "红灯超期"
    PAUSED = "paused", "暂停（听证）"
    MET = "met", "按期完成"
    LATE = "late", "超期完成"
    EXPIRED = "expired", "期限届满"
    CANCELLED = "cancelled", "终止"
    HANDED_OVER = "handed_over", "停止计时（已导入法定途径）"


LIVE_STATES = (ClockState.RUNNING, ClockState.YELLOW, ClockState.RED, ClockState.PAUSED)


class CoTaskState(models.TextChoices):
    OPEN = "open", "协办中"
    REPORTED = "reported", "已报送"
    CANCELLED = "cancelled", "已撤销"


class DisputeState(models.TextChoices):
    OPEN = "open", "待决定"
    DECIDED = "decided", "已决定"


class ExtensionState(models.TextChoices):
    """A handler's request to extend the handling limit, decided by the unit head (条例 §34)."""

    PENDING = "pending", "待负责人审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"


class DraftState(models.TextChoices):
    """A 信访处理意见书 drafted by a handler, awaiting the unit head's sign-off where the profile asks it."""

    PENDING = "pending", "待负责人签发"
    SIGNED = "signed", "已签发"
    SUPERSEDED = "superseded", "已重新提交"
