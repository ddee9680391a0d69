"""Superusers inspect data here; workflow fields are read-only (changes go through the services).

Identity never shows in the admin (SPEC §1.3, 条例 §30¶3): petitioners, case parties and attachments
are not registered; submissions show their payload with names, ID numbers, phones and addresses
masked; a case shows no free text (content, request, address, accused person) where identity hides.
Every list and object page of these models is an `admin_view` audit row (huiyin.core.admin).
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from huiyin.cases.models import Case, CaseEvent, Category, Opinion, Submission
from huiyin.core.admin import AuditedReadOnlyAdmin
from huiyin.core.audit import mask_identity, mask_text


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(AuditedReadOnlyAdmin):
    list_display = (
        "code",
        "title_masked",
        "status",
        "petition_type",
        "channel",
        "office",
        "handling_unit",
        "registered_at",
    )
    list_filter = ("status", "petition_type", "channel")
    search_fields = ("code",)  # never by words: the admin is no identity search
    date_hierarchy = "registered_at"
    list_select_related = ("office", "handling_unit")
    fields = (
        "code",
        "title_masked",
        "status",
        "channel",
        "petition_type",
        "category",
        "territory",
        "accused_unit",
        "is_collective",
        "headcount",
        "identity_unclear",
        "major_urgent",
        "office",
        "handling_unit",
        "assignment_kind",
        "assignment_deadline",
        "objection_pending",
        "extension_days",
        "review_unit",
        "rereview_unit",
        "merged_into",
        "rating",
        "problem_solved",
        "is_final",
        "rule_profile",
        "leader",
        "registered_by",
        "registered_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="标题")
    def title_masked(self, obj: Case) -> str:
        return mask_text(obj.title)


@admin.register(CaseEvent)
class CaseEventAdmin(AuditedReadOnlyAdmin):
    list_display = ("created_at", "case", "event_type", "from_status", "to_status", "actor")
    list_filter = ("event_type",)
    raw_id_fields = ("case",)
    list_select_related = ("case", "actor")
    fields = ("case", "event_type", "from_status", "to_status", "actor", "actor_unit", "created_at")
    readonly_fields = fields


@admin.register(Opinion)
class OpinionAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "stage", "decision", "issued_unit", "issued_at", "delivered_on")
    list_select_related = ("case", "issued_unit")
    fields = ("case", "stage", "decision", "issued_unit", "issued_at", "delivered_on")
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "channel", "received_at", "sha256")
    fields = ("case", "channel", "received_at", "sha256", "payload_masked")
    readonly_fields = fields

    @admin.display(description="原始提交（身份信息已遮蔽）")
    def payload_masked(self, obj: Submission) -> str:
        text = json.dumps(
            mask_identity(obj.payload), ensure_ascii=False, indent=2, sort_keys=True, default=str
        )
        return format_html("<pre>{}</pre>", text)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("full_name", "level")
    list_filter = ("level",)
    search_fields = ("full_name",)
