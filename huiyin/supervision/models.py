"""督办 (条例 §40): candidates found by the sweeper, orders to responsible units and their answers, and
who receives the immediate report of a major or urgent matter (条例 §25)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from huiyin.supervision.choices import Adoption, CandidateReason, CandidateState, OrderState, SuggestionKind


class SupervisionCandidate(models.Model):
    """A case the sweeper proposes for 督办, once per reason; a supervisor decides whether to order."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="supervision_candidates")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=30, choices=CandidateReason.choices)
    detail = models.CharField(max_length=200, blank=True)
    found_at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=12, choices=CandidateState.choices, default=CandidateState.OPEN)

    class Meta:
        ordering = ["-found_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "reason"], name="one_candidate_per_reason")]
        indexes = [models.Index(fields=["state", "-found_at"], name="candidate_state_found")]
        verbose_name = "督办线索"
        verbose_name_plural = "督办线索"

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.case_id}"


class SupervisionOrder(models.Model):
    """A 督办 order (督办单) to a responsible unit: instructions and a deadline; the unit answers it. An
    unanswered order past its deadline escalates to the unit above (level + 1). Part of the unit's record."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="supervision_orders")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="supervision_orders")
    level = models.PositiveSmallIntegerField("督办级别", default=1)
    escalated_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="escalated_to"
    )
    candidate = models.ForeignKey(
        SupervisionCandidate, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    instructions = models.TextField("督办要求")
    due_on = models.DateField("答复期限", db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=OrderState.choices, default=OrderState.OPEN)
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="order_unit_state"),
            models.Index(fields=["state", "due_on"], name="order_state_due"),
        ]
        verbose_name = "督办单"
        verbose_name_plural = "督办单"

    def __str__(self) -> str:
        return f"{self.level}级督办 {self.unit} {self.case_id}"


class UrgentReportRecipient(models.Model):
    """A leader who receives the immediate report of major/urgent matters in a territory (条例 §25)."""

    territory = models.ForeignKey("org.Territory", on_delete=models.CASCADE, related_name="+")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["territory", "leader"], name="one_recipient_per_territory")
        ]
        verbose_name = "重大紧急事项报告对象"
        verbose_name_plural = "重大紧急事项报告对象"

    def __str__(self) -> str:
        return f"{self.territory} → {self.leader}"


class Suggestion(models.Model):
    """A suggestion of the petition office to an organ (条例 §40¶2–4; SV-3): 改进工作, 完善政策 or 追究责任,
    with the organ's written feedback on adoption due by `due_on` (the profile's feedback days; 2022
    sets no limit, 2005 §36¶2 said 30 days). Listed by both sides; overdue when unanswered past due."""

    kind = models.CharField("建议类别", max_length=20, choices=SuggestionKind.choices)
    from_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="suggestions_made")
    to_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="suggestions_received")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions"
    )
    content = models.TextField("建议内容")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    issued_on = models.DateField("提出日期")
    due_on = models.DateField("书面反馈期限", db_index=True)
    article = models.CharField("依据", max_length=200)
    adoption = models.CharField("采纳情况", max_length=20, choices=Adoption.choices, blank=True)
    feedback = models.TextField("书面反馈", blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    feedback_on = models.DateField("反馈日期", null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["to_unit", "feedback_on"], name="suggestion_to_open")]
        verbose_name = "建议"
        verbose_name_plural = "建议"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_unit_id}"


class SweepState(models.Model):
    """Where the 督办 sweeper stands (services.sweep_supervision): when its last minute began and the
    day of its last full pass."""

    key = models.CharField(max_length=20, primary_key=True, default="supervision")
    last_run_at = models.DateTimeField(null=True, blank=True)
    full_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "督办扫描进度"
        verbose_name_plural = "督办扫描进度"
