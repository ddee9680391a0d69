"""Leader reception (领导接待日): schedule rules, the roster of receiving leaders, their absences, the
sessions the generator makes, the bookings of citizens and the department heads invited (seeds/002
党政领导信访接待日制度 rules 1–5; 条例 §18¶2; regulations.md LD-1)."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q

from huiyin.cases.choices import PetitionType
from huiyin.reception.choices import (
    BookingChannel,
    BookingStatus,
    Frequency,
    Level,
    Outcome,
    ReferralStatus,
    SessionKind,
    SessionStatus,
    Weekday,
)


class ScheduleRule(models.Model):
    """How often the leaders of one level receive in a jurisdiction (and its territories below, unless
    they have their own). Without a row the seed defaults apply (huiyin.reception.rules.DEFAULTS)."""

    territory = models.ForeignKey("org.Territory", on_delete=models.CASCADE, related_name="+")
    level = models.CharField("接待层级", max_length=20, choices=Level.choices)
    frequency = models.CharField("频次", max_length=20, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(
        "接待日（星期）", choices=Weekday.choices, default=Weekday.WEDNESDAY
    )
    start_time = models.TimeField("开始时间", default=time(9, 0))
    end_time = models.TimeField("结束时间", default=time(12, 0))
    place = models.CharField("接待地点", max_length=200, blank=True)
    slots = models.PositiveSmallIntegerField("每次可预约数", default=8)
    article = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["territory", "level"], name="one_rule_per_level")]
        ordering = ["territory__path", "level"]
        verbose_name = "接待日规则"
        verbose_name_plural = "接待日规则"

    def __str__(self) -> str:
        return f"{self.territory}{self.get_level_display()}：{self.get_frequency_display()}"


class ReceptionLeader(models.Model):
    """A leader on the reception roster: level, portfolio (分工, the matters they receive), deputy."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reception")
    title = models.CharField("职务", max_length=60)
    level = models.CharField("接待层级", max_length=20, choices=Level.choices)
    portfolio = models.CharField("分管领域（接待事项）", max_length=200)
    weekday = models.PositiveSmallIntegerField(
        "本人接待日（空则按规则）", choices=Weekday.choices, null=True, blank=True
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="默认代接待领导",
    )
    is_active = models.BooleanField("在册", default=True)

    class Meta:
        ordering = ["level", "user__full_name"]
        verbose_name = "接待领导"
        verbose_name_plural = "接待领导"

    def __str__(self) -> str:
        return f"{self.user}（{self.title}）"


class Absence(models.Model):
    """A leader away on days they would receive: their sessions go to the deputy or another day."""

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateField("自")
    end = models.DateField("至")
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="代接待领导（空则改期）",
    )
    reason = models.CharField("事由", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-start"]
        verbose_name = "领导外出"
        verbose_name_plural = "领导外出"


class Session(models.Model):
    """One reception day of one leader. A leader never has two live sessions on one day."""

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # who the rule scheduled, when a deputy took the session over
    scheduled_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(max_length=20, choices=Level.choices)
    territory = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", help_text="安排和记录的信访部门"
    )
    date = models.DateField(db_index=True)
    planned_date = models.DateField(help_text="规则排定的日期（改期前）")
    start_time = models.TimeField()
    end_time = models.TimeField()
    place = models.CharField(max_length=200)
    portfolio = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    change_note = models.CharField(max_length=200, blank=True)
    # 下访/约访 (条例 §18¶2; seeds/000, 004): the leader goes to the place, or meets the people invited
    kind = models.CharField(max_length=12, choices=SessionKind.choices, default=SessionKind.DAY)
    purpose = models.CharField("下访/约访事由", max_length=200, blank=True)
    # the leader's agenda was sent the evening before (once)
    agenda_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "start_time", "id"]
        constraints = [
            # never double-book a leader (a cancelled session frees the day)
            models.UniqueConstraint(
                fields=["leader", "date"],
                condition=~Q(status="cancelled"),
                name="reception_one_session_per_leader_day",
            ),
        ]
        verbose_name = "接待场次"
        verbose_name_plural = "接待场次"

    def __str__(self) -> str:
        return f"{self.date} {self.leader}"


