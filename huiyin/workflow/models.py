"""Running clocks: each stores its rule and an indexed due date; one sweeper flips their colour."""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from huiyin.workflow.choices import (
    LIVE_STATES,
    WINDOW_KINDS,
    ClockKind,
    ClockState,
    CoTaskState,
    DisputeState,
    DraftState,
    ExtensionState,
    clock_label,
)


class DayAfter(models.Func):
    """The day after a date column, written so it may stand in a stored generated column on both
    databases (PostgreSQL `date + 1`, SQLite `date(x, '+1 day')`: both deterministic)."""

    output_field = models.DateField()
    arity = 1

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s + 1)", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="date(%(expressions)s, '+1 day')", **extra)


# The first day a live clock shows its next colour (ADR 0008): a running clock turns yellow on its
# warning day, a yellow one red (and a window expires) the day after its due date (条例 §34: the due
# day itself is still on time). Red, paused and stopped clocks never flip again: NULL. Kept by the
# database from state, kind, warn_on and due_on, so no writer (start, extend, pause, resume, a bulk
# update elsewhere) can leave it stale; the sweeper reads only the clocks whose day has come.
NEXT_FLIP = models.Case(
    models.When(Q(state=ClockState.RUNNING, kind__in=WINDOW_KINDS), then=DayAfter(F("due_on"))),
    models.When(state=ClockState.RUNNING, then=F("warn_on")),
    models.When(state=ClockState.YELLOW, then=DayAfter(F("due_on"))),
    default=None,
    output_field=models.DateField(),
)


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
    # Why the clock stopped when it is neither met nor late (e.g. handed over to a 政法 organ, 条例 §28¶2).
    stop_reason = models.CharField("停止计时原因", max_length=200, blank=True)
    next_flip_at = models.GeneratedField(
        expression=NEXT_FLIP,
        output_field=models.DateField(null=True),
        db_persist=True,
        help_text="下次变色日期（由数据库按状态、预警日和期满日生成）",
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # only live, unflipped clocks are in it: the one-minute sweep reads a handful of entries
            models.Index(
                fields=["next_flip_at"], name="clock_next_flip", condition=Q(next_flip_at__isnull=False)
            ),
            models.Index(fields=["state", "due_on"], name="clock_state_due"),
            models.Index(fields=["state", "warn_on"], name="clock_state_warn"),
            models.Index(fields=["unit", "state", "due_on"], name="clock_unit_state_due"),
            # a unit's live clocks of one kind (the 待签收 tab: its running 签收 clocks): at 10M cases
            # the index above found a unit's 25k live clocks and read each to filter the kind (70 ms)
            # (the condition as ORs, not IN: PostgreSQL prints an IN list back with other casts than
            # it was written with, so a drop-and-recreate from pg_indexes — bench.generate — changed
            # its text; an IN query is still proved to imply it)
            models.Index(
                fields=["unit", "kind"],
                name="clock_unit_kind_live",
                condition=reduce(operator.or_, (Q(state=state) for state in LIVE_STATES)),
            ),
        ]
        verbose_name = "时限"
        verbose_name_plural = "时限"

    def __str__(self) -> str:
        return f"{self.label} → {self.due_on}"

    @property
    def label(self) -> str:
        """ "办理（60日）" from this clock's own rule (its profile), not from a national figure."""
        return clock_label(self.kind, self.rule_days, self.rule_unit)


class CoHandling(models.Model):
    """A co-handling unit's task in 一揽子解决: its own deadline, clock and completion report; the lead
    unit replies once, after every co-unit has reported."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="co_tasks")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="co_tasks")
    deadline = models.DateField("协办期限")
    instructions = models.TextField("协办要求", blank=True)
    state = models.CharField(max_length=12, choices=CoTaskState.choices, default=CoTaskState.OPEN)
    report = models.TextField("协办情况报告", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["unit", "state"], name="cotask_unit_state")]
        verbose_name = "协办任务"
        verbose_name_plural = "协办任务"

    def __str__(self) -> str:
        return f"{self.unit} 协办 {self.case_id}"


class CompetenceDispute(models.Model):
    """A dispute between organs over who is competent, decided by their common superior or, where they
    have none, by the 信访工作联席会议 (条例 §24)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="disputes")
    units = models.ManyToManyField("org.Unit", related_name="+", verbose_name="争议单位")
    decider = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="disputes_to_decide")
    reason = models.TextField("争议情况")
    state = models.CharField(max_length=12, choices=DisputeState.choices, default=DisputeState.OPEN)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField()
    decided_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["referred_at", "id"]
        indexes = [models.Index(fields=["decider", "state"], name="dispute_decider_state")]
        verbose_name = "管辖争议"
        verbose_name_plural = "管辖争议"

    def __str__(self) -> str:
        return f"管辖争议 {self.case_id} → {self.decider}"


class DeclaredRelation(models.Model):
    """A staff member's declared relation to a petitioner (亲属、利害关系): a conflict of interest on every
    case that petitioner brings (条例 §28¶3)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="relations")
    petitioner = models.ForeignKey("cases.Petitioner", on_delete=models.CASCADE, related_name="+")
    relation = models.CharField("关系", max_length=50)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "petitioner"], name="one_relation_per_pair")]
        verbose_name = "利害关系申报"
        verbose_name_plural = "利害关系申报"


class ExtensionRequest(models.Model):
    """A handler asks for more time (days, reason); the unit head approves or refuses (条例 §34:
    "经本机关负责人批准"). An approved request moves the handling clock; the reason is told to the
    petitioner."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="extension_requests")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    days = models.PositiveIntegerField("申请延长天数")
    reason = models.TextField("延期理由")
    state = models.CharField(max_length=12, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(state="pending"), name="one_pending_extension_per_case"
            )
        ]
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"

    def __str__(self) -> str:
        return f"{self.case_id}: {self.days}日（{self.get_state_display()}）"


class OpinionDraft(models.Model):
    """A handler's draft 信访处理意见书 submitted for the unit head's sign-off (rule `opinion_signoff`).
    The head issues it (the `reply` action, prefilled from the draft) and the draft records the opinion."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="opinion_drafts")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    request_summary = models.TextField("信访请求", blank=True)
    facts_reasons = models.TextField("事实和理由")
    decision = models.CharField(max_length=20)
    legal_basis = models.TextField("法律法规依据")
    review_route = models.TextField("复查复核途径", blank=True)
    completion_report = models.TextField("办结报告", blank=True)
    # 条例 §29 (t10-law): a suggestion's draft carries its adoption; the head's sign-off issues it with it
    adoption = models.CharField("采纳情况", max_length=20, blank=True)
    state = models.CharField(max_length=12, choices=DraftState.choices, default=DraftState.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    opinion = models.ForeignKey(
        "cases.Opinion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "意见书送签稿"
        verbose_name_plural = "意见书送签稿"

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_state_display()}"
