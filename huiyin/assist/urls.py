from django.urls import path

from huiyin.assist import views
from huiyin.core import access
from huiyin.core.access import CASE, INTAKE

urlpatterns = [
    path("intake/", views.intake_aids, name="assist_intake"),
    path("hotspots/", views.hot_issues, name="assist_hotspots"),
    path("hotspots/export.xlsx", views.hot_issues_export, name="assist_hotspots_export"),
    path("cases/<str:code>/", views.case_aids, name="assist_case"),
    path("cases/<str:code>/reply-check/", views.reply_check, name="assist_reply_check"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "assist_intake": INTAKE,
        "assist_hotspots": INTAKE,
        "assist_hotspots_export": INTAKE,  # issue 11 item 5: the same roles as the page
        "assist_case": CASE,
        "assist_reply_check": CASE,
    },
)
