"""Vocabularies of outreach (SPEC §3.6): liaison pairings, visits, problems found, public commitments."""

from django.db import models


class PairingKind(models.TextChoices):
    """部门联村联企、领导联点联项、干部联户联人 (seeds/004 二(二)2)."""

    DEPT_VILLAGE = "dept_village", "部门联村"
    DEPT_ENTERPRISE = "dept_enterprise", "部门联企"
    LEADER_POINT = "leader_point", "领导联点"
    LEADER_PROJECT = "leader_project", "领导联项"
    CADRE_HOUSEHOLD = "cadre_household", "干部联户联人"


class PointKind(models.TextChoices):
    VILLAGE = "village", "村（社区）"
    ENTERPRISE = "enterprise", "企业"
    HOUSEHOLD = "household", "农户（群众）"
    PROJECT = "project", "项目"


class NormPeriod(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"


# The visit norm of each pairing kind when no VisitNorm row overrides it (configurable in the admin):
# a paired household every month, villages, enterprises, points and projects every quarter.
DEFAULT_NORMS: dict[str, tuple[str, int]] = {
    PairingKind.DEPT_VILLAGE: (NormPeriod.QUARTER, 1),
    PairingKind.DEPT_ENTERPRISE: (NormPeriod.QUARTER, 1),
    PairingKind.LEADER_POINT: (NormPeriod.QUARTER, 1),
    PairingKind.LEADER_PROJECT: (NormPeriod.QUARTER, 1),
    PairingKind.CADRE_HOUSEHOLD: (NormPeriod.MONTH, 1),
}


class ProblemState(models.TextChoices):
    OPEN = "open", "待处理"
    ANSWERED = "answered", "当场解答或解决"
    CASE = "case", "已转为信访事项"
    SCREENING = "screening", "已转入矛盾纠纷排查"


class CommitmentStatus(models.TextChoices):
    ONGOING = "ongoing", "践诺中"
    FULFILLED = "fulfilled", "已兑现"
    BROKEN = "broken", "未兑现"


class CommitmentAction(models.TextChoices):
    PROGRESS = "progress", "报告进展"
    FULFIL = "fulfil", "宣布兑现"
    BREAK = "break", "宣布未能兑现"


class Fulfilment(models.TextChoices):
    YES = "yes", "已兑现"
    PARTLY = "partly", "部分兑现"
    NO = "no", "未兑现"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


EVENT_DIARY_LINK = "outreach_diary_link"


class MeetingKind(models.TextChoices):
    """seeds/002 第四篇 (闻): 座谈会、民情沟通会、民主恳谈会."""

    TALK = "talk", "民情恳谈会"
    COMMUNICATION = "communication", "民情沟通会"
    DEMOCRATIC = "democratic", "民主恳谈会"


class IssueOutcome(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "当场答复"
    CASE = "case", "转为信访事项"
    COMMITMENT = "commitment", "转为公开承诺"


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", "已提议"
    SELECTED = "selected", "已列入为民办实事项目"
    DECLINED = "declined", "未列入"


class CommentResponse(models.TextChoices):
    """How the office handled a comment on a draft decision (公示、征求意见)."""

    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ADOPTED = "not_adopted", "未采纳"
