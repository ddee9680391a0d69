"""Daily roll-ups of every registered metric, the working-day calendar they count with, the unit
backlog snapshot and the months whose figures are frozen (SPEC §3.7; docs/metrics.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarDay(models.Model):
    """One day of the working-day calendar as a table, so working days are counted in SQL:
    working days in (a, b] = workday_seq(b) − workday_seq(a) (core.workdays.working_days_between)."""

    day = models.DateField(primary_key=True)
    is_workday = models.BooleanField()
    workday_seq = models.IntegerField(help_text="自起算日起累计的工作日数（含本日）")

    class Meta:
        ordering = ["day"]
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"


class DailyFact(models.Model):
    """One metric's numerator and denominator on one day for one combination of dimensions.

    Written only by `services.rollup_refresh` (the worker) and the rebuild command; every dashboard
    sums these rows instead of scanning the case table."""

    day = models.DateField()
    metric = models.CharField(max_length=40)
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    territory = models.ForeignKey(
        "org.Territory", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    petition_type = models.CharField(max_length=20, blank=True)
    category = models.ForeignKey(
        "cases.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=20, blank=True)
    num = models.BigIntegerField(default=0)
    den = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["metric", "day"], name="fact_metric_day"),
            models.Index(fields=["day"], name="fact_day"),
            models.Index(fields=["unit", "metric", "day"], name="fact_unit_metric_day"),
        ]
        verbose_name = "日统计"
        verbose_name_plural = "日统计"


class BacklogSnapshot(models.Model):
    """A unit's open work on one day: cases with a live duty clock, of them yellow (临期) and red (超期)."""

    day = models.DateField()
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    open = models.PositiveIntegerField(default=0)
    due_soon = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="one_backlog_per_unit_day")]
        indexes = [models.Index(fields=["day"], name="backlog_day")]
        verbose_name = "积案快照"
        verbose_name_plural = "积案快照"


class RollupState(models.Model):
    """Where the incremental roll-up stands: the last event it saw and when it ran."""

    key = models.CharField(max_length=20, primary_key=True, default="daily")
    last_event_id = models.BigIntegerField(default=0)
    last_day = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "统计进度"
        verbose_name_plural = "统计进度"


class ClosedMonth(models.Model):
    """A month whose figures are frozen: the roll-up never rewrites its days again (a late event is
    counted on its own day, in an open month)."""

    month = models.DateField(unique=True, help_text="该月1日")
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = "已关账月份"
        verbose_name_plural = "已关账月份"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
