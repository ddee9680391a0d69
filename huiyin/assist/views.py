"""HTML of the smart assist: intake and dispatch aids (htmx partials), the hot-issues dashboard and the
reply-quality check in the reply editor. Suggestions only: every decision stays with a person."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from huiyin.assist import selectors, services
from huiyin.cases.choices import NotAcceptedReason, Status
from huiyin.cases.exports import list_export
from huiyin.cases.web import case_or_404
from huiyin.core.parsing import parse_id
from huiyin.org import roles
from huiyin.org.models import Territory, Unit
from huiyin.org.views import nav_context
from huiyin.workflow.services import allowed_actions
from huiyin.workflow.transitions import Action

# The hot-issues dashboard: the window and dispatch desks plus supervisory roles (SPEC §2).
MSG_NOT_HOT = "您的岗位不能查看热点问题"
MSG_NOT_INTAKE = "您的岗位不能登记信访事项"
MIN_TEXT = 6  # characters of title + content before suggestions are worth computing
_PETITIONER_FIELD = re.compile(r"^p-(\d+)-(id_number|phone)$")


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else request.GET


def _int_or_none(value: str | None) -> int | None:
    return parse_id(value)


def _petitioner_rows(data: Any) -> list[dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for key in data:
        m = _PETITIONER_FIELD.match(key)
        if m:
            rows.setdefault(m.group(1), {})[m.group(2)] = data.get(key, "")
    return list(rows.values())


@login_required
@require_http_methods(["GET", "POST"])
def intake_aids(request: HttpRequest) -> HttpResponse:
    """htmx: category, unit, territory and duplicate suggestions for the intake form being filled in."""
    user = request.user
    if getattr(user, "role", None) not in roles.REGISTER or user.unit is None:  # type: ignore[union-attr]
        return HttpResponse(MSG_NOT_INTAKE, status=403)
    data = _data(request)
    title = data.get("title", "").strip()
    content = data.get("content", "").strip()
    address = data.get("address", "").strip()
    context: dict[str, Any] = {"title": title, "content": content}
    if len(title + content) < MIN_TEXT:
        return render(request, "assist/_intake_results.html", {**context, "waiting": True})
    unit: Unit = user.unit  # type: ignore[union-attr]
    territory_id = _int_or_none(data.get("territory"))
    territory = (
        Territory.objects.filter(pk=territory_id, path__startswith=unit.territory.path).first()
        if territory_id
        else None
    )
    place = selectors.territory_hint(user, address=address, text=f"{title} {content}")  # type: ignore[arg-type]
    hints = selectors.category_hints(
        title=title,
        content=content,
        office=unit,
        territory=(place.territory if place else None) or territory,
        accused_unit_id=_int_or_none(data.get("accused_unit")),
    )
    people = _petitioner_rows(data)
    report = selectors.duplicate_report(
        user,  # type: ignore[arg-type]
        title=title,
        content=content,
        petitioner_ids=selectors.petitioner_ids_for(people),
        identity_given=any((r.get("id_number") or r.get("phone") or "").strip() for r in people),
    )
    context.update(
        hints=hints,
        place=place,
        place_differs=place is not None and place.territory.pk != territory_id,
        report=report,
        selected_category=_int_or_none(data.get("category")),
        final_reason=NotAcceptedReason.FINAL_AFTER_REREVIEW,
        can_see_hot=user.role in roles.SEE_HOT_ISSUES,  # type: ignore[union-attr]
    )
    return render(request, "assist/_intake_results.html", context)


@login_required
@require_GET
def case_aids(request: HttpRequest, code: str) -> HttpResponse:
    """htmx: on the case page, the category suggestion with its unit (at dispatch) and the matters that
    look like this one, with the live case to merge into and the 复核-final rule."""
    case = case_or_404(request, code)
    user = request.user
    actions = allowed_actions(case, user)  # type: ignore[arg-type]
    dispatching = case.office_id == getattr(user, "unit_id", None) and case.status in (
        Status.REGISTERED,
        Status.ACCEPTED,
    )
    hints = (
        selectors.category_hints(
            title=case.title,
            content=case.content,
            office=case.office,
            territory=case.territory,
            accused_unit_id=case.accused_unit_id,
        )
        if dispatching
        else []
    )
    petitioners = set(case.parties.values_list("petitioner_id", flat=True))
    report = selectors.duplicate_report(
        user,  # type: ignore[arg-type]
        title=case.title,
        content=case.content,
        petitioner_ids=petitioners,
        exclude_case_id=case.pk,
    )
    context = {
        "case": case,
        "hints": hints,
        "report": report,
        "can_merge": Action.MERGE in actions and not case.merged_into_id,
        "can_not_accept": Action.NOT_ACCEPT in actions,
        "can_forward": Action.FORWARD in actions,
        "final_reason": NotAcceptedReason.FINAL_AFTER_REREVIEW,
        "can_see_hot": getattr(user, "role", None) in roles.SEE_HOT_ISSUES,
    }
    return render(request, "assist/_case_results.html", context)


@login_required
@require_GET
def hot_issues(request: HttpRequest) -> HttpResponse:
    """热点问题: clusters of similar matters in a sliding window, over the cases the user may see."""
    user = request.user
    if getattr(user, "role", None) not in roles.SEE_HOT_ISSUES and not user.is_superuser:
        return render(request, "403.html", {**nav_context(request), "message": MSG_NOT_HOT}, status=403)
    window, since = selectors.hot_period(request.GET)
    # The clustering runs in the worker; the page reads its stored result (issue 10 item 11).
    stored = selectors.hot_issues_stored(user, window_days=window, since_days=since)  # type: ignore[arg-type]
    refreshing = stored.stale and services.hot_issues_request(
        user_id=user.pk or 0,
        window_days=window,
        since_days=since,  # login_required: never 0
    )
    result = stored.result or {"hotspots": [], "n_cases": 0, "truncated": False}
    chart = {
        "labels": [f"{h['rank']}. {h['label'][:18]}" for h in result["hotspots"]],
        "petitioners": [h["window_petitioners"] for h in result["hotspots"]],
        "cases": [h["window_cases"] for h in result["hotspots"]],
    }
    context = {
        **nav_context(request, "hotspots"),
        **result,
        "window_days": window,
        "since_days": since,
        "window_days_str": str(window),
        "since_days_str": str(since),
        "computed": stored.result is not None,
        "computed_at": stored.computed_at,
        "stale": stored.stale,
        "refreshing": refreshing,
        "chart": chart,
        "window_choices": selectors.WINDOW_CHOICES,
        "since_choices": selectors.SINCE_CHOICES,
    }
    return render(request, "assist/hotspots.html", context)


@login_required
@require_GET
def hot_issues_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The hot-issues table as the page shows it (its window and span), as .xlsx (issue 11 item 5;
    kind `assist_hotspots`, assist/exports.py). It names matters, never people."""
    user = request.user
    if getattr(user, "role", None) not in roles.SEE_HOT_ISSUES and not user.is_superuser:
        return render(request, "403.html", {**nav_context(request), "message": MSG_NOT_HOT}, status=403)
    window, since = selectors.hot_period(request.GET)
    stored = selectors.hot_issues_stored(user, window_days=window, since_days=since)  # type: ignore[arg-type]
    when = f"计算于 {stored.computed_at:%Y-%m-%d %H:%M}" if stored.computed_at else "尚未计算"
    return list_export(
        request, "assist_hotspots", heading=[f"热点问题（窗口 {window} 天，近 {since} 天）；{when}"]
    )


@login_required
@require_http_methods(["GET", "POST"])
def reply_check(request: HttpRequest, code: str) -> HttpResponse:
    """htmx: warnings (never blocks) for the draft reply in the reply editor."""
    case = case_or_404(request, code)
    data = _data(request)
    action = request.GET.get("action") or data.get("action") or "reply"
    if action not in selectors.CLOCK_FOR_ACTION:
        action = "reply"
    draft = {
        name: data.get(name, "")
        for name in ("facts_reasons", "decision", "legal_basis", "review_route", "request_summary")
    }
    review = selectors.reply_review(case, request.user, action=action, draft=draft)  # type: ignore[arg-type]
    return render(request, "assist/_reply_result.html", {"case": case, "review": review, "action": action})
