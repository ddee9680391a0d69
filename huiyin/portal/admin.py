"""Office information and the approval of published replies.

Citizens' one-time login codes (LoginCode) are not registered and must never be: not even their hash
is shown anywhere in the admin. A receipt's secret hash is not shown either.
"""

from django.contrib import admin

from huiyin.core.admin import AuditedAdminMixin
from huiyin.portal.models import OfficeInfo, TrackingSecret


@admin.register(OfficeInfo)
class OfficeInfoAdmin(admin.ModelAdmin):
    list_display = ("unit", "hotline", "reception_hours", "is_published")
    list_editable = ("is_published",)


@admin.register(TrackingSecret)
class TrackingSecretAdmin(AuditedAdminMixin):
    """Publication of anonymised replies: the petitioner consents, an administrator approves."""

    list_display = ("case", "publish_consent", "consent_at", "publish_approved")
    list_filter = ("publish_consent", "publish_approved")
    list_editable = ("publish_approved",)
    search_fields = ("case__code",)
    fields = ("case", "created_at", "publish_consent", "consent_at", "publish_approved")
    readonly_fields = ("case", "created_at", "publish_consent", "consent_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
