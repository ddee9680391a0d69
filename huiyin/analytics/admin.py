from django.contrib import admin

from huiyin.analytics.models import ClosedMonth


@admin.register(ClosedMonth)
class ClosedMonthAdmin(admin.ModelAdmin):
    """Read-only: months are closed on the dashboard (services.month_close), never edited."""

    list_display = ("month", "closed_at", "closed_by")
    readonly_fields = ("month", "closed_at", "closed_by")

    def has_add_permission(self, request):
        return False
