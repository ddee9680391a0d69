"""Daily and monthly roll-ups of every registered metric, the working-day calendar they count with,
the unit backlog snapshot and the months whose figures are frozen (SPEC §3.7; docs/metrics.md)."""

from __future__ import annotations

from typing import Any

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


class Fact(models.Model):
    """The dimensions and sums one roll-up row holds (abstract: the daily and the monthly table)."""

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
        abstract = True


class DailyFact(Fact):
    """One metric's numerator and denominator on one day for one combination of dimensions.

    Written only by `services.rollup_days` (the worker's refresh, closing a month and the rebuild);
    every dashboard sums these rows (and MonthlyFact's) instead of scanning the case table."""

    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["metric", "day"], name="fact_metric_day"),
            models.Index(fields=["day"], name="fact_day"),
            models.Index(fields=["unit", "metric", "day"], name="fact_unit_metric_day"),
        ]
        verbose_name = "日统计"
        verbose_name_plural = "日统计"


class MonthlyFact(Fact):
    """The sums of one month's DailyFact rows per metric and combination of dimensions.

    Written by `services.rollup_days` in the same transaction as the daily rows, for every month it
    recomputes (a closed month's rows, like its days, are never rewritten); readers take whole months
    from here and only the days of a partial month from DailyFact (selectors.fact_parts)."""

    month = models.DateField(help_text="该月1日")

    class Meta:
        indexes = [
            models.Index(fields=["metric", "month"], name="mfact_metric_month"),
            models.Index(fields=["month"], name="mfact_month"),
            models.Index(fields=["unit", "metric", "month"], name="mfact_unit_metric_month"),
        ]
        verbose_name = "月统计"
        verbose_name_plural = "月统计"


def _derived_key(to: str) -> Any:
    """A ChartFact key: every value comes from a MonthlyFact row (whose foreign keys are checked) or a
    territory's parent chain, so it is not checked again on insert (five deferred checks a row at commit)
    and has no index of its own (rows are read by the scope index, never by a value)."""
    return models.ForeignKey(
        to,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


class ChartFact(Fact):
    """One month's sums of one metric per value of one dimension (or none), for one viewer's scope: the
    grain of the dashboards' charts, so a twelve-month chart reads a few hundred rows, not the monthly
    table's tens of thousands per month (docs/analytics.md, "Roll-ups").

    `dimension` names the one dimension column kept ("" for none: the metric's total; the others are
    NULL or blank). The scope is whose figures these are: a territory (every monthly row whose problem
    territory OR responsible unit's territory lies in or under it, counted once even when both do:
    selectors._dimensions_q with `scope_path`), a unit (its own rows: `scope_unit_id`), or neither
    (everyone's). Written by `services.rollup_month` from the month's MonthlyFact rows with one
    INSERT … SELECT, in the same transaction, so the three tables never disagree and a closed month's
    rows are frozen like its days."""

    month = models.DateField(help_text="该月1日")
    dimension = models.CharField(max_length=20, blank=True)
    scope_territory = _derived_key("org.Territory")
    scope_unit = _derived_key("org.Unit")
    unit = _derived_key("org.Unit")
    territory = _derived_key("org.Territory")
    category = _derived_key("cases.Category")

    class Meta:
        indexes = [
            # a leader's rows (scope_territory, no unit), a unit's (no territory, scope_unit), everyone's
            models.Index(
                fields=["dimension", "metric", "scope_territory", "scope_unit", "month"], name="cfact_scope"
            ),
            models.Index(fields=["month"], name="cfact_month"),
        ]
        verbose_name = "图表月统计"
        verbose_name_plural = "图表月统计"


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


class Document(models.Model):
    """A generated 公文: the monthly 通报 or the annual report of 条例 §41, one per period and territory.

    Generated on demand (the analytics pages) or by the worker's schedule (tasks.generate_documents);
    idempotent: the same period and territory is generated once and then downloaded as stored (an
    administrator may regenerate it, which replaces the files and says so in `regenerated`)."""

    class Kind(models.TextChoices):
        BULLETIN = "bulletin", "月度通报"
        ANNUAL = "annual", "年度报告"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    period = models.DateField(help_text="月度通报：该月1日；年度报告：该年1月1日")
    territory = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("发文字号", max_length=60)
    title = models.CharField(max_length=120)
    docx = models.BinaryField()
    xlsx = models.BinaryField(null=True, blank=True)
    figures = models.JSONField(default=dict, help_text="生成时的数字（与文件一致，便于核对）")
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    regenerated = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "period", "territory"], name="one_document_per_period")
        ]
        ordering = ["-period", "kind"]
        verbose_name = "统计文书"
        verbose_name_plural = "统计文书"

    def __str__(self) -> str:
        return self.title


class SurveyRound(models.Model):
    """One round of 民主评议 (万人评议机关): invited petitioners and residents rate each unit of the
    territory (SPEC §3.7; seeds 000 §四). Answers are anonymous (SurveyAnswer holds no person)."""

    title = models.CharField("评议名称", max_length=100)
    territory = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField("评议期间自")
    period_end = models.DateField("评议期间至")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_on = models.DateField("结束日期", null=True, blank=True)
    units = models.ManyToManyField("org.Unit", related_name="+", verbose_name="参评单位")

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = "民主评议"
        verbose_name_plural = "民主评议"

    def __str__(self) -> str:
        return self.title


class SurveyInvitation(models.Model):
    """A one-time invitation: only the token's hash is stored. `petitioner` is who was invited (so one
    person is invited once per round); it is never copied to the answer, and `used_on` keeps only the
    day, so answers cannot be matched to invitations by time."""

    class Source(models.TextChoices):
        PETITIONER = "petitioner", "近期信访人"
        RESIDENT = "resident", "群众代表"

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    source = models.CharField(max_length=12, choices=Source.choices)
    petitioner = models.ForeignKey(
        "cases.Petitioner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    used_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "petitioner"],
                condition=models.Q(petitioner__isnull=False),
                name="one_invitation_per_person",
            )
        ]
        verbose_name = "评议邀请"
        verbose_name_plural = "评议邀请"


class SurveyAnswer(models.Model):
    """One rating of one unit in one round: no person, no invitation, no time (anonymous)."""

    class Score(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="answers")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    score = models.CharField(max_length=12, choices=Score.choices)

    class Meta:
        indexes = [models.Index(fields=["round", "unit"], name="answer_round_unit")]
        verbose_name = "评议结果"
        verbose_name_plural = "评议结果"


class ScoreWeight(models.Model):
    """考核: the weight of one registered metric in a year's scorecard (an administrator sets them)."""

    year = models.PositiveSmallIntegerField()
    metric = models.CharField(max_length=40)
    weight = models.PositiveSmallIntegerField(help_text="权重（分）")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "metric"], name="one_weight_per_metric_year")]
        ordering = ["year", "metric"]
        verbose_name = "考核权重"
        verbose_name_plural = "考核权重"
