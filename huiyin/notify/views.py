"""The 通知 inbox: a staff member's work notices (督办, 交办, 异议, 争议, 包案…), newest first."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from huiyin.notify import staff
from huiyin.org.views import nav_context

LIST_LIMIT = 100


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    unread_only = request.GET.get("unread") == "1"
    context = {
        **nav_context(request, "notices"),
        "notices": list(staff.inbox(user, unread_only=unread_only)[:LIST_LIMIT]),
        "unread": staff.unread_count(user),
        "unread_only": unread_only,
    }
    return render(request, "notify/notices.html", context)


@login_required
@require_GET
def notice_badge(request: HttpRequest) -> HttpResponse:
    """The unread count beside 通知 in the navigation (loaded after the page, so pages stay cheap)."""
    return render(request, "notify/_badge.html", {"unread": staff.unread_count(request.user)})  # type: ignore[arg-type]


@login_required
@require_GET
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notice: it is read, and the case page shows what to do."""
    notice = staff.inbox(request.user).filter(pk=pk).first()  # type: ignore[arg-type]
    if notice is None:
        raise Http404("没有这条通知")
    staff.mark_read(request.user, [notice.pk])  # type: ignore[arg-type]
    if notice.case is None:  # a module's own notice (staff.notice_direct): its page, on this site
        return redirect(notice.link or "notices")
    return redirect("case_detail", code=notice.case.code)


@login_required
@require_POST
def notice_read_all(request: HttpRequest) -> HttpResponse:
    staff.mark_read(request.user)  # type: ignore[arg-type]
    return redirect("notices")
