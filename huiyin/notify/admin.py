from django.contrib import admin

from huiyin.notify.models import CaseContact, MessageTemplate, Notification, OutboxMessage
from huiyin.notify.outbox import outbox_retry


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject", "is_active", "updated_at")
    list_editable = ("is_active",)
    readonly_fields = ("kind", "updated_at")
    search_fields = ("subject", "body")

    def has_add_permission(self, request):  # one template per kind, seeded by migration
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery records: read-only; the retry sweep changes them."""

    list_display = ("created_at", "kind", "medium", "state", "attempts", "case")
    list_filter = ("state", "medium", "kind")
    search_fields = ("case__code",)
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CaseContact)
class CaseContactAdmin(admin.ModelAdmin):
    list_display = ("case", "medium", "created_at")
    readonly_fields = ("case", "medium", "address", "created_at")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Committed events and whether their notices were made (ADR 0006): read-only; a row that gave up
    can be put back in the queue once its cause is fixed."""

    list_display = ("id", "kind", "state", "attempts", "created_at", "done_at")
    list_filter = ("state", "kind")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="重新分发（已停止重试的）")
    def retry(self, request, queryset):
        count = outbox_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"已重新排队 {count} 条。")
