"""Admin for the calendar and the audit log, and the audited base every identity-bearing admin uses.

The Django admin is for superusers' data inspection (STYLE.md). It bypasses the staff app's scope, so
for identity-bearing models it is read-only, shows identity masked (never unmasked: the audited
"show full identity" of the staff app is the only way to unmask), and every list or object page it
serves is an `admin_view` audit row naming the superuser and the object (SPEC §1.3).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from huiyin.core import net
from huiyin.core.models import AuditEntry, HolidayOverride


def _case_id(obj: Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == "cases.Case":
        return int(obj.pk)
    return getattr(obj, "case_id", None)


class AuditedAdminMixin(admin.ModelAdmin):  # type: ignore[type-arg]  # mixed into admins of any model
    """Every changelist / change / history page this admin serves is an admin_view audit row."""

    def _audit(self, request: HttpRequest, view: str, object_id: str | None = None) -> None:
        obj = self.get_object(request, object_id) if object_id is not None else None
        if object_id is not None and obj is None:
            return  # Django answers "does not exist" and shows nothing
        detail: dict[str, Any] = {"model": self.model._meta.label, "view": view}
        if obj is not None:
            detail["object"] = str(obj.pk)
        if view == "list" and request.GET:
            detail["query"] = {k: request.GET.get(k, "")[:100] for k in list(request.GET)[:10]}
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.ADMIN_VIEW,
            actor=request.user if request.user.is_authenticated else None,
            case_id=_case_id(obj),
            ip_address=net.audit_ip(request),
            detail=detail,
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200 and self.has_view_permission(request):
            self._audit(request, "list")
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            self._audit(request, "change", object_id)
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            self._audit(request, "history", object_id)
        return response


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin[HolidayOverride]):
    list_display = ("day", "is_workday", "name")
    date_hierarchy = "day"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the audit log is append-only."""

    list_display = ("created_at", "kind", "actor", "case", "ip_address")
    list_filter = ("kind",)
    raw_id_fields = ("actor", "case")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class AuditedReadOnlyAdmin(AuditedAdminMixin):
    """Read-only and audited: the admin of an identity-bearing model."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
