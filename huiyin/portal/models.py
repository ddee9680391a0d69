"""What the citizen portal stores besides the case: the receipt's second factor, sign-in codes,
and the public contact details of petition offices (条例 §18¶1)."""

from __future__ import annotations

from django.db import models


class TrackingSecret(models.Model):
    """The second factor printed on a receipt (查询码): only its keyed hash is kept; the secret is shown
    once. Also holds the petitioner's consent to publish the anonymised reply."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="tracking_secret")
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    publish_consent = models.BooleanField("同意匿名公开答复", default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    publish_approved = models.BooleanField(
        "管理员已审核公开", default=False, help_text="信访人同意且管理员审核后，匿名答复才在门户公开"
    )

    class Meta:
        verbose_name = "查询码"
        verbose_name_plural = "查询码"

    def __str__(self) -> str:
        return f"{self.case.code}"


class LoginCode(models.Model):
    """A one-time code sent to a phone or e-mail address so a citizen can list their own cases."""

    address = models.CharField(max_length=254, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "登录验证码"
        verbose_name_plural = "登录验证码"


class OfficeInfo(models.Model):
    """The public face of a petition office: reception times, places and channels (条例 §18¶1)."""

    unit = models.OneToOneField("org.Unit", on_delete=models.CASCADE, related_name="public_info")
    reception_hours = models.CharField(
        "接待时间", max_length=200, default="工作日 上午9:00—12:00，下午14:00—17:00（法定节假日除外）"
    )
    reception_place = models.CharField("接待地点", max_length=200, blank=True)
    mailing_address = models.CharField("通信地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=10, blank=True)
    hotline = models.CharField("咨询投诉电话", max_length=60, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    notes = models.TextField("其他便民事项", blank=True)
    is_published = models.BooleanField("公开", default=True)

    class Meta:
        verbose_name = "信访部门公开信息"
        verbose_name_plural = "信访部门公开信息"

    def __str__(self) -> str:
        return self.unit.name
