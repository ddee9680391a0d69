"""Outreach (SPEC §3.6): liaison points and pairings, 民情日记 with the problems found and their
follow-up, and public commitments (践诺) with progress, evidence and citizens' ratings.

Commitments and their updates and ratings are never deleted (a late or broken promise stays visible):
`delete()` refuses on the model and on its querysets, the admin is read-only.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from huiyin.outreach.choices import (
    CommentResponse,
    CommitmentStatus,
    Fulfilment,
    IssueOutcome,
    MeetingKind,
    NormPeriod,
    PairingKind,
    PointKind,
    ProblemState,
    ProposalState,
    Satisfaction,
)


class NeverDeleted(Exception):
    """A public record (commitment, its progress, a rating) cannot be deleted."""


class _KeptQuerySet(models.QuerySet):
    def delete(self) -> Any:
        raise NeverDeleted("践诺记录不可删除")


class _Kept(models.Model):
    objects = _KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise NeverDeleted("践诺记录不可删除")


class LiaisonPoint(models.Model):
    """A place or person cadres are paired with: a village or community, an enterprise, a household,
    a project. Every point lies in a territory (a village for all but a village point itself)."""

    kind = models.CharField("类型", max_length=20, choices=PointKind.choices)
    name = models.CharField("名称", max_length=100)
    territory = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="liaison_points")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["territory__path", "kind", "name"]
        verbose_name = "联系点"
        verbose_name_plural = "联系点"

    def __str__(self) -> str:
        return self.name


class Pairing(models.Model):
    """Who (a department, a leader, a cadre) is paired with which point, for which period."""

    kind = models.CharField("联系方式", max_length=20, choices=PairingKind.choices)
    point = models.ForeignKey(LiaisonPoint, on_delete=models.PROTECT, related_name="pairings")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="liaison_pairings")
    cadre = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="liaison_pairings"
    )
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    created_by = models.ForeignKey("org.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["point__territory__path", "kind", "id"]
        verbose_name = "联系结对"
        verbose_name_plural = "联系结对"

    def __str__(self) -> str:
        who = self.cadre.full_name if self.cadre else self.unit.name
        return f"{who} {self.get_kind_display()} {self.point.name}"


class VisitNorm(models.Model):
    """How often a point of a pairing kind must be visited (configurable; DEFAULT_NORMS otherwise)."""

    kind = models.CharField("联系方式", max_length=20, choices=PairingKind.choices, unique=True)
    period = models.CharField("周期", max_length=10, choices=NormPeriod.choices)
    visits = models.PositiveSmallIntegerField("每周期走访次数", default=1)

    class Meta:
        verbose_name = "走访频次要求"
        verbose_name_plural = "走访频次要求"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.get_period_display()}{self.visits}次"


class DiaryEntry(models.Model):
    """One visit (民情日记): when, where, whom the cadre met, what was heard."""

    author = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="diary_entries")
    pairing = models.ForeignKey(
        Pairing, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    point = models.ForeignKey(LiaisonPoint, on_delete=models.PROTECT, related_name="entries")
    visited_on = models.DateField("走访日期")
    place = models.CharField("地点", max_length=200)
    people_met = models.TextField("走访的农户或群众", help_text="仅工作人员可见，不公开")
    heard = models.TextField("听到的情况")
    client_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = "民情日记"
        verbose_name_plural = "民情日记"

    def __str__(self) -> str:
        return f"{self.visited_on} {self.point.name}"


class DiaryPhoto(models.Model):
    entry = models.ForeignKey(DiaryEntry, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="outreach/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = "走访照片"
        verbose_name_plural = "走访照片"


class Problem(models.Model):
    """A problem found on a visit; one action turns it into a case (变上访为下访) or a screening item."""

    entry = models.ForeignKey(DiaryEntry, on_delete=models.CASCADE, related_name="problems")
    text = models.TextField("发现的问题")
    state = models.CharField(max_length=20, choices=ProblemState.choices, default=ProblemState.OPEN)
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="outreach_problem"
    )
    # 本人同意登记 (the person's consent to register their matter, with how it was given)
    consent_given = models.BooleanField(default=False)
    consent_note = models.CharField(max_length=200, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    # the mediation app's screening item, once the mediation helper's service exists (services.py)
    screening_ref = models.CharField(max_length=40, blank=True)
    answer = models.TextField("当场答复", blank=True)
    handled_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "走访发现的问题"
        verbose_name_plural = "走访发现的问题"

    def __str__(self) -> str:
        return self.text[:30]


class FollowUp(models.Model):
    """回访 or follow-up recorded on a diary entry (optionally on one of its problems)."""

    entry = models.ForeignKey(DiaryEntry, on_delete=models.CASCADE, related_name="followups")
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.TextField("跟进情况")
    author = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "跟进记录"
        verbose_name_plural = "跟进记录"


class Commitment(_Kept):
    """A public promise (践诺): what, for whom, by when, with which measurable result."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="commitments")
    cadre = models.ForeignKey("org.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    territory = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="commitments")
    title = models.CharField("承诺事项", max_length=200)
    beneficiaries = models.CharField("服务对象", max_length=200)
    measure = models.CharField("可衡量的结果", max_length=300)
    due_on = models.DateField("承诺完成日期")
    status = models.CharField(
        max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.ONGOING
    )
    closed_on = models.DateField(null=True, blank=True)
    # the day the promise is judged kept or not (践诺落实率's time basis): the day it closed when that
    # was before its date, else its date — a late promise counts as not kept from its date on
    decided_on = models.DateField(editable=False)
    published_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "公开承诺"
        verbose_name_plural = "公开承诺"

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.decided_on = min(self.due_on, self.closed_on) if self.closed_on else self.due_on
        fields = kwargs.get("update_fields")
        if fields is not None and ("closed_on" in fields or "due_on" in fields):
            kwargs["update_fields"] = {*fields, "decided_on"}
        super().save(*args, **kwargs)


class CommitmentUpdate(_Kept):
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="updates")
    action = models.CharField(max_length=20)
    text = models.TextField("进展情况")
    progress = models.PositiveSmallIntegerField("完成进度（%）")
    evidence = models.FileField(upload_to="commitments/%Y/%m/", blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "践诺进展"
        verbose_name_plural = "践诺进展"


class CommitmentRating(_Kept):
    """One verified person's rating: only a keyed hash of the signed-in phone is kept (one per person)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="ratings")
    voter_hash = models.CharField(max_length=64)
    fulfilment = models.CharField("是否兑现", max_length=10, choices=Fulfilment.choices)
    satisfaction = models.CharField("满意度", max_length=20, choices=Satisfaction.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commitment", "voter_hash"], name="one_rating_per_person")
        ]
        verbose_name = "群众评价"
        verbose_name_plural = "群众评价"


class Meeting(models.Model):
    """民情恳谈会 / 民情沟通会: where, when, who attended, the issues raised and what became of each."""

    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    title = models.CharField("主题", max_length=200)
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=200)
    territory = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="outreach_meetings")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="outreach_meetings")
    attendees = models.TextField("参会人员", help_text="仅工作人员可见，不公开")
    convened_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "民情恳谈会"
        verbose_name_plural = "民情恳谈会"

    def __str__(self) -> str:
        return self.title


class MeetingIssue(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="issues")
    text = models.TextField("群众提出的问题")
    outcome = models.CharField(max_length=20, choices=IssueOutcome.choices, default=IssueOutcome.OPEN)
    answer = models.TextField("当场答复", blank=True)
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="outreach_meeting_issue"
    )
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_issues"
    )
    consent_note = models.CharField(max_length=200, blank=True)
    handled_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "恳谈会问题"
        verbose_name_plural = "恳谈会问题"


class ProjectProposal(models.Model):
    """为民办实事: a citizen's proposal of a practical project. Only a keyed hash of the proposer's
    verified phone is kept (never shown); once selected it becomes a public commitment of its owner unit
    with a budget and a year, whose progress and ratings are the commitment's."""

    title = models.CharField("项目名称", max_length=200)
    description = models.TextField("项目内容和理由")
    territory = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="project_proposals")
    proposer_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=ProposalState.choices, default=ProposalState.PROPOSED)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    budget = models.DecimalField("预算（万元）", max_digits=10, decimal_places=2, null=True, blank=True)
    reason = models.CharField("未列入的理由", max_length=300, blank=True)
    commitment = models.OneToOneField(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="project"
    )
    decided_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "为民办实事提议"
        verbose_name_plural = "为民办实事提议"

    def __str__(self) -> str:
        return self.title


