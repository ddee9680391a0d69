from django.urls import path

from huiyin.core import access
from huiyin.core.access import OWN, STAFF
from huiyin.notify import views

urlpatterns = [
    path("notices/", views.notice_list, name="notices"),
    path("notices/badge/", views.notice_badge, name="notice_badge"),
    path("notices/read/", views.notice_read_all, name="notice_read_all"),
    path("notices/<int:pk>/", views.notice_open, name="notice_open"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "notices": STAFF,
        "notice_badge": STAFF,
        "notice_read_all": STAFF,
        "notice_open": OWN,
    },
)
