"""A petition case (信访事项) and what hangs off it: petitioners, original submission, attachments,
events, opinions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from huiyin.cases.choices import (
    Adoption,
    AssignmentKind,
    AssistanceKind,
    Channel,
    ContactState,
    Decision,
    DeliveryMethod,
    OpinionStage,
    Outcome,
    PetitionerKind,
    PetitionType,
    Rating,
    ReferralOutcome,
    RootCause,
    Status,
)
from huiyin.org.choices import TerritoryLevel

# 集体访 headcount: a sane bound for every form and schema (the column holds 2^31-1; 2^63 crashed it).
HEADCOUNT_MAX = 100_000


class AppendOnly(models.Model):
    """A record that is written once: updates and deletes raise (SPEC §1.3, §3.3)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{type(self).__name__} is append-only")


class Category(models.Model):
    """A node of the three-level subject taxonomy (一级/二级/三级分类)."""

    name = models.CharField(max_length=60)
    level = models.PositiveSmallIntegerField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    full_name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = "问题分类"
        verbose_name_plural = "问题分类"

    def __str__(self) -> str:
        return self.full_name

    @property
    def top(self) -> str:
        return self.full_name.split(" / ")[0]


class Petitioner(models.Model):
    """A person or organisation that brings a petition (信访人)."""

    kind = models.CharField(max_length=20, choices=PetitionerKind.choices, default=PetitionerKind.PERSON)
    # name, ID number and phone are looked up whole (cases.selectors.search_cases, find_petitioners):
    # each has its plain index in Meta and no `_like` (varchar_pattern_ops) twin, which only a LIKE
    # prefix query would use and none is made (issue 15; docs/bench.md)
    name = models.CharField(max_length=100)
    id_number = models.CharField(
        max_length=18, blank=True, help_text="居民身份证号（GB 11643）或统一社会信用代码"
    )
    phone = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["name"], name="petitioner_name"),
            models.Index(fields=["id_number"], name="petitioner_id_number"),
            models.Index(fields=["phone"], name="petitioner_phone"),
        ]
        verbose_name = "信访人"
        verbose_name_plural = "信访人"

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id(self) -> str:
        return f"{self.id_number[:3]}***********{self.id_number[-4:]}" if len(self.id_number) >= 8 else ""

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}" if len(self.phone) >= 7 else ""

    @property
    def masked_address(self) -> str:
        return mask_address(self.address)

    @property
    def masked_lookup_id(self) -> str:
        """3301**********1234, as the intake look-up shows it (issue 9, hole 3)."""
        return mask_id_number(self.id_number) if self.id_number else ""


def mask_id_number(value: str) -> str:
    """3301**********1234: the region's first four digits and the last four, never the birth date."""
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}" if len(value) >= 12 else ("*" * len(value))


def mask_phone(value: str) -> str:
    """138****5678."""
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 7 else ("*" * len(value))


