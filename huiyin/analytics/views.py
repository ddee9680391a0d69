"""统计分析 pages: the dashboard (a leader's whole territory, or a unit's own figures), the cases behind
any figure, the .xlsx export of every table, and closing a month. Every figure is read from the
roll-ups; every case list goes through cases.selectors.case_list (what the user may see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from huiyin.analytics import dashboard, selectors, services
from huiyin.analytics.forms import CloseMonthForm, DashboardFilterForm
from huiyin.analytics.models import ClosedMonth
from huiyin.analytics.registry import Filters, all_metrics, get_metric, has_metric
from huiyin.cases.choices import Channel, PetitionType
from huiyin.cases.exports import case_list_export
from huiyin.cases.models import Category
from huiyin.core import timeutil
from huiyin.core.dbrouter import on_replica
from huiyin.core.errors import ApplicationError
from huiyin.core.xlsx import workbook_bytes, xlsx_bytes_response
from huiyin.org.choices import Role, TerritoryLevel
from huiyin.org.models import Territory, Unit, User
from huiyin.org.views import nav_context
from huiyin.workflow.choices import WINDOW_KINDS, ClockState
from huiyin.workflow.models import Clock
from huiyin.workflow.web import case_rows, paginate

FILTER_KEYS = ("month", "territory", "unit", "petition_type", "category", "channel")
CLOSING_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass
class Chosen:
    filters: Filters
    params: dict[str, str]
    territory: Territory | None
    unit_id: int | None
    month: date
    form: DashboardFilterForm


def _choices(viewer: selectors.Viewer) -> tuple[list[Territory], list[Unit] | None, list[tuple[int, str]]]:
    territories = Territory.objects.filter(level__lte=TerritoryLevel.TOWNSHIP)
    units: Any = Unit.objects.filter(is_active=True)
    if viewer.scope_path:
        territories = territories.filter(path__startswith=viewer.scope_path)
        units = units.filter(territory__path__startswith=viewer.scope_path)
    elif viewer.scope_unit_id is not None:
        unit = Unit.objects.filter(pk=viewer.scope_unit_id).select_related("territory").first()
        territories = territories.filter(path__startswith=unit.territory.path) if unit else territories.none()
        units = None
    categories = list(
        Category.objects.filter(level__lte=2).order_by("full_name").values_list("pk", "full_name")
    )
    return (
        list(territories.order_by("path")),
        (list(units.order_by("territory__path", "code")) if units is not None else None),
        categories,
    )


def choose(request: HttpRequest, viewer: selectors.Viewer) -> Chosen | HttpResponse:
    """The filters of the request, checked against what this viewer may choose (400 if not)."""
    territories, units, categories = _choices(viewer)
    data = {k: v for k, v in request.GET.items() if k in FILTER_KEYS}
    form = DashboardFilterForm(
        data or None,
        territories=[(t.pk, f"{'　' * max(0, t.level - 3)}{t.name}") for t in territories],
        units=[(u.pk, u.name) for u in units] if units is not None else None,
        categories=categories,
    )
    if data and not form.is_valid():
        return render(
            request,
            "analytics/dashboard.html",
            {**nav_context(request, "analytics"), "form": form, "viewer": viewer, "invalid": True},
            status=400,
        )
    clean = form.cleaned_data if data else {}
    month = clean.get("month") or timeutil.today().replace(day=1)
    start, end = dashboard.period_of(month)
    territory = next((t for t in territories if t.pk == clean.get("territory")), None)
    category = next((name for pk, name in categories if pk == clean.get("category")), "")
    unit_id = clean.get("unit")
    f = selectors.scoped(
        Filters(
            start=start,
            end=end,
            territory_path=territory.path if territory else "",
            unit_id=unit_id,
            petition_type=clean.get("petition_type") or "",
            category_name=category,
            channel=clean.get("channel") or "",
        ),
        viewer,
    )
    params = {k: str(v) for k, v in data.items() if v and k != "month"}
    return Chosen(f, params, territory, unit_id, month, form)


def _viewer(request: HttpRequest) -> selectors.Viewer:
    user: Any = request.user
    return selectors.viewer_for(user)


@login_required
@require_GET
@on_replica  # innermost: the session and the user are read from the primary first
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """统计分析: charts with their tables; every figure opens the cases behind it."""
    viewer = _viewer(request)
    chosen = choose(request, viewer)
    if isinstance(chosen, HttpResponse):
        return chosen
    ctx = dashboard.Context(chosen.filters, viewer, chosen.params)
    tables = dashboard.staff_tables(ctx, chosen.territory, chosen.unit_id)
    query = urlencode({**chosen.params, "month": f"{chosen.month:%Y-%m}"})
    closed = ClosedMonth.objects.filter(month=chosen.month).first()
    user: Any = request.user
    # 下载通报: the month shown if it has ended, else the month before; the territory filter if any
    ended = chosen.month if chosen.month < timeutil.today().replace(day=1) else None
    bulletin_query = ""
    if viewer.kind in ("leader", "all") and ended is not None:
        bulletin_query = urlencode(
            {"month": f"{ended:%Y-%m}", **({"territory": chosen.territory.pk} if chosen.territory else {})}
        )
    context = {
        **nav_context(request, "analytics"),
        "bulletin_query": bulletin_query,
        "bulletin_month": ended,
        "form": chosen.form,
        "viewer": viewer,
        "month": chosen.month,
        "tables": {t.key: t for t in tables},
        "charts": {t.key: t.chart for t in tables if t.chart and "series" in t.chart},
        "query": query,
        "definitions": all_metrics(),
        "closed": closed,
        "may_close": user.role in CLOSING_ROLES or user.is_superuser,
        "close_form": CloseMonthForm(initial={"month": f"{(chosen.month - timedelta(days=1)):%Y-%m}"}),
    }
    return render(request, "analytics/dashboard.html", context)


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApplicationError(f"{name} 须为 YYYY-MM-DD 格式的日期") from None


def _int(value: str | None, name: str) -> int | None:
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise ApplicationError(f"{name} 无效")
    return int(value)


def _drill_filters(request: HttpRequest, viewer: selectors.Viewer) -> tuple[Filters, dict[str, str]]:
    g = request.GET
    today = timeutil.today()
    start = _date(g["start"], "开始日期") if g.get("start") else today.replace(day=1)
    end = _date(g["end"], "结束日期") if g.get("end") else today
    if end < start or (end - start).days > 3660:
        raise ApplicationError("日期范围无效")
    territory_id, category_id = _int(g.get("territory"), "区域"), _int(g.get("category"), "问题分类")
    territory = Territory.objects.filter(pk=territory_id).first() if territory_id is not None else None
    category = Category.objects.filter(pk=category_id).first() if category_id is not None else None
    ptype = g.get("petition_type", "")
    channel = g.get("channel", "")
    if (ptype and ptype not in PetitionType.values) or (channel and channel not in Channel.values):
        raise ApplicationError("类型或渠道无效")
    f = Filters(
        start=start,
        end=end,
        territory_path=territory.path if territory else "",
        unit_id=_int(g.get("unit"), "单位"),
        petition_type=ptype,
        category_name=category.full_name if category else "",
        channel=channel,
    )
    described = {
        "期间": f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}",
        **({"区域": territory.name} if territory else {}),
        **({"问题分类": category.full_name} if category else {}),
        **({"类型": PetitionType(ptype).label} if ptype else {}),
        **({"渠道": Channel(channel).label} if channel else {}),
    }
    return selectors.scoped(f, viewer), described


BACKLOG_STATES = {
    "open": ("在办", (ClockState.RUNNING, ClockState.YELLOW, ClockState.RED, ClockState.PAUSED)),
    "due_soon": ("临期（黄灯）", (ClockState.YELLOW,)),
    "overdue": ("超期（红灯）", (ClockState.RED,)),
}


def _cases_behind(request: HttpRequest, viewer: selectors.Viewer) -> tuple[str, dict[str, str], Any]:
    """(title, filters described, queryset) of the cases behind one figure, or ApplicationError."""
    user: Any = request.user
    g = request.GET
    title, described, qs = "统计事项列表", {}, None
    if g.get("backlog"):
        entry = BACKLOG_STATES.get(g["backlog"])
        unit_id = _int(g.get("unit"), "单位")
        if entry is None or unit_id is None:
            raise ApplicationError("积案类别或单位无效")
        label, states = entry
        if viewer.scope_unit_id is not None and unit_id != viewer.scope_unit_id:
            unit_id = viewer.scope_unit_id  # a unit's view shows its own backlog only
        clocks = Clock.objects.filter(unit_id=unit_id, state__in=states).exclude(kind__in=WINDOW_KINDS)
        qs = selectors.case_list(user).filter(pk__in=clocks.values("case_id"))
        unit = Unit.objects.filter(pk=unit_id).first()
        title, described = f"{label}事项", {"单位": unit.name if unit else "—"}
    elif g.get("metric"):
        if not has_metric(g["metric"]):
            raise ApplicationError("没有这个统计指标")
        metric = get_metric(g["metric"])
        part = "num" if g.get("part") == "num" else "den"
        f, described = _drill_filters(request, viewer)
        qs = selectors.cases_behind(user, metric.key, f, part)
        what = (
            metric.definition.numerator
            if part == "num"
            else (metric.definition.denominator if metric.kind != "count" else metric.definition.numerator)
        )
        title, described = metric.label, {**described, "口径": what}
    return title, described, qs


@login_required
@require_GET
def cases_view(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure: only those the user may see (cases.selectors.case_list)."""
    viewer = _viewer(request)
    g = request.GET
    try:
        title, described, qs = _cases_behind(request, viewer)
    except ApplicationError as exc:
        return render(
            request,
            "analytics/cases.html",
            {**nav_context(request, "analytics"), "error": exc.message, "title": "统计事项列表"},
            status=400,
        )
    page = paginate(request, qs.order_by("-registered_at", "-id")) if qs is not None else None
    base = urlencode({k: v for k, v in g.items() if k != "page"})
    context = {
        **nav_context(request, "analytics"),
        "title": title,
        "described": described,
        "page": page,
        "rows": case_rows(page) if page else [],
        "base_query": base,
    }
    return render(request, "analytics/cases.html", context)


