"""Running clocks: each stores its rule and an indexed due date; one sweeper flips their colour."""

from __future__ import annotations

from django.db import models

from huiyin.workflow.choices import ClockKind, ClockState


class Clock(models.Model):
    """A statutory time limit running on a case for one unit (e.g. 60 days to handle, 条例 §34)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="clocks")
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="clocks"
    )
    # The rule: n days of a unit, triggered by an event, as configured for the jurisdiction.
    rule_days = models.PositiveIntegerField()
    rule_unit = models.CharField(max_length=20)
    rule_article = models.CharField(max_length=200, blank=True)
    trigger = models.CharField(max_length=40)
    started_on = models.DateField()
    due_on = models.DateField(db_index=True)
    warn_on = models.DateField(db_index=True)
    beyond_calendar = models.BooleanField(default=False, help_text="期满日超出已知节假日安排，按周末推算")
    extended_days = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=12, choices=ClockState.choices, default=ClockState.RUNNING)
    paused_on = models.DateField(null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    stopped_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["state", "due_on"], name="clock_state_due"),
            models.Index(fields=["state", "warn_on"], name="clock_state_warn"),
            models.Index(fields=["unit", "state", "due_on"], name="clock_unit_state_due"),
        ]
        verbose_name = "时限"
        verbose_name_plural = "时限"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.due_on}"
