from django.contrib import admin
from django.http import HttpRequest

from huiyin.mediation.models import Agreement, Mediation, ScreeningItem, ScreeningRound


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


for model in (ScreeningItem, ScreeningRound, Mediation, Agreement):
    admin.site.register(model, ReadOnly)
