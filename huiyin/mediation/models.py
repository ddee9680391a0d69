"""The dispute ledger (矛盾纠纷大排查) and mediation (人民/行政/司法调解, 三调联动) — SPEC §3.5.

Facts of 《中华人民共和国人民调解法》 (2010) the records carry: consent of each party (§17, §23), the
register, work records and the agreement (§27), the written agreement's content (§28–§30), follow-up
of performance (§31), the 30 days for 司法确认 (§33), the legal routes told when mediation fails (§26).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from huiyin.mediation.choices import (
    AgreementForm,
    Consent,
    CourtOutcome,
    DisputeKind,
    ItemSource,
    ItemStatus,
    MediationKind,
    PartySide,
    Performance,
    ResolutionLevel,
    RiskLevel,
)
from huiyin.mediation.transitions import State

SCHEDULED_OPENER = "系统按月开启"


class ScreeningRound(models.Model):
    """One periodic screening round (e.g. monthly) of a township: each reporting point — the township
    itself and each of its villages — files its items or an explicit zero report (零报告)."""

    township = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="+")
    period = models.DateField("排查月份", help_text="该月第一天")
    # None: opened by the monthly schedule (tasks.open_monthly_rounds), shown as 系统按月开启 — never a
    # made-up user
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    opened_at = models.DateTimeField()
    due_on = models.DateField("报送截止日")

    class Meta:
        ordering = ["-period", "township__path"]
        constraints = [models.UniqueConstraint(fields=["township", "period"], name="one_round_per_month")]
        verbose_name = "排查轮次"
        verbose_name_plural = "排查轮次"

    def __str__(self) -> str:
        return f"{self.township.name} {self.period:%Y年%m月}排查"

    @property
    def opener_label(self) -> str:
        """Who opened the round, in words: a person, or the monthly schedule."""
        if self.opened_by_id is None:
            return SCHEDULED_OPENER
        assert self.opened_by is not None
        return self.opened_by.full_name or self.opened_by.username


class RoundReport(models.Model):
    """A reporting point's report for a round: items filed, or 零报告 (nothing found). Opening a round
    writes one row per expected point, unfiled (`filed_at` empty): a missing report is a row the
    township sees, never an absence to infer."""

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="reports")
    point = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="+")
    zero = models.BooleanField("零报告", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "point"], name="one_report_per_point")]
        verbose_name = "排查报告"
        verbose_name_plural = "排查报告"


class ScreeningItem(models.Model):
    """A dispute found in screening: where, what, who, how risky; who answers for it and by when."""

    territory = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(
        ScreeningRound, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    source = models.CharField("来源", max_length=10, choices=ItemSource.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="screening_items"
    )
    # where another module's record came from (a 民情日记 problem: "outreach-problem-12"); one item each
    source_ref = models.CharField(max_length=60, blank=True, db_index=True)
    kind = models.CharField("纠纷类型", max_length=20, choices=DisputeKind.choices)
    summary = models.TextField("纠纷简要情况")
    parties = models.CharField("当事人", max_length=300, help_text="多人用顿号分隔")
    risk = models.CharField("风险等级", max_length=10, choices=RiskLevel.choices)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()
    responsible_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField("化解期限", null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.REPORTED)
    settled_on = models.DateField("化解日期", null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["status", "due_on"], name="item_status_due")]
        verbose_name = "矛盾纠纷排查台账"
        verbose_name_plural = "矛盾纠纷排查台账"

    def __str__(self) -> str:
        return f"排查第{self.pk}号 {self.get_kind_display()}"


class ItemNote(models.Model):
    """A progress note on an item (进展情况)."""

    item = models.ForeignKey(ScreeningItem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    text = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]


class Mediation(models.Model):
    """A mediation by one organ (a 人民调解委员会, a department, or the hand-off to a court). The chain
    of one dispute is `previous` (三调联动); it may start from a screening item or a petition case."""

    kind = models.CharField("调解类型", max_length=20, choices=MediationKind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    organ = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="mediations", help_text="调解组织或移交机关"
    )
    territory = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="+")
    dispute_kind = models.CharField("纠纷类型", max_length=20, choices=DisputeKind.choices)
    summary = models.TextField("纠纷简要情况")
    item = models.ForeignKey(
        ScreeningItem, null=True, blank=True, on_delete=models.PROTECT, related_name="mediations"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="mediations"
    )
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next"
    )
    # the first mediation of the dispute's chain (itself for the first): one dispute, one key
    dispute = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="chain_members"
    )
    # a later petition about the same dispute (矛盾不上交: it counts against the lower level)
    later_petition = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mediators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mediations")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    # 司法调解: the court it was handed to, where it sits, and its outcome once known
    court_name = models.CharField("人民法院", max_length=100, blank=True)
    court_territory = models.ForeignKey(
        "org.Territory", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    court_outcome = models.CharField("法院处理结果", max_length=20, choices=CourtOutcome.choices, blank=True)
    court_outcome_on = models.DateField(null=True, blank=True)
    court_note = models.TextField(blank=True)
    # 人民调解法 §26: termination and the legal routes the parties were told of
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.TextField("终止原因", blank=True)
    routes_told = models.TextField("告知的法律途径", blank=True)
    # where it ended: set by the services from the organ (or court) that reached the agreement
    resolution_level = models.CharField(max_length=10, choices=ResolutionLevel.choices, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    # the day it ended either way (agreed, terminated, or the court's outcome): the 矛盾不上交 date basis
    concluded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "调解案件"
        verbose_name_plural = "调解案件"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}第{self.pk}号"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """`concluded_on` follows the dates it is made of, whichever save writes them."""
        self.concluded_on = self.resolved_on or self.terminated_on or self.court_outcome_on
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "concluded_on"}
        super().save(*args, **kwargs)


class MediationParty(models.Model):
    """A party and their consent (人民调解法 §17: a party may refuse; §23: or ask to stop)."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField("姓名或名称", max_length=100)
    side = models.CharField(max_length=12, choices=PartySide.choices, default=PartySide.APPLICANT)
    phone = models.CharField(max_length=20, blank=True)
    consent = models.CharField(max_length=12, choices=Consent.choices, default=Consent.PENDING)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]


