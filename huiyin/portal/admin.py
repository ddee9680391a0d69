from django.contrib import admin

from huiyin.portal.models import OfficeInfo, TrackingSecret


@admin.register(OfficeInfo)
class OfficeInfoAdmin(admin.ModelAdmin):
    list_display = ("unit", "hotline", "reception_hours", "is_published")
    list_editable = ("is_published",)


@admin.register(TrackingSecret)
class TrackingSecretAdmin(admin.ModelAdmin):
    """Publication of anonymised replies: the petitioner consents, an administrator approves."""

    list_display = ("case", "publish_consent", "consent_at", "publish_approved")
    list_filter = ("publish_consent", "publish_approved")
    list_editable = ("publish_approved",)
    search_fields = ("case__code",)
    readonly_fields = ("case", "secret_hash", "created_at", "publish_consent", "consent_at")

    def has_add_permission(self, request):
        return False
