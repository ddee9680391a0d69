from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from huiyin.org.models import RuleProfile, RuleValue, Territory, Unit, User


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
