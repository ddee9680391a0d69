from __future__ import annotations

from django.http import HttpRequest


def signin(request: HttpRequest) -> dict[str, object]:
    """`signin_pending`: the session still owes its second sign-in step (no navigation is drawn)."""
    return {"signin_pending": bool(getattr(request, "signin_pending", ""))}
