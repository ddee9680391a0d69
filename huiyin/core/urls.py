from django.urls import path

from huiyin.core import views

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
]
