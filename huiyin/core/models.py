"""Cross-cutting records: the editable holiday calendar and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HolidayOverride(models.Model):
    """An administrator's correction to the national holiday calendar (a 调休 day or a new holiday)."""

    day = models.DateField(unique=True)
    is_workday = models.BooleanField()
    name = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day"]
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"

    def __str__(self) -> str:
        return f"{self.day} {'工作日' if self.is_workday else '休息日'} {self.name}"


class AuditEntry(models.Model):
    """An append-only record of a sensitive look or act: identity views, exports, refused routings."""

    class Kind(models.TextChoices):
        # 条例 §30¶3 / SPEC §1.3: the log shows who actually unmasked an identity, not every case page
        IDENTITY_VIEW = "identity_view", "查看信访人身份"
        EXPORT = "export", "导出"
        DOCUMENT = "document", "生成文书"
        ACCESS_DENIED = "access_denied", "越权访问"
        SEARCH = "search", "按身份信息搜索"  # a search by ID number, phone or a petitioner's name
        ADMIN_VIEW = "admin_view", "后台查看"  # the Django admin's pages of identity-bearing models
        OTP_RESET = "otp_reset", "重置两步验证"
        IDENTITY_SEARCH = "identity_search", "按身份证号、电话或姓名查询信访人"
        CONTACT_VERIFY = "contact_verify", "核实信访人联系方式"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["actor", "created_at"], name="core_audit_actor_time"),
            models.Index(fields=["case", "created_at"], name="core_audit_case_time"),
            models.Index(fields=["kind", "created_at"], name="core_audit_kind_time"),
        ]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit entries are append-only")