class Booking(models.Model):
    """A citizen's appointment with a session (online, or booked by the office for a walk-in)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="bookings")
    code = models.CharField("预约号", max_length=16, unique=True)
    channel = models.CharField(max_length=10, choices=BookingChannel.choices)
    status = models.CharField(max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号码", max_length=20)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    petition_type = models.CharField(
        max_length=20, choices=PetitionType.choices, default=PetitionType.COMPLAINT
    )
    title = models.CharField("反映事项", max_length=100)
    content = models.TextField("情况简述")
    territory = models.ForeignKey(
        "org.Territory", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_collective = models.BooleanField("集体访", default=False)
    headcount = models.PositiveIntegerField("人数", default=1)
    representatives = models.PositiveSmallIntegerField("参加接谈代表人数", default=1)
    urgent = models.BooleanField("突发性事项", default=False)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_deadline = models.DateField(null=True, blank=True)
    outcome_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    # the day the visit's 一次办结 is decided (the metric's time basis): the session's day when resolved on
    # the spot, else the day its 90-day window closes (huiyin.reception.metrics)
    settled_on = models.DateField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["session__date", "created_at", "id"]
        verbose_name = "接待预约"
        verbose_name_plural = "接待预约"

    def __str__(self) -> str:
        return f"{self.code} {self.session}"


class Invitation(models.Model):
    """A department head asked to attend a session (现场办公, seeds/002 rule 4)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    # whether the head came (seeds/002 rule 4: 到现场办公), recorded by the arranging office at or after
    # the session; None: not recorded yet
    attended = models.BooleanField("是否到场", null=True, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attendance_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="reception_one_invitation")]
        verbose_name = "现场办公邀请"
        verbose_name_plural = "现场办公邀请"


class Instruction(models.Model):
    """领导批示 (条例 §18¶2, LD-1: 阅办 with instructions): a leader's written instruction on a case to a
    unit, with a deadline; the unit answers, and an unanswered one past its deadline is overdue."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    text = models.TextField("批示内容")
    deadline = models.DateField("办理期限")
    created_at = models.DateTimeField()
    answer = models.TextField("落实情况", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"

    def state(self, today: object) -> str:
        if self.answered_at is not None:
            return "已落实" if self.answered_at.date() <= self.deadline else "逾期落实"
        return "逾期未落实" if today > self.deadline else "落实中"  # type: ignore[operator]


class HallWindow(models.Model):
    """A department stationed in the petition office's hall (一站式接待, seeds/003 §二(一)、(三): 职能部门派出
    工作人员入驻信访大厅，分门别类开设接待受理窗口; 条例 §18¶3, LD-2): its window and the days it is staffed."""

    office = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="信访大厅"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="入驻部门")
    number = models.CharField("窗口号", max_length=10)
    weekdays = models.CharField("坐班日（0=星期一…4=星期五）", max_length=7, default="01234")
    matters = models.CharField("受理事项", max_length=200, blank=True)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["office", "number"]
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="reception_one_window_number"),
            models.UniqueConstraint(fields=["office", "unit"], name="reception_one_window_per_unit"),
        ]
        verbose_name = "大厅窗口"
        verbose_name_plural = "大厅窗口"

    def __str__(self) -> str:
        return f"{self.number}号窗口 {self.unit}"

    def staffed_on(self, day: object) -> bool:
        return str(day.weekday()) in self.weekdays  # type: ignore[attr-defined]

    @property
    def weekday_labels(self) -> str:
        names = "一二三四五六日"
        return "、".join(f"周{names[int(c)]}" for c in self.weekdays if c.isdigit())


class HallReferral(models.Model):
    """A walk-in sent by the hall's clerk to a department's window; the department's officer registers
    it there as a petition their unit received directly (条例 §23¶1) and handles it: the same case record."""

    window = models.ForeignKey(HallWindow, on_delete=models.PROTECT, related_name="referrals")
    code = models.CharField("分流号", max_length=16, unique=True)
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.WAITING)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号码", max_length=20)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    petition_type = models.CharField(
        max_length=20, choices=PetitionType.choices, default=PetitionType.COMPLAINT
    )
    title = models.CharField("反映事项", max_length=100)
    content = models.TextField("情况简述")
    territory = models.ForeignKey(
        "org.Territory", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("窗口说明", max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "来访分流"
        verbose_name_plural = "来访分流"

    def __str__(self) -> str:
        return f"{self.code} → {self.window}"
