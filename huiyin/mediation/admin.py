from django.contrib import admin

from huiyin.mediation.models import Agreement, Mediation, ScreeningItem, ScreeningRound


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


for model in (ScreeningItem, ScreeningRound, Mediation, Agreement):
    admin.site.register(model, ReadOnly)
