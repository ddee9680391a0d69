"""Templates are edited here; notifications and contacts are read-only, masked and audited.

A notification's body is never shown: it carries citizens' one-time login codes and their cases'
text, and its recipient is a phone or e-mail address (SPEC §1.3).
"""

from django.contrib import admin

from huiyin.core.admin import AuditedReadOnlyAdmin
from huiyin.core.audit import mask
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
class NotificationAdmin(AuditedReadOnlyAdmin):
    """Delivery records: read-only (the retry sweep changes them); no body, the recipient masked."""

    list_display = ("created_at", "kind", "medium", "state", "attempts", "case")
    list_filter = ("state", "medium", "kind")
    search_fields = ("case__code",)
    fields = (
        "case",
        "kind",
        "medium",
        "recipient_masked",
        "state",
        "attempts",
        "last_error",
        "backend",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )
    readonly_fields = fields

    @admin.display(description="接收人")
    def recipient_masked(self, obj: Notification) -> str:
        return mask(obj.recipient)


@admin.register(CaseContact)
class CaseContactAdmin(AuditedReadOnlyAdmin):
    list_display = ("case", "medium", "created_at")
    fields = ("case", "medium", "address_masked", "created_at")
    readonly_fields = fields

    @admin.display(description="联系方式")
    def address_masked(self, obj: CaseContact) -> str:
        return mask(obj.address)


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
