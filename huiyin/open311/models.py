"""Open311 GeoReport v2 bookkeeping: which integration submitted which case, and its token."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ServiceRequest(models.Model):
    """A case submitted through Open311 (channel "api"): its token and what the client sent besides."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="open311")
    token = models.CharField(max_length=40, unique=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lat = models.FloatField(null=True, blank=True)
    long = models.FloatField(null=True, blank=True)
    address_id = models.CharField(max_length=100, blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "Open311 请求"
        verbose_name_plural = "Open311 请求"

    def __str__(self) -> str:
        return self.token
