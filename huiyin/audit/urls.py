from django.urls import path

from huiyin.audit import views
from huiyin.core import access
from huiyin.core.access import AUDIT

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
]

# the audit screen and its export (issue 9): supervisors and administrators only
access.declare(__name__, {"audit_log": AUDIT, "audit_export": AUDIT})
