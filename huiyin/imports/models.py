"""Imports of historical cases (历史信访事项导入, issue 11 item 6): each upload is a batch, validated as a
whole; each case it brought in is linked to it with its key in the old system."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from huiyin.imports.choices import BatchState


class ImportBatch(models.Model):
    """One uploaded file of historical cases: validated all-or-nothing, then written in one transaction."""

    office = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField("文件内容", editable=False)
    state = models.CharField(max_length=12, choices=BatchState.choices, default=BatchState.QUEUED)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    checked_rows = models.PositiveIntegerField("已校验行数", default=0)
    imported_rows = models.PositiveIntegerField("导入件数", default=0)
    skipped_rows = models.PositiveIntegerField("已导入过而跳过的行数", default=0)
    # [{"row": n, "column": "登记时间", "message": "…"}] in row order (the first MAX_ERRORS)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField("用时（秒）", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_state_display()}）"


class ImportedCase(models.Model):
    """A case brought in from an older system: its own key there (idempotent re-import) and its batch."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="imported")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="cases")
    source_key = models.CharField("原系统编号", max_length=60, unique=True)
    row_number = models.PositiveIntegerField("行号")

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = "导入的历史事项"
        verbose_name_plural = "导入的历史事项"

    def __str__(self) -> str:
        return self.source_key
