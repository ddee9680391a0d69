"""The pages of the office's paperwork and assessment (SPEC §3.7): the stored 通报 and annual reports
(generated on demand, downloaded later), 民主评议 rounds with their public one-time answer page, and the
yearly 考核 scorecard. Leaders and supervisors see their territory; administrators configure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from huiyin.analytics import documents, scorecard, selectors, survey
from huiyin.analytics.exports import SURVEYS
from huiyin.analytics.forms import MonthField
from huiyin.analytics.models import Document, SurveyAnswer, SurveyRound
from huiyin.analytics.services import month_start
from huiyin.cases.exports import bad_format, export_audited, format_export
from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError
from huiyin.core.xlsx import XLSX_CONTENT_TYPE, Column, workbook_bytes, xlsx_bytes_response, xlsx_response
from huiyin.org.models import Territory, Unit, User
from huiyin.org.views import nav_context

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = XLSX_CONTENT_TYPE


def _user(request: HttpRequest) -> User:
    """The signed-in staff account (every view here is behind the staff login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _territories(user: User) -> list[Territory]:
    """The territories whose documents the user may see: a leader's or supervisor's own territory and
    the offices' territories below it; everything for a superuser without a unit. A unit's staff: none
    (a 通报 covers a territory, not one unit)."""
    viewer = selectors.viewer_for(user)
    offices = documents.office_territories()
    if viewer.kind == "all":
        return offices
    if viewer.kind != "leader":
        return []
    own = Territory.objects.filter(path=viewer.scope_path).first()
    found = [t for t in offices if t.path.startswith(viewer.scope_path)]
    return found or ([own] if own else [])


def _visible_documents(user: User) -> Any:
    """Stored documents of territories in a leader's or supervisor's own territory (none for a unit's
    staff): the township 通报 a county leader downloaded from a filtered dashboard included."""
    viewer = selectors.viewer_for(user)
    if viewer.kind == "all":
        return Document.objects.all()
    if viewer.kind != "leader":
        return Document.objects.none()
    return Document.objects.filter(territory__path__startswith=viewer.scope_path)


def _leader_only(user: User) -> list[Territory]:
    territories = _territories(user)
    if not territories:
        raise PermissionDenied("通报和年度报告由领导和督查考核人员查看")
    return territories


@login_required
@require_http_methods(["GET"])
def documents_view(request: HttpRequest) -> HttpResponse:
    territories = _leader_only(_user(request))
    docs = _visible_documents(_user(request)).select_related("territory", "generated_by")
    today = timeutil.today()
    return render(
        request,
        "analytics/documents.html",
        {
            **nav_context(request, "analytics"),
            "documents": docs.order_by("-period", "kind", "territory__path"),
            "territories": territories,
            "default_month": f"{month_start(month_start(today) - timedelta(days=1)):%Y-%m}",
            "default_year": today.year - 1,
        },
    )


@login_required
@require_POST
def document_generate_view(request: HttpRequest) -> HttpResponse:
    """生成: the stored document of the period, made now if missing (an administrator may regenerate)."""
    user = _user(request)
    territories = {t.pk: t for t in _leader_only(user)}
    kind = request.POST.get("kind", "")
    try:
        territory = territories.get(int(request.POST.get("territory") or 0))
    except ValueError:
        territory = None
    error = ""
    period: date | None = None
    if kind not in Document.Kind.values:
        error = "文书类别无效"
    elif territory is None:
        error = "区域无效"
    elif kind == Document.Kind.BULLETIN:
        try:
            period = MonthField().clean(request.POST.get("month", ""))
        except Exception:
            error = "月份格式为 YYYY-MM"
        if period is None and not error:
            error = "请选择月份"
        elif period is not None and period >= month_start(timeutil.today()):
            error = "只能生成已经结束的月份的通报"
    else:
        year = request.POST.get("year", "")
        if not (year.isascii() and year.isdigit() and 2000 <= int(year) < timeutil.today().year):
            error = "只能生成已经结束的年度的报告"
        else:
            period = date(int(year), 1, 1)
    if error or period is None or territory is None:
        messages.error(request, error or "参数无效")
        response = documents_view(request)
        response.status_code = 400
        return response
    doc, made = documents.document_ensure(
        kind,
        period,
        territory,
        actor=user,
        regenerate=bool(request.POST.get("regenerate")) and selectors.is_admin(user),
    )
    messages.success(request, f"{'已生成' if made else '已存在'}：{doc.title}（{doc.number}）")
    return redirect("analytics_documents")


def _document(request: HttpRequest, pk: int) -> Document:
    """A stored document of a territory the user may see; anyone else gets the missing-record 404."""
    return get_object_or_404(_visible_documents(_user(request)), pk=pk)


@login_required
@require_http_methods(["GET"])
def document_docx_view(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    response = HttpResponse(bytes(doc.docx), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"{doc.title}.docx")
    return response


@login_required
@require_http_methods(["GET"])
def document_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    data = documents.document_xlsx(doc)  # an annual report stored before the .xlsx existed: made now
    if data is None:
        raise Http404("该文书没有表格版本")
    return xlsx_bytes_response(data, f"{doc.title}.xlsx")


# --- 民主评议 ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def surveys_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """民主评议: the rounds (response rate), and an administrator opens a new one."""
    user = _user(request)
    status = 200
    exported = format_export(request, SURVEYS.kind) if request.method == "GET" else None
    if exported is not None:  # ?format=xlsx: the rounds as listed
        return exported
    if request.method == "POST":
        if not selectors.is_admin(user):
            raise PermissionDenied("只有管理员可以发起民主评议")
        try:
            territory = Territory.objects.get(pk=int(request.POST.get("territory") or 0))
            unit_ids = [int(u) for u in request.POST.getlist("units")]
            r = survey.round_open(
                title=(request.POST.get("title") or "").strip()[:100] or "民主评议",
                territory=territory,
                start=date.fromisoformat(request.POST.get("period_start", "")),
                end=date.fromisoformat(request.POST.get("period_end", "")),
                units=list(Unit.objects.filter(pk__in=unit_ids, territory__path__startswith=territory.path)),
                actor=user,
            )
        except (ValueError, Territory.DoesNotExist):
            messages.error(request, "请填写评议名称、区域、期间（YYYY-MM-DD）和参评单位")
            status = 400
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(request, f"已发起：{r.title}。请生成邀请链接。")
            return redirect("analytics_survey", pk=r.pk)
    rounds = selectors.survey_rounds_for(user).order_by("-opened_at")
    for r in rounds:
        r.response_rate = survey.round_rate(r.answered, r.invited)
    home: Territory | None = user.unit.territory if user.unit else None
    context = {
        **nav_context(request, "analytics"),
        "rounds": rounds,
        "may_open": selectors.is_admin(user),
        "territories": Territory.objects.filter(path__startswith=home.path)
        if home
        else Territory.objects.all(),
        "units": Unit.objects.filter(is_active=True, territory__path__startswith=home.path)
        if home
        else Unit.objects.filter(is_active=True),
    }
    return render(request, "analytics/surveys.html", context, status=status)


def _round(request: HttpRequest, pk: int) -> SurveyRound:
    return get_object_or_404(selectors.survey_rounds_for(_user(request)), pk=pk)


@login_required
@require_http_methods(["GET"])
def survey_view(request: HttpRequest, pk: int) -> HttpResponse:
    r = _round(request, pk)
    return render(
        request,
        "analytics/survey.html",
        {
            **nav_context(request, "analytics"),
            "round": r,
            "results": survey.results(r),
            "may_manage": selectors.is_admin(_user(request)),
        },
    )


@login_required
@require_POST
def survey_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    """生成邀请: the new invitations' one-time links as .xlsx — given out once, stored nowhere."""
    from openpyxl import Workbook

    user = _user(request)
    if not selectors.is_admin(user):
        raise PermissionDenied("只有管理员可以生成评议邀请")
    r = _round(request, pk)
    try:
        made = survey.invite(
            round=r,
            petitioners=int(request.POST.get("petitioners") or 0),
            residents=int(request.POST.get("residents") or 0),
        )
    except ValueError:
        messages.error(request, "邀请人数须为整数")
        return redirect("analytics_survey", pk=r.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("analytics_survey", pk=r.pk)
    wb = Workbook()
    ws = wb.active
    ws.title = "评议邀请"
    ws.append([f"{r.title}：一次性评议链接（每个链接只能提交一次；评价不与本人关联）"])
    ws.append(["来源", "送达对象", "联系电话", "评议链接"])
    base = request.build_absolute_uri("/")[:-1]
    for inv in made:
        p = inv.petitioner
        ws.append(
            [
                "近期信访人" if p else "群众代表",
                (p.name[:1] + "*" * max(1, len(p.name) - 1)) if p else "",
                p.phone if p else "",
                f"{base}/survey/{inv.token}/",
            ]
        )
    return xlsx_bytes_response(workbook_bytes(wb), f"{r.title}-邀请链接.xlsx")


@login_required
@require_POST
def survey_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    if not selectors.is_admin(user):
        raise PermissionDenied("只有管理员可以结束民主评议")
    r = _round(request, pk)
    try:
        survey.round_close(round=r, actor=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "评议已结束，结果计入考核。")
    return redirect("analytics_survey", pk=r.pk)


@require_http_methods(["GET", "POST"])
def survey_answer_view(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person's page (no sign-in): rate each unit once. A forged, used or expired link is a
    404 that says so, the same for each (nothing tells which tokens exist)."""
    inv = survey.invitation_for(token)
    if inv is None:
        return render(request, "analytics/survey_answer.html", {"invalid": True}, status=404)
    r = inv.round
    units = list(r.units.order_by("code"))
    error, status = "", 200
    if request.method == "POST":
        scores: dict[int, str] = {}
        for u in units:
            value = request.POST.get(f"unit_{u.pk}", "")
            if value:
                scores[u.pk] = value
        try:
            survey.answer(token=token, scores=scores)
        except ApplicationError as exc:
            if exc.status_code == 404:
                return render(request, "analytics/survey_answer.html", {"invalid": True}, status=404)
            error, status = exc.message, 400
        else:
            return render(request, "analytics/survey_answer.html", {"done": True, "round": r})
    return render(
        request,
        "analytics/survey_answer.html",
        {
            "round": r,
            "units": units,
            "scores": SurveyAnswer.Score.choices,
            "chosen": {k: v for k, v in request.POST.items()} if request.method == "POST" else {},
            "error": error,
        },
        status=status,
    )


# --- 考核 ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user = _user(request)
    viewer = selectors.viewer_for(user)
    raw = request.GET.get("year") or request.POST.get("year") or str(scorecard.default_year())
    if not (raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100):
        return render(
            request,
            "analytics/scorecard.html",
            {**nav_context(request, "analytics"), "error": "年度无效"},
            status=400,
        )
    year = int(raw)
    status = 200
    if request.method == "POST":
        if not selectors.is_admin(user):
            raise PermissionDenied("只有管理员可以设置考核权重")
        try:
            weights = {m.key: int(request.POST.get(f"w_{m.key}") or 0) for m in scorecard.weighable()}
            scorecard.weights_set(year=year, weights=weights, actor=user)
        except ValueError:
            messages.error(request, "权重须为 0 至 100 的整数")
            status = 400
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(request, f"{year}年度考核权重已保存。")
            return redirect(f"{request.path}?year={year}")
    card = scorecard.scorecard(year, viewer)
    fmt = request.GET.get("format") if request.method == "GET" else None
    if fmt == "xlsx":
        return _scorecard_xlsx(request, card, viewer)
    if fmt:
        return bad_format(fmt)
    weights = scorecard.weights_of(year)
    context = {
        **nav_context(request, "analytics"),
        "card": card,
        "year": year,
        "year_str": str(year),
        "may_configure": selectors.is_admin(user),
        "weighable": [(m, weights.get(m.key, 0)) for m in scorecard.weighable()],
        "viewer": viewer,
    }
    return render(request, "analytics/scorecard.html", context, status=status)


def _scorecard_xlsx(request: HttpRequest, card: scorecard.Card, viewer: Any) -> StreamingHttpResponse:
    """考核 as the page shows it, as .xlsx (issue 11 item 5): per unit each weighed metric's rate and its
    numerator ÷ denominator, the score, the formula and the closed months counted. Units and figures,
    no person; streamed and audited as an export, like the dashboard's tables (a computed report, not a
    list of records an export job could hold by id)."""
    columns = [Column("rank", "序号", 6), Column("unit", "单位", 28)]
    for m, w in card.metrics:
        columns += [
            Column(f"{m.key}_rate", f"{m.label}（权重{w}）", 14),
            Column(f"{m.key}_of", "分子/分母", 12),
        ]
    columns.append(Column("score", "得分", 10))
    rows = []
    for rank, r in enumerate(card.rows, start=1):
        row: dict[str, Any] = {"rank": rank, "unit": r["unit"], "score": r["score"]}
        for (m, _w), c in zip(card.metrics, r["cells"], strict=True):
            row[f"{m.key}_rate"] = None if c["rate"] is None else f"{c['rate']}%"
            row[f"{m.key}_of"] = f"{c['num']}/{c['den']}"
        rows.append(row)
    span = (
        f"{card.span[0]:%Y-%m-%d} 至 {card.span[1]:%Y-%m-%d}（已关账的月份）"
        if card.span
        else "尚无已关账的月份"
    )
    return xlsx_response(
        filename=f"{card.year}年度考核",
        sheet="考核",
        columns=columns,
        rows=rows,
        heading=[
            f"{card.year}年度考核",
            f"统计范围：{viewer.label}；计入 {span}",
            f"计分公式：{card.formula}",
        ],
        on_done=export_audited(request, what="analytics_scorecard"),
    )


@login_required
@require_http_methods(["GET"])
def bulletin_download_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """The dashboard's 下载通报: the stored 通报 of the chosen month and territory (the dashboard's
    filters), generated now if it is not stored yet. Leaders and supervisors, within their territory."""
    user = _user(request)
    viewer = selectors.viewer_for(user)
    if viewer.kind not in ("leader", "all"):
        raise Http404("通报由领导和督查考核人员下载")
    if fmt not in ("docx", "xlsx"):
        raise Http404("通报只有 Word 和 Excel 两种格式")
    try:
        month = MonthField().clean(request.GET.get("month", ""))
        raw = request.GET.get("territory") or ""
        territory_id = int(raw) if raw else None
    except (ValidationError, ValueError):
        return HttpResponse(
            "月份格式为 YYYY-MM，区域须为编号", status=400, content_type="text/plain; charset=utf-8"
        )
    if month is None or month >= month_start(timeutil.today()):
        return HttpResponse(
            "只能下载已经结束的月份的通报", status=400, content_type="text/plain; charset=utf-8"
        )
    scope = Territory.objects.all()
    if viewer.scope_path:
        scope = scope.filter(path__startswith=viewer.scope_path)
    if territory_id is not None:
        territory = scope.filter(pk=territory_id).first()
    elif viewer.scope_path:
        territory = scope.filter(path=viewer.scope_path).first()
    else:
        territory = next(iter(documents.office_territories()), None)
    if territory is None:
        raise Http404("没有这个区域")
    doc, _made = documents.document_ensure(Document.Kind.BULLETIN, month, territory, actor=user)
    data, kind = (bytes(doc.docx), DOCX) if fmt == "docx" else (documents.document_xlsx(doc), XLSX)
    if data is None:
        raise Http404("该文书没有表格版本")
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, f"{doc.title}.{fmt}")
    return response
