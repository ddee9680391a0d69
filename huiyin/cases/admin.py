"""Superusers inspect data here; workflow fields are read-only (changes go through the services).

Petitioners are not listed: every look at an identity goes through the audited selector (SPEC §1.3)."""

from django.contrib import admin

from huiyin.cases.models import Case, CaseEvent, Category, Opinion, Submission


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "title",
        "status",
        "petition_type",
        "channel",
        "office",
        "handling_unit",
        "registered_at",
    )
    list_filter = ("status", "petition_type", "channel")
    search_fields = ("code", "title")
    date_hierarchy = "registered_at"
    list_select_related = ("office", "handling_unit")


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "case", "event_type", "from_status", "to_status", "actor")
    list_filter = ("event_type",)
    raw_id_fields = ("case",)
    list_select_related = ("case", "actor")


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ("case", "stage", "decision", "issued_unit", "issued_at", "delivered_on")
    list_select_related = ("case", "issued_unit")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("case", "channel", "received_at", "sha256")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("full_name", "level")
    list_filter = ("level",)
    search_fields = ("full_name",)
