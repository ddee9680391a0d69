"""Refuse NUL bytes before anything reaches the database (issue 9, hole 9).

PostgreSQL cannot store U+0000 in text ("A string literal cannot contain NUL (0x00) characters"), so
a NUL anywhere in a request — path, query string, form field, JSON string (raw or as \\u0000), or a
header value (the session cookie is looked up in the database) — was a 500 there and silently stored
on SQLite. One check here, before the session is read, answers every route with a 400 in its own
error shape: `{"message", "extra"}` for /api/, the GeoReport error list for /open311/, the HTML
error page elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from huiyin.core import registry
from huiyin.core.parsing import parse_id

MSG_NUL = "请求中含有不允许的控制字符（NUL），请删除后重试"
NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _strings(value: Any) -> Iterator[str]:
    """Every string (keys included) in a decoded JSON document, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def nul_location(request: HttpRequest) -> str | None:
    """Where the request carries a NUL ("path", "query", "header", "form", "body"), or None."""
    if NUL in request.path_info or NUL in request.path:
        return "path"
    query = request.META.get("QUERY_STRING", "")
    if NUL in query or any(NUL in k or any(NUL in v for v in vs) for k, vs in request.GET.lists()):
        return "query"
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")) and NUL in str(value):
            return "header"
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type in _FORM_TYPES:
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in v for v in values):
                return "form"
        for _name, uploads in request.FILES.lists():
            if any(NUL in (upload.name or "") for upload in uploads):
                return "form"
        return None
    length = parse_id(request.META.get("CONTENT_LENGTH") or "")
    if length is None or length > (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0):
        return None  # Django refuses oversized bodies itself when they are read
    body = request.body
    if b"\x00" in body:
        return "body"
    if "json" in content_type:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return None  # not JSON: the API's parser answers that
        if any(NUL in s for s in _strings(document)):
            return "body"
    return None


def surface_error(
    request: HttpRequest, status: int, message: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    """A refusal in the shape of the surface the request came to: `{"message", "extra"}` for /api/,
    the GeoReport error list for /open311/, the HTML error page for pages."""
    path = request.path_info.replace(NUL, "")
    if path.startswith("/api/"):
        return JsonResponse({"message": message, "extra": extra or {}}, status=status)
    surface = registry.error_surface(path)  # e.g. the GeoReport error list for /open311/
    if surface is not None:
        return surface(request, status, message)  # type: ignore[no-any-return]
    template = "404.html" if status == 404 else "400.html"
    html = render_to_string(template, {"message": message}, request=request)
    return HttpResponse(html, status=status)


def refusal(request: HttpRequest, where: str) -> HttpResponse:
    return surface_error(request, 400, MSG_NUL, {"where": where})


# Django's handlers for requests no view answered (huiyin/urls.py): a path the API's routes do not
# match (e.g. an id with a "/") is still answered in the API's shape, not with an HTML page.
MSG_NO_ROUTE = "没有找到该页面或信访事项"
MSG_BAD_REQUEST = "请求有误"


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return surface_error(request, 404, MSG_NO_ROUTE)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return surface_error(request, 400, MSG_BAD_REQUEST)


class RefuseNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_location(request)
        if where is not None:
            return refusal(request, where)
        return self.get_response(request)