class Session(models.Model):
    """A mediation session and its work record (人民调解法 §27: 调解工作记录)."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=100)
    attendees = models.CharField("参加人员", max_length=300)
    record = models.TextField("调解工作记录")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["held_on", "id"]


class Agreement(models.Model):
    """The agreement (人民调解法 §28–§30): written — parties, main facts and dispute, obligations, how and by
    when performed, signed by the parties and the mediator with the seal, one copy each — or oral,
    recorded. Its performance is followed up at `follow_up_on` (§31)."""

    mediation = models.OneToOneField(Mediation, on_delete=models.PROTECT, related_name="agreement")
    form = models.CharField(max_length=10, choices=AgreementForm.choices)
    facts = models.TextField("纠纷的主要事实、争议事项")
    obligations = models.TextField("当事人达成调解协议的内容")
    performance_terms = models.TextField("履行的方式、期限")
    signed_on = models.DateField("生效日期")
    parties_signed = models.BooleanField("当事人已签名盖章或按指印", default=False)
    sealed = models.BooleanField("已加盖调解组织印章", default=False)
    copies = models.PositiveSmallIntegerField("份数", default=0)
    follow_up_on = models.DateField("回访履行情况日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    performance = models.CharField(max_length=16, choices=Performance.choices, blank=True)
    followed_up_on = models.DateField(null=True, blank=True)
    follow_up_note = models.TextField(blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    petition_answered = models.BooleanField(default=False)

    class Meta:
        verbose_name = "调解协议"
        verbose_name_plural = "调解协议"