class Consultation(models.Model):
    """A draft decision on a major question published for comment (公示制、征求意见; seeds/000)."""

    title = models.CharField("决策事项", max_length=200)
    draft = models.TextField("草案内容")
    territory = models.ForeignKey("org.Territory", on_delete=models.PROTECT, related_name="consultations")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="consultations")
    opens_on = models.DateField("征求意见开始")
    closes_on = models.DateField("征求意见截止")
    published_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"

    def __str__(self) -> str:
        return self.title


class ConsultationComment(models.Model):
    """A citizen's comment: anonymous in public unless they chose to be named (the identity rules of a
    suggestion, 条例 §29); only a keyed hash of the verified phone is kept."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="comments")
    text = models.TextField("意见")
    commenter_hash = models.CharField(max_length=64)
    public_name = models.CharField("公开署名", max_length=50, blank=True)
    created_at = models.DateTimeField()
    response = models.CharField(max_length=20, choices=CommentResponse.choices, blank=True)
    reason = models.TextField("理由", blank=True)
    responded_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "意见"
        verbose_name_plural = "意见"


class Hearing(models.Model):
    """听证: a hearing on the consultation, with its participants and minutes."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="hearings")
    held_on = models.DateField("听证日期")
    place = models.CharField("地点", max_length=200)
    participants = models.TextField("听证参加人")
    minutes = models.TextField("听证纪要")
    recorded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = "听证"
        verbose_name_plural = "听证"


class CoverageCheck(models.Model):
    """One pairing's visits in one norm period of its kind (a calendar month or quarter): the rows of
    the 走访覆盖率 and 走访频次 figures (outreach/metrics.py), dated by the period's last day. Built by
    outreach/checks.py from the same count as the coverage page; the period's norm is kept as it was."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="checks")
    period = models.CharField(max_length=10, choices=NormPeriod.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    required = models.PositiveSmallIntegerField()
    visits = models.PositiveIntegerField()
    met = models.BooleanField()

    class Meta:
        ordering = ["ends_on", "pairing_id"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "ends_on"], name="outreach_check_once_per_period")
        ]
        verbose_name = "走访覆盖考核"
        verbose_name_plural = "走访覆盖考核"
