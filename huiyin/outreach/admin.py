"""Read-only inspection (commitments and their ratings are never edited or deleted here)."""

from typing import Any

from django.contrib import admin

from huiyin.outreach import models


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(models.VisitNorm)
class VisitNormAdmin(admin.ModelAdmin):
    """The visit norm per pairing kind is configuration: an administrator sets it here."""

    list_display = ("kind", "period", "visits")


for m in (
    models.LiaisonPoint,
    models.Pairing,
    models.DiaryEntry,
    models.Problem,
    models.FollowUp,
    models.Commitment,
    models.CommitmentRating,
):
    admin.site.register(m, ReadOnly)


@admin.register(models.CommitmentUpdate)
class CommitmentUpdateAdmin(ReadOnly):
    # the admin would link the evidence file by its storage URL, which Huiyin never makes (a presigned
    # link on S3 would work for whoever holds it, 条例 §30; huiyin/core/objectstore.py)
    exclude = ("evidence",)
