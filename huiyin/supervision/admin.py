from django.contrib import admin

from huiyin.supervision.models import SupervisionCandidate, SupervisionOrder, UrgentReportRecipient


@admin.register(UrgentReportRecipient)
class UrgentReportRecipientAdmin(admin.ModelAdmin):
    list_display = ("territory", "leader", "note")
    raw_id_fields = ("territory", "leader")


@admin.register(SupervisionCandidate)
class SupervisionCandidateAdmin(admin.ModelAdmin):
    """Read-only: candidates come from the sweeper."""

    list_display = ("case", "reason", "unit", "found_at", "state")
    list_filter = ("reason", "state")
    readonly_fields = ("case", "unit", "reason", "detail", "found_at", "state")


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(admin.ModelAdmin):
    """Read-only: orders are issued, answered and escalated through services."""

    list_display = ("case", "unit", "level", "due_on", "state")
    list_filter = ("level", "state")
    readonly_fields = [f.name for f in SupervisionOrder._meta.fields]
