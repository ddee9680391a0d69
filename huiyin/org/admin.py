from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from huiyin.org.models import ApiToken, RuleProfile, RuleValue, Territory, Unit, User


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "rule_profile")
    list_filter = ("level",)
    search_fields = ("code", "name", "aliases")
    raw_id_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "territory", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("territory", "parent")


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("username", "full_name", "unit", "role", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "phone")
    raw_id_fields = ("unit",)
    fieldsets = (*UserAdmin.fieldsets, ("岗位", {"fields": ("full_name", "unit", "role", "phone")}))


class RuleValueInline(admin.TabularInline):
    model = RuleValue
    extra = 0


@admin.register(RuleProfile)
class RuleProfileAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "based_on")
    inlines = (RuleValueInline,)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `huiyin.org.services.token_issue` (docs/api.md); here they are listed and revoked."""

    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at")
    exclude = ("key_hash",)
    actions = ("revoke",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):  # type: ignore[no-untyped-def]
        queryset.update(revoked=True)
