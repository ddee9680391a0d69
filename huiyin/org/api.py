"""API authentication (bearer tokens for integrations, the session for the staff UI) and `/me`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from huiyin.core import access
from huiyin.core.access import STAFF
from huiyin.core.errors import PermissionDenied
from huiyin.org import services
from huiyin.org.models import ApiToken, User
from huiyin.org.selectors import tokens_of

MSG_SCOPE_READ = "此令牌为只读（read），只能用于 GET 请求"
MSG_SCOPE_INTAKE = "此令牌为登记（intake）令牌，只能用于 GET 请求和 POST /api/cases"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def scope_allows(scope: str, method: str, path: str) -> bool:
    """read: GET only; intake: GET and registering a case (POST /api/cases); full: what the role allows."""
    if scope == ApiToken.Scope.FULL:
        return True
    if method in SAFE_METHODS:
        return True
    return scope == ApiToken.Scope.INTAKE and method == "POST" and path == reverse("api:case_create")


class BearerToken(HttpBearer):
    """`Authorization: Bearer hy_…`: the integration acts as the token's staff account, within its scope.

    Revoked, expired or unknown → 401; a live token used beyond its scope → 403."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = services.token_lookup(token.strip())
        if found is None:
            return None
        if not scope_allows(found.scope, request.method or "", request.path):
            message = MSG_SCOPE_READ if found.scope == ApiToken.Scope.READ else MSG_SCOPE_INTAKE
            raise PermissionDenied(message, extra={"scope": found.scope})
        request.user = found.user  # everything downstream scopes by request.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class StaffSession(SessionAuth):
    """The signed-in staff session (htmx calls from the staff UI); CSRF-checked on writes.

    A session that still owes its second sign-in step (org/middleware.py) is not signed in here."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if getattr(request, "signin_pending", ""):
            return None
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


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked: bool


@router.get("/tokens", response=list[TokenOut], summary="我的接口令牌")
def my_tokens(request: HttpRequest) -> list[ApiToken]:
    """One's own tokens only (never the hash); the administrator sees everyone's in the admin."""
    return tokens_of(api_user(request))


@router.post("/tokens/{int:token_id}/revoke", response=TokenOut, summary="吊销我的接口令牌")
def revoke_my_token(request: HttpRequest, token_id: int) -> ApiToken:
    """Anyone else's token answers the same 404 as a missing one."""
    return services.token_revoke_own(actor=api_user(request), token_id=token_id)


# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "me": STAFF,
        "my_tokens": STAFF,
        "revoke_my_token": STAFF,
    },
)
