from django.contrib import admin

from huiyin.core.admin import AuditedReadOnlyAdmin
from huiyin.open311.models import ServiceRequest


@admin.register(ServiceRequest)
class ServiceRequestAdmin(AuditedReadOnlyAdmin):
    """Read-only and audited; the client's account and device ids are not shown (they point at a person)."""

    list_display = ("case", "submitted_by", "created_at")
    fields = ("case", "submitted_by", "lat", "long", "address_id", "media_url", "created_at")
    readonly_fields = fields
