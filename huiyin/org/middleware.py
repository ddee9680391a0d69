"""Two-factor sign-in enforcement (SPEC §4: 2FA for staff).

When a staff member signs in (any way: /login/, /admin/login/, a test's force_login), `signals.py`
records in the session whether a second step is still owed: "verify" (the account has an
authenticator) or "enrol" (its role requires one and it has none yet). Until that step is done the
session reaches nothing but the step itself and sign-out; the API's session auth refuses it (401).
Bearer tokens are not sessions and are not affected.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

SESSION_KEY = "huiyin_second_factor"
VERIFY = "verify"
ENROL = "enrol"
# Public parts of the site, and the API (which answers 401 through its session auth instead).
OPEN_PREFIXES = ("/static/", "/public/", "/open311/", "/api/")


def pending_second_factor(request: HttpRequest) -> str:
    """The step the session still owes: "verify", "enrol", or "" for none."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    owed = request.session.get(SESSION_KEY)
    if owed is None:
        # a session from before this check existed: decide once and remember
        from huiyin.org.signals import second_factor_owed

        owed = second_factor_owed(user)
        request.session[SESSION_KEY] = owed
    if owed and getattr(user, "is_verified", lambda: False)():
        return ""
    return str(owed)


def second_factor_done(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = ""


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        owed = pending_second_factor(request)
        request.signin_pending = owed  # type: ignore[attr-defined]
        if owed and not request.path.startswith(OPEN_PREFIXES):
            step = reverse("login_verify" if owed == VERIFY else "two_factor_enrol")
            allowed = {step, reverse("logout"), reverse("admin:logout")}
            if request.path not in allowed:
                target = request.get_full_path()
                return HttpResponseRedirect(f"{step}?next={quote(target)}")
        return self.get_response(request)
