"""API authentication (bearer tokens for integrations, the session for the staff UI) and `/me`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from huiyin.core import access
from huiyin.core.access import STAFF
from huiyin.org.models import User
from huiyin.org.services import token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer hy_…`: the integration acts as the token's staff account."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token.strip())
        if user is not None:
            request.user = user  # everything downstream scopes by request.user
        return user


class StaffSession(SessionAuth):
    """The signed-in staff session (htmx calls from the staff UI); CSRF-checked on writes."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None


def api_user(request: HttpRequest) -> User:
    """The staff account a request acts as, whichever way it authenticated."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


router = Router(tags=["org"])


class UnitRef(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str
    unit: UnitRef | None


@router.get("/me", response=MeOut, summary="当前账号")
def me(request: HttpRequest) -> dict[str, Any]:
    user = api_user(request)
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": user.get_role_display() if user.role else "",
        "unit": {"id": user.unit.pk, "name": user.unit.name} if user.unit else None,
    }


# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "me": STAFF,
    },
)
