from django.urls import re_path

from huiyin.core import access
from huiyin.core.access import PUBLIC
from huiyin.open311 import views

FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="open311_discovery"),
    re_path(r"^services" + FMT, views.services, name="open311_services"),
    re_path(r"^services/(?P<code>[^/.]+)" + FMT, views.service_definition, name="open311_service_definition"),
    re_path(r"^requests" + FMT, views.requests, name="open311_requests"),
    re_path(r"^requests/(?P<code>[^/.]+)" + FMT, views.request_detail, name="open311_request"),
    re_path(r"^tokens/(?P<token>[^/.]+)" + FMT, views.token, name="open311_token"),
]

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "open311_discovery": PUBLIC,
        "open311_services": PUBLIC,
        "open311_service_definition": PUBLIC,
        "open311_requests": PUBLIC,
        "open311_request": PUBLIC,
        "open311_token": PUBLIC,
    },
)
