from huiyin.cases.admin import ReadOnlyAdmin
from huiyin.workflow.models import Clock

from django.contrib import admin  # isort: skip


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "unit", "state", "started_on", "due_on", "beyond_calendar")
    list_filter = ("kind", "state", "beyond_calendar")
    raw_id_fields = ("case",)
    list_select_related = ("case", "unit")
