from django.urls import path

from huiyin.core import access
from huiyin.core.access import CASE
from huiyin.workflow import views

urlpatterns = [
    path("cases/<str:code>/actions/<str:action>/", views.case_action, name="case_action"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "case_action": CASE,
    },
)
