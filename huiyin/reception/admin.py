"""The admin: the configuration (schedule rules per jurisdiction, the roster of receiving leaders) is
edited here by an administrator; sessions, absences, bookings and invitations are read-only (they are
written through huiyin.reception.services only)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from huiyin.reception.models import (
    Absence,
    Booking,
    Instruction,
    Invitation,
    ReceptionLeader,
    ScheduleRule,
    Session,
)


@admin.register(ScheduleRule)
class ScheduleRuleAdmin(admin.ModelAdmin):
    list_display = ("territory", "level", "frequency", "weekday", "start_time", "end_time", "slots")
    list_filter = ("level", "frequency")
    raw_id_fields = ("territory",)


@admin.register(ReceptionLeader)
class ReceptionLeaderAdmin(admin.ModelAdmin):
    list_display = ("user", "title", "level", "portfolio", "weekday", "deputy", "is_active")
    list_filter = ("level", "is_active")
    raw_id_fields = ("user", "deputy")


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(_ReadOnly):
    list_display = ("date", "leader", "level", "territory", "status", "capacity", "change_note")
    list_filter = ("level", "status")


@admin.register(Absence)
class AbsenceAdmin(_ReadOnly):
    list_display = ("leader", "start", "end", "deputy", "reason")


@admin.register(Booking)
class BookingAdmin(_ReadOnly):
    """The booker's name and phone are not listed (need-to-know, SPEC §1.3)."""

    list_display = ("code", "session", "channel", "status", "outcome", "urgent", "is_collective")
    list_filter = ("status", "outcome", "channel")
    exclude = ("name", "phone", "id_number")


@admin.register(Invitation)
class InvitationAdmin(_ReadOnly):
    list_display = ("session", "user", "invited_at")


@admin.register(Instruction)
class InstructionAdmin(_ReadOnly):
    list_display = ("case", "leader", "unit", "deadline", "answered_at")