def mask_address(value: str) -> str:
    """At most the first half (and at most six characters: town, village) and an ellipsis."""
    return value[: min(6, len(value) // 2)] + "…" if value else ""


class Case(models.Model):
    """A petition matter from registration to its final answer; status moves only through workflow."""

    # unique by the constraints in Meta (code, idempotency_key): a field's unique=True would add a
    # `_like` index on PostgreSQL that no query uses (both are only ever compared whole; issue 15).
    code = models.CharField("受理凭证编号", max_length=24)
    # no index of its own: case_status_recent begins with status (issue 15)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REGISTERED)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    petition_type = models.CharField(max_length=20, choices=PetitionType.choices)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    content = models.TextField("事实和理由")
    request = models.TextField("信访请求", blank=True)
    territory = models.ForeignKey(
        "org.Territory", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    address = models.CharField("问题发生地址", max_length=200, blank=True)
    accused_person = models.CharField("被反映人", max_length=100, blank=True)
    accused_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="accusations"
    )
    # The accused person's own staff account, when the office has identified it (ADR 0005): that
    # account never sees the case (条例 §30¶3) and nobody can clear it to act on it.
    accused_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="被反映人的工作人员账号",
    )
    # The office has checked the accused and found no unit of this system (e.g. a private company):
    # with this or an accused unit, an accusation may leave the petition office (ADR 0005).
    accused_unit_none = models.BooleanField("被反映人不属于本系统单位", default=False)
    is_collective = models.BooleanField("集体访", default=False)
    headcount = models.PositiveIntegerField("人数", default=1)  # at most HEADCOUNT_MAX from any form
    identity_unclear = models.BooleanField("姓名或住址不清", default=False)
    major_urgent = models.BooleanField("重大紧急", default=False)

    # office and handling_unit: no single-column index, case_office_status / case_handling_status
    # begin with them (issue 15)
    office = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="registered_cases",
        help_text="登记并负责分办的信访部门",
        db_index=False,
    )
    handling_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
        db_index=False,
    )
    assignment_kind = models.CharField(max_length=10, choices=AssignmentKind.choices, blank=True)
    assignment_deadline = models.DateField(null=True, blank=True)
    assignment_instructions = models.TextField(blank=True)
    completion_report = models.TextField("办结报告", blank=True)
    objection_pending = models.BooleanField(default=False)
    extension_days = models.PositiveIntegerField(default=0)
    review_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="reviewed_cases"
    )
    rereview_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="rereviewed_cases"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    rating = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    problem_solved = models.BooleanField(null=True, blank=True)
    is_final = models.BooleanField("复核终结", default=False)
    # The rule profile in force when the case was registered: a later switch applies to new cases only.
    rule_profile = models.ForeignKey(
        "org.RuleProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # 包案领导 (条例 §18¶2): the leader who owns the case; set only through workflow (attach_leader).
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name="包案领导",
    )

    # 条例 §29 (HD-2): a suggestion's answer says whether it was adopted; counted for the §41 report.
    adoption = models.CharField("建议采纳情况", max_length=20, choices=Adoption.choices, blank=True)
    # 条例 §27 (JU-2): how the closed matter was resolved, and the level of the unit that resolved it
    # (小事不出村、大事不出镇, §15¶3). Set only through workflow (close, divert).
    outcome = models.CharField("化解情况", max_length=20, choices=Outcome.choices, blank=True)
    resolved_level = models.PositiveSmallIntegerField(
        "化解层级", choices=TerritoryLevel.choices, null=True, blank=True
    )
    resolved_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="化解单位"
    )
    # 条例 §42 (SV-5): why the matter arose, recorded at closing, for the annual report (§41).
    root_cause = models.CharField("信访问题成因", max_length=30, choices=RootCause.choices, blank=True)
    # 越级走访 (条例 §20¶1, ¶4; JU-3): a visit made above the competent level is registered like any
    # other — never refused — with the guidance the petitioner was given toward the competent level.
    skipped_levels = models.BooleanField("越级走访", default=False)
    competent_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="有权处理的本级或上一级机关",
    )
    level_guidance = models.TextField("引导就地反映的说明", blank=True)
    # 打击报复 (条例 §18¶4, §46(六); CF-3): a report of retaliation is an accusation of its own, linked
    # to the case it retaliates for; the accused side never sees it (ADR 0005).
    retaliation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retaliation_reports",
        verbose_name="遭受打击报复所涉事项",
    )

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="case_code_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="case_idempotency_key_unique"),
        ]
        indexes = [
            models.Index(fields=["office", "status", "-registered_at"], name="case_office_status"),
            models.Index(fields=["handling_unit", "status", "-registered_at"], name="case_handling_status"),
            models.Index(fields=["status", "-registered_at", "-id"], name="case_status_recent"),
        ]
        verbose_name = "信访事项"
        verbose_name_plural = "信访事项"

    def __str__(self) -> str:
        from huiyin.core.audit import mask_text  # a title may carry a phone or ID number (admin, logs)

        return f"{self.code} {mask_text(self.title)}"


class CasePetitioner(models.Model):
    """A petitioner's part in a case; a collective visit names at most N representatives (条例 §20¶3)."""

    # no index of its own on case: one_party_per_petitioner begins with it (issue 15)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", db_index=False)
    petitioner = models.ForeignKey(Petitioner, on_delete=models.PROTECT, related_name="parties")
    is_representative = models.BooleanField(default=False)
    # The contact this case's own submission carried (or the one on record if it carried none).
    # Notices about this case go here, and the portal lists the case for this phone only: a
    # submission never rewrites the person's stored contact (issue 9, hole 1; SPEC §1.3).
    phone = models.CharField("本件联系电话", max_length=20, blank=True)  # indexed in Meta, no `_like` twin
    address = models.CharField("本件联系地址", max_length=200, blank=True)
    contact_state = models.CharField(
        "联系方式核实", max_length=20, choices=ContactState.choices, default=ContactState.ON_RECORD
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "petitioner"], name="one_party_per_petitioner")
        ]
        indexes = [models.Index(fields=["phone"], name="party_phone")]
        verbose_name = "信访人（事项）"
        verbose_name_plural = "信访人（事项）"

    @property
    def contact_is_new(self) -> bool:
        return self.contact_state == ContactState.UNVERIFIED

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Submission(AppendOnly):
    """The original submission exactly as received: immutable (SPEC §1.3, 条例 §19¶2)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="submission")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    payload = models.JSONField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = "原始材料"
        verbose_name_plural = "原始材料"


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.case.registered_at:%Y/%m}/{instance.case.code}/{instance.sha256[:16]}"


class Attachment(AppendOnly):
    """A scan, photo or recording attached to a case; never replaced once stored."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"


