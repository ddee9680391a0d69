"""Staff sign-in, sign-out and the own-profile page (Django's auth views with Huiyin's templates)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from huiyin.cases.services import INTAKE_ROLES


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the nav bar's 退出 button is a form."""


def nav_context(request: HttpRequest, nav: str = "") -> dict[str, object]:
    """What the base layout needs to draw the navigation for this user."""
    user = request.user
    role = getattr(user, "role", None)
    return {
        "nav": nav,
        "can_register": role in INTAKE_ROLES,
        "can_supervise": role == "supervisor",
        "can_read_audit": role in {"supervisor", "admin"} or getattr(user, "is_superuser", False),
        "is_leader": role == "leader",
        "can_see_hot_issues": role in {"clerk", "dispatcher", "grid_worker", "leader", "supervisor", "admin"},
    }


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "org/profile.html", nav_context(request, "profile"))
