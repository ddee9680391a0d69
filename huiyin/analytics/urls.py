from django.urls import path

from huiyin.analytics import views
from huiyin.core import access
from huiyin.core.access import STAFF

urlpatterns = [
    path("analytics/", views.dashboard_view, name="analytics_dashboard"),
    path("analytics/cases/", views.cases_view, name="analytics_cases"),
    path("analytics/cases/export.xlsx", views.cases_export_view, name="analytics_cases_export"),
    path("analytics/export.xlsx", views.export_view, name="analytics_export"),
    path("analytics/close/", views.close_month_view, name="analytics_close_month"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py). Any staff
# member: a leader or supervisor sees the whole territory, anyone else their own unit's figures, and
# every case list is the user's own scope (cases.selectors.case_list). Closing a month is refused (403)
# to anyone but supervisors and administrators.
access.declare(
    __name__,
    {
        "analytics_dashboard": STAFF,
        "analytics_cases": STAFF,
        "analytics_cases_export": STAFF,  # the same scope as the list (issue 11 item 5)
        "analytics_export": STAFF,
        "analytics_close_month": STAFF,
    },
)
