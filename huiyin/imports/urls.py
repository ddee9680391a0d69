from django.urls import path

from huiyin.core import access
from huiyin.core.access import INTAKE, RECORD
from huiyin.imports import views

urlpatterns = [
    path("imports/", views.imports_home, name="imports_home"),
    path("imports/template.xlsx", views.imports_template, name="imports_template"),
    path("imports/<int:pk>/", views.imports_batch, name="imports_batch"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py): the desks
# that register cases and administrators import (others 403); a batch is its office's (others the 404).
access.declare(
    __name__,
    {"imports_home": INTAKE, "imports_template": INTAKE, "imports_batch": RECORD},
)