@login_required
@require_GET
def cases_export_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The same cases as .xlsx (issue 11 item 5): identity masked unless ?identity=full (audited)."""
    viewer = _viewer(request)
    try:
        title, described, qs = _cases_behind(request, viewer)
        if qs is None:  # no figure chosen: the list page's empty state, as a file with its header only
            qs = selectors.case_list(request.user).none()  # type: ignore[arg-type]
    except ApplicationError as exc:
        return render(
            request,
            "analytics/cases.html",
            {**nav_context(request, "analytics"), "error": exc.message, "title": "统计事项列表"},
            status=400,
        )
    heading = [title, "；".join(f"{k}：{v}" for k, v in described.items())]
    return case_list_export(request, qs, filename=title, where="analytics_cases", heading=heading)


@login_required
@require_GET
@on_replica  # innermost: the session and the user are read from the primary first
def export_view(request: HttpRequest) -> HttpResponse:
    """One table of the dashboard, with the filters applied, as .xlsx (openpyxl)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    viewer = _viewer(request)
    chosen = choose(request, viewer)
    if isinstance(chosen, HttpResponse):
        return chosen
    ctx = dashboard.Context(chosen.filters, viewer, chosen.params, drill=False)
    tables = {t.key: t for t in dashboard.staff_tables(ctx, chosen.territory, chosen.unit_id)}
    key = request.GET.get("table") or "metrics"
    if key not in tables:
        return render(
            request,
            "analytics/cases.html",
            {**nav_context(request, "analytics"), "error": "没有这个统计表", "title": "导出"},
            status=400,
        )
    table = tables[key]
    wb = Workbook()
    ws = wb.active
    ws.title = table.title[:31].replace("/", "、")
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [f"统计范围：{viewer.label}；期间：{chosen.filters.start:%Y-%m-%d} 至 {chosen.filters.end:%Y-%m-%d}"]
    )
    ws.append(table.columns)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in table.rows:
        ws.append(row)
    if table.note:
        ws.append([])
        ws.append([table.note])
    for letter, width in zip("ABCDEFGHIJ", (28, 12, 12, 12, 40, 12, 12, 12, 12, 12), strict=False):
        ws.column_dimensions[letter].width = width
    return xlsx_bytes_response(workbook_bytes(wb), f"{table.title}-{chosen.month:%Y-%m}.xlsx")


@login_required
@require_POST
def close_month_view(request: HttpRequest) -> HttpResponse:
    """关账: freeze a finished month's figures (supervisors and administrators)."""
    user: User = request.user  # type: ignore[assignment]
    if user.role not in CLOSING_ROLES and not user.is_superuser:
        raise PermissionDenied("只有督查考核人员或管理员可以关账")
    form = CloseMonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("analytics_dashboard")
    try:
        closed = services.month_close(month=form.cleaned_data["month"], actor=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("analytics_dashboard")
    messages.success(request, f"{closed.month:%Y年%m月}已关账，该月统计数据不再变动。")
    return redirect(f"{redirect('analytics_dashboard').url}?month={closed.month:%Y-%m}")
