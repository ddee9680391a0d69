"""Open311 GeoReport v2 endpoints (http://wiki.open311.org/GeoReport_v2) in JSON and XML.

Reads are public but anonymised: listings show only requests that came in through Open311 and are
not accusations (条例 §30¶3); the description, exact address and coordinates go only to the
integration whose api_key submitted the request.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from huiyin.cases.choices import OPEN_STATUSES, PetitionType
from huiyin.cases.models import Category
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError
from huiyin.core.parsing import parse_id, parse_ids, parse_w3c_datetime
from huiyin.open311 import mapping
from huiyin.open311.models import ServiceRequest
from huiyin.open311.services import RequestIn, request_submit
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import ApiToken, Territory, User
from huiyin.org.services import token_lookup
from huiyin.portal import throttle
from huiyin.workflow.choices import LIVE_STATES, ClockKind
from huiyin.workflow.models import Clock

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
CASE_FIELDS = ("category", "territory", "office", "handling_unit", "review_unit", "rereview_unit")


def render(fmt: str, data: Any, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            mapping.to_xml(root, item, data), content_type="text/xml; charset=utf-8", status=status
        )
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, [{"code": status, "description": description}], "errors", "error", status=status)


MSG_KEY_IN_QUERY = (
    "api_key 不能放在网址查询串中（会被代理和日志记录）；请放在请求体（POST 表单字段 api_key）"
    "或请求头 X-Api-Key 中。此密钥可能已泄露，请向管理员申请新令牌并吊销旧令牌。"
)
MSG_KEY_SCOPE = "此 api_key 为只读（read）令牌，不能提交诉求"


class KeyInQueryString(Exception):
    """An api_key in the URL: refused before it is used (URLs end up in proxy and access logs)."""


def _api_token(request: HttpRequest) -> ApiToken | None:
    """The live token from the body (api_key) or the X-Api-Key header; never from the query string."""
    if "api_key" in request.GET:
        raise KeyInQueryString
    raw = (request.POST.get("api_key") if request.method == "POST" else "") or request.headers.get(
        "X-Api-Key", ""
    )
    return token_lookup(raw.strip()) if raw else None


def _api_user(request: HttpRequest) -> User | None:
    token = _api_token(request)
    return token.user if token is not None else None


def refuse_key_in_query(view: Any) -> Any:
    """A 400 in the Open311 error shape for an api_key in the query string (the key is not logged)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except KeyInQueryString:
            return error(kwargs.get("fmt", "json"), 400, MSG_KEY_IN_QUERY)

    return wrapped


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311_discovery", kwargs={"fmt": "json"})).rsplit("/", 1)[0]
    changeset = "2025-01-01T00:00:00+08:00"
    data = {
        "changeset": changeset,
        "contact": "请联系本地信访部门（见 /public/channels/）",
        "key_service": "向系统管理员申请接口令牌（api_key），须为登记岗位账号",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(fmt, data, "discovery")


@require_GET
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    categories = Category.objects.filter(level=3).order_by("full_name")
    return render(fmt, [mapping.service_json(c) for c in categories], "services", "service")


def _territories() -> list[tuple[str, str]]:
    rows = Territory.objects.filter(level__lte=TerritoryLevel.VILLAGE).order_by("path")
    return [(t.code, t.name) for t in rows]


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    pk = parse_id(code)
    category = Category.objects.filter(pk=pk, level=3).first() if pk is not None else None
    if category is None:
        return error(fmt, 404, f"没有这个 service_code：{code[:40]}")
    return render(fmt, mapping.service_definition_json(category, _territories()), "service_definition")


def _due_dates(case_ids: list[int]) -> dict[int, Any]:
    clocks = Clock.objects.filter(
        case_id__in=case_ids,
        kind__in=(ClockKind.HANDLING, ClockKind.REVIEW, ClockKind.REREVIEW),
        state__in=LIVE_STATES,
    ).values_list("case_id", "due_on")
    return dict(clocks)


def _visible(user: User | None) -> QuerySet[ServiceRequest]:
    """Requests a caller may read: never someone else's accusation (条例 §30¶3)."""
    qs = ServiceRequest.objects.select_related(*(f"case__{f}" for f in CASE_FIELDS))
    accusation = Q(case__petition_type=PetitionType.ACCUSATION)
    if user is None:
        return qs.exclude(accusation)
    return qs.exclude(accusation & ~Q(submitted_by=user))


def _rows(rows: list[ServiceRequest], user: User | None) -> list[dict[str, Any]]:
    due = _due_dates([r.case_id for r in rows])
    out = []
    for r in rows:
        owner = user is not None and r.submitted_by_id == user.pk
        data = mapping.request_json(r.case, due_on=due.get(r.case_id), owner=owner)
        if owner:
            data.update(
                {
                    "lat": r.lat,
                    "long": r.long,
                    "address_id": r.address_id or None,
                    "media_url": r.media_url or None,
                }
            )
        out.append(data)
    return out


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _api_user(request)
    qs = _visible(user)
    q = request.GET
    if q.get("service_request_id"):
        codes = [c.strip().upper() for c in q["service_request_id"].split(",") if c.strip()][:MAX_RESULTS]
        qs = qs.filter(case__code__in=codes)
    else:
        start = end = None
        for name in ("start_date", "end_date"):
            if q.get(name):
                try:  # strict: 2025-02-30 or +25:00 is refused, not a 500 (issue 9)
                    value = parse_w3c_datetime(q[name].replace(" ", "+"))
                except ValueError:
                    return error(fmt, 400, f"{name} 须为 W3C 日期时间，例如 2025-03-01T00:00:00+08:00")
                if name == "start_date":
                    start = value
                else:
                    end = value
        if start is None and end is None:
            start = timeutil.now() - timedelta(days=DEFAULT_DAYS)
        if start is not None:
            qs = qs.filter(case__registered_at__gte=start)
        if end is not None:
            qs = qs.filter(case__registered_at__lte=end)
        if q.get("service_code"):
            qs = qs.filter(case__category_id__in=parse_ids(q["service_code"]))
        if q.get("status"):
            wanted = {s.strip() for s in q["status"].split(",")}
            if not wanted <= {"open", "closed"}:
                return error(fmt, 400, "status 只能是 open 或 closed")
            if wanted == {"open"}:
                qs = qs.filter(case__status__in=OPEN_STATUSES)
            elif wanted == {"closed"}:
                qs = qs.exclude(case__status__in=OPEN_STATUSES)
    rows = list(qs.order_by("-case__registered_at", "-id")[:MAX_RESULTS])
    return render(fmt, _rows(rows, user), "service_requests", "request")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@refuse_key_in_query
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        return _list(request, fmt)
    limited = throttle.hit("open311_ip", throttle.client_ip(request))
    if limited:
        response = error(fmt, 429, f"请求过于频繁，请{limited.minutes}分钟后再试")
        response["Retry-After"] = str(limited.retry_after)
        return response
    api_token = _api_token(request)
    if api_token is None:
        return error(fmt, 403, "api_key 缺失或无效")
    if api_token.scope == ApiToken.Scope.READ:
        return error(fmt, 403, MSG_KEY_SCOPE)
    user = api_token.user
    try:
        sr, _created = request_submit(
            data=RequestIn.from_query(request.POST),
            user=user,
            idempotency_key=request.headers.get("Idempotency-Key", "")[:60],
        )
    except ApplicationError as exc:
        return error(fmt, exc.status_code if exc.status_code != 500 else 400, exc.message)
    body = [
        {
            "service_request_id": sr.case.code,
            "token": sr.token,
            "service_notice": "已登记。信访部门将在15日内告知是否受理（《信访工作条例》第二十三条）",
            "account_id": sr.account_id or None,
        }
    ]
    return render(fmt, body, "service_requests", "request")


@require_GET
@refuse_key_in_query
def request_detail(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    user = _api_user(request)
    row = _visible(user).filter(case__code=code.upper()[:24]).first()
    if row is None:
        return error(fmt, 404, "没有这个 service_request_id")
    return render(fmt, _rows([row], user), "service_requests", "request")


@require_GET
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    row = ServiceRequest.objects.select_related("case").filter(token=token[:40]).first()
    if row is None:
        return error(fmt, 404, "没有这个 token")
    return render(
        fmt, [{"service_request_id": row.case.code, "token": row.token}], "service_requests", "request"
    )
