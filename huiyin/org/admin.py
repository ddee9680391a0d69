from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from huiyin.core.net import audit_ip
from huiyin.org.models import ApiToken, RoleSignInPolicy, RuleProfile, RuleValue, Territory, Unit, User
from huiyin.org.services import token_revoke, two_factor_reset


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
    fieldsets = (*(UserAdmin.fieldsets or ()), ("岗位", {"fields": ("full_name", "unit", "role", "phone")}))
    actions = ("reset_two_factor",)

    @admin.action(description="重置所选账号的两步验证（手机丢失时；记入审计）")
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor_reset(user=user, actor=request.user, ip=audit_ip(request))
        self.message_user(
            request, f"已重置 {len(queryset)} 个账号的两步验证；下次登录时重新启用。", messages.SUCCESS
        )


@admin.register(RoleSignInPolicy)
class RoleSignInPolicyAdmin(admin.ModelAdmin):
    """Which roles must sign in with a second factor; applies from each user's next sign-in."""

    list_display = ("role", "require_two_factor")
    list_editable = ("require_two_factor",)


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

    list_display = ("name", "prefix", "user", "scope", "created_at", "expires_at", "last_used_at", "revoked")
    list_filter = ("revoked", "scope")
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked",
        "revoked_at",
        "revoked_by",
    )
    exclude = ("key_hash",)
    actions = ("revoke",)

    def has_add_permission(self, request, obj=None):
        return False

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token, actor=request.user)