class CaseEvent(AppendOnly):
    """One step in a case's life (a transition or a clock change): append-only, the source of every
    timeline and statistic."""

    # no index of its own on case: event_case_time begins with it (issue 15). event_type keeps its
    # `_like` twin: supervision reads event_type__startswith ("clock_", "supervision_").
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    event_type = models.CharField(max_length=40, db_index=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="event_case_time")]
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"


class Opinion(models.Model):
    """A written answer: 信访处理意见书, 复查意见书 or 复核意见书 (条例 §32, §35, §36)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="opinions")
    stage = models.CharField(max_length=20, choices=OpinionStage.choices)
    request_summary = models.TextField("信访请求")
    facts_reasons = models.TextField("事实和理由")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    legal_basis = models.TextField("法律法规依据")
    review_route = models.TextField("复查复核途径", blank=True)
    agreement = models.TextField("调解协议或和解协议", blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    delivered_on = models.DateField(null=True, blank=True)
    delivery_method = models.CharField(max_length=20, choices=DeliveryMethod.choices, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = "意见书"
        verbose_name_plural = "意见书"


# --- t10-rules: assistance referrals and follow-up after finality (条例 §37; HD-10, RP-2) ------------


class AssistanceReferral(models.Model):
    """A referral of a petitioner in hardship to social or judicial assistance (条例 §37¶2), with the
    organ it went to and, once it answers, the outcome. It never changes the case's status."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assistance_referrals")
    kind = models.CharField("救助类别", max_length=20, choices=AssistanceKind.choices)
    organ = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="救助机关"
    )
    organ_name = models.CharField("救助机关名称", max_length=100)
    reason = models.TextField("困难情况")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    referred_on = models.DateField("转介日期")
    outcome = models.CharField(
        "结果", max_length=20, choices=ReferralOutcome.choices, default=ReferralOutcome.PENDING
    )
    outcome_note = models.TextField("结果说明", blank=True)
    outcome_on = models.DateField("结果日期", null=True, blank=True)

    class Meta:
        ordering = ["referred_on", "id"]
        verbose_name = "救助转介"
        verbose_name_plural = "救助转介"


class FollowUp(models.Model):
    """A follow-up (疏导教育、矛盾化解、帮扶救助) with a petitioner whose case is final (条例 §37¶3, §36¶3):
    due on a date, done with a note; the case is not reopened."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="跟进单位")
    plan = models.TextField("跟进内容")
    due_on = models.DateField("计划跟进日期", db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    done_on = models.DateField("跟进日期", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("跟进情况", blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "终结后跟进"
        verbose_name_plural = "终结后跟进"


class ExportJob(models.Model):
    """A staff list too long to stream while the user waits (issue 11 item 5: "large exports stream and
    show progress"): its kind (a declared `registry.ExportKind`: a case list, the 督办 orders, the
    排查台账 …), the list's filters, and its records as the user could see them when they asked (their
    ids, in the list's order), written to a workbook by the worker while the user's page polls
    `done_rows`. Only the user who asked may see the job or download its file; the file is removed
    after HUIYIN_EXPORT_KEEP_HOURS (it may hold full identity)."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "正在生成"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("导出类型", max_length=40, default="cases")
    where = models.CharField("列表", max_length=40)
    filename = models.CharField("文件名", max_length=120)
    heading = models.JSONField(default=list, blank=True)
    full_identity = models.BooleanField("完整身份信息", default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    record_ids = models.JSONField(default=list)  # the kind's records (case ids for a case list)
    total_rows = models.PositiveIntegerField("行数", default=0)
    done_rows = models.PositiveIntegerField("已写入行数", default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_state_display()}）"
