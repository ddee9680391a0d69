"""The JSON API root (django-ninja, SPEC §3.10). Each app adds its router in `huiyin/<app>/api.py`.

One error model: every refusal is `{"message": …, "extra": {…}}` (STYLE: one error model), whether a
service raised an ApplicationError, the request did not match the schema, or authentication failed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape, json_script
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.openapi.docs import DocsBase

from huiyin.core import access
from huiyin.core.access import PUBLIC
from huiyin.core.errors import ApplicationError
from huiyin.desk.api import router as cases_router
from huiyin.org.api import BearerToken, StaffSession
from huiyin.org.api import router as org_router
from huiyin.workflow.api import router as workflow_router

logger = logging.getLogger(__name__)

MSG_UNAUTHENTICATED = "未登录，或接口令牌无效、已吊销"
MSG_SCHEMA = "请求数据不符合接口格式"
MSG_NOT_FOUND = "没有找到"
# django-ninja's own refusals, in the language users read.
_HTTP_ERROR_MESSAGES = {
    "CSRF check Failed": "CSRF 校验失败，请刷新页面后重试",
    "Cannot parse request body": "请求体不是有效的 JSON",
}

# Swagger UI ships inside django-ninja; "ninja" is not an installed app (so its static files are not
# collected), and the intranet has no CDN: the docs page loads these few files through the API itself.
_SWAGGER_DIR = Path(ninja.__file__).parent / "static" / "ninja"
_SWAGGER_FILES = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}


class OfflineSwagger(DocsBase):
    """Swagger UI from local files, with no inline script (CSP `script-src 'self'`)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        def asset(name: str) -> str:
            return reverse(f"{api.urls_namespace}:docs_asset", kwargs={"name": name})

        # The settings travel as a JSON data block (never executed); swagger-ui-init.js reads them.
        settings = json_script(
            {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout"}, "swagger-settings"
        )
        html = f"""<!DOCTYPE html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<title>{escape(api.title)}</title>
<link rel="stylesheet" href="{asset("swagger-ui.css")}">
<link rel="icon" href="{asset("favicon.png")}" type="image/png">
</head>
<body data-csrf-token="{escape(get_token(request))}" data-api-csrf="true">
{settings}
<div id="swagger-ui"></div>
<script src="{asset("swagger-ui-bundle.js")}"></script>
<script src="{asset("swagger-ui-init.js")}"></script>
</body>
</html>"""
        return HttpResponse(html)


api = NinjaAPI(
    title="Huiyin API",
    version="1",
    description="回音信访工作平台接口。认证：`Authorization: Bearer <令牌>`，或已登录的工作人员会话。"
    "错误统一为 `{message, extra}`。说明见 docs/api.md。",
    urls_namespace="api",
    auth=[BearerToken(), StaffSession()],
    docs=OfflineSwagger(),
)


def error_body(message: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"message": message, "extra": extra or {}}


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    if exc.status_code >= 500:
        logger.error("API refused with a server-side error: %s", exc.message, extra={"extra": exc.extra})
    return api.create_response(request, error_body(exc.message, exc.extra), status=exc.status_code)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    # ninja reports ("body", "payload", "title"); integrations think in "title" or "petitioners.0.name".
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
        if parts and parts[0] in {"payload", "filters", "page"}:  # the view's parameter names
            parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(SchemaValidationError)
def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        fields.setdefault(_field_path(error.get("loc", ())), str(error.get("msg", "")))
    return api.create_response(request, error_body(MSG_SCHEMA, {"fields": fields}), status=422)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, error_body(MSG_UNAUTHENTICATED), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="huiyin"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = _HTTP_ERROR_MESSAGES.get(exc.message, exc.message)
    return api.create_response(request, error_body(message), status=exc.status_code)


@api.exception_handler(Http404)
def on_http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(MSG_NOT_FOUND), status=404)


@api.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs_asset")
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in _SWAGGER_FILES:
        raise Http404(name)
    response = FileResponse((_SWAGGER_DIR / name).open("rb"), content_type=_SWAGGER_FILES[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response


api.add_router("/", org_router)
api.add_router("/", cases_router)
api.add_router("/", workflow_router)
api.add_router("/", "huiyin.supervision.api.router")  # 督办 and the leader inbox
api.add_router("/", "huiyin.assist.api.router")
api.add_router("/", "huiyin.notify.api.router")
api.add_router("/", "huiyin.analytics.api.router")

# Who may open each route (huiyin/core/access.py; checked by tests/test_permission_sweep.py).
access.declare(
    __name__,
    {
        "api-root": PUBLIC,
        "openapi-json": PUBLIC,
        "openapi-view": PUBLIC,
        "docs_asset": PUBLIC,
    },
)
