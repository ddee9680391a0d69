from django.contrib import admin
from django.urls import include, path

from huiyin.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("public/", include("huiyin.portal.urls")),
    path("open311/v2/", include("huiyin.open311.urls")),
    path("api/", api.urls),
    path("assist/", include("huiyin.assist.urls")),
    path("", include("huiyin.org.urls")),
    path("", include("huiyin.desk.urls")),
    path("", include("huiyin.workflow.urls")),
    path("", include("huiyin.supervision.urls")),
    path("", include("huiyin.analytics.urls")),
    path("", include("huiyin.reception.urls")),
    path("", include("huiyin.mediation.urls")),
    path("", include("huiyin.outreach.urls")),
    path("", include("huiyin.notify.urls")),
    path("", include("huiyin.audit.urls")),
    path("", include("huiyin.imports.urls")),
]

# Unrouted paths and malformed requests answer in the surface's error shape (issue 9).
handler400 = "huiyin.core.input_guard.bad_request"
handler404 = "huiyin.core.input_guard.page_not_found"
