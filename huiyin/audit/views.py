"""The audit screen (审计记录): who looked at whose identity, searched, was refused, exported — for
supervisors (their territory) and administrators (everything), with filters, paging and .xlsx export.

Regulations CF-1/CF-2 (条例 §30¶3, §46(五)): "audit log of every view/export", "access audit reports".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from huiyin.audit import selectors
from huiyin.audit.exports import AUDIT_LOG, COLUMNS, audit_filters, row
from huiyin.audit.forms import AuditFilterForm
from huiyin.cases.audit import audit_identity_search
from huiyin.cases.exports import list_export
from huiyin.org.views import nav_context

PAGE_SIZE = 50
MSG_NOT_AUDITOR = "审计记录仅供督查考核人员和管理员查看"


def _auditor(request: HttpRequest) -> None:
    if not selectors.may_read_audit(request.user):  # type: ignore[arg-type]
        raise PermissionDenied(MSG_NOT_AUDITOR)


def _filters(request: HttpRequest, form: AuditFilterForm) -> selectors.AuditFilters:
    whose = form.cleaned_data.get("whose") or ""
    if whose:
        audit_identity_search(request, whose, where="audit_screen")  # looking up a person is a search too
    return audit_filters(form.cleaned_data)


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """审计记录: newest first, PAGE_SIZE a page, keyset paging by id (`before`)."""
    _auditor(request)
    form = AuditFilterForm(request.GET or None)
    context: dict[str, Any] = {**nav_context(request, "audit"), "form": form, "columns": COLUMNS}
    if request.GET and not form.is_valid():
        return render(request, "audit/audit.html", {**context, "rows": []}, status=400)
    if not request.GET:
        form = AuditFilterForm({})
        form.is_valid()
        context["form"] = form
    qs = selectors.audit_entries(request.user, _filters(request, form))  # type: ignore[arg-type]
    before = form.cleaned_data.get("before")
    if before:
        qs = qs.filter(pk__lt=before)
    entries = list(qs[: PAGE_SIZE + 1])
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    params = {k: v for k, v in request.GET.items() if k != "before" and v}
    context.update(
        rows=[row(e) for e in entries],
        next_query=urlencode({**params, "before": entries[-1].pk}) if more else "",
        export_query=urlencode(params),
    )
    return render(request, "audit/audit.html", context)


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The screen's rows (all pages) as .xlsx (huiyin/audit/exports.py; a long log is written by the
    worker with progress); the export is itself audited once written. The log holds no raw ID number or
    phone (core.audit), so nothing to unmask."""
    _auditor(request)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "audit/audit.html",
            {**nav_context(request, "audit"), "form": form, "rows": []},
            status=400,
        )
    _filters(request, form)  # a lookup by person ("whose") is audited as a search, as on the screen
    return list_export(request, AUDIT_LOG.kind)
