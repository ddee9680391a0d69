"""Secure headers for every response (SPEC §4: CSP and secure headers); a clear 503 when the object
store is down."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from huiyin.core.errors import StoreUnavailable

MSG_STORE_DOWN = "附件存储暂时无法访问，请稍后再试；如持续出现请联系管理员。"

logger = logging.getLogger(__name__)

# Everything is served from this origin: the intranet has no CDN (SPEC §1.6).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class StoreUnavailableMiddleware:
    """An upload or download that meets a store that is down (huiyin/core/objectstore.py) answers 503
    with a message, as JSON under /api/, instead of a server error. The request's transaction has
    rolled back by then: nothing is half-registered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, StoreUnavailable):
            return None
        logger.error("object store unavailable: %s", exception)
        if request.path.startswith("/api/"):
            return JsonResponse({"message": MSG_STORE_DOWN, "extra": {}}, status=503)
        return render(request, "503.html", {"message": MSG_STORE_DOWN}, status=503)
