from __future__ import annotations

from django.http import HttpRequest

from huiyin.core import registry


def navigation(request: HttpRequest) -> dict[str, object]:
    """`nav_entries`: the staff navigation the modules declared (huiyin.core.registry), for this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": []}
    return {"nav_entries": registry.navigation_for(user)}


def signin(request: HttpRequest) -> dict[str, object]:
    """`signin_pending`: the session still owes its second sign-in step (no navigation is drawn)."""
    return {"signin_pending": bool(getattr(request, "signin_pending", ""))}
