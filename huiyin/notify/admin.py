from django.contrib import admin

from huiyin.notify.models import CaseContact, MessageTemplate, Notification


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
