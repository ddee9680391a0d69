"""The audit screen (审计记录): who looked at whose identity, searched, was refused, exported — for
supervisors (their territory) and administrators (everything), with filters, paging and .xlsx export.

Regulations CF-1/CF-2 (条例 §30¶3, §46(五)): "audit log of every view/export", "access audit reports".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from huiyin.audit import selectors
from huiyin.cases.audit import audit_identity_search
from huiyin.core.audit import audit
from huiyin.core.models import AuditEntry
from huiyin.core.xlsx import Column, xlsx_response
from huiyin.org.views import nav_context

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 1_000_000  # streamed: memory stays flat (huiyin.core.xlsx)
WIDTHS = {"at": 20, "actor": 24, "unit": 18, "case": 18, "detail": 60}
MSG_NOT_AUDITOR = "审计记录仅供督查考核人员和管理员查看"
MIN_DAY, MAX_DAY = date(2000, 1, 1), date(9998, 12, 31)


class AuditFilterForm(forms.Form):
    who = forms.CharField(label="操作人（用户名或姓名）", required=False, max_length=150)
    whose = forms.CharField(label="涉及（事项编号、信访人身份证号或电话）", required=False, max_length=30)
    date_from = forms.DateField(
        label="起（含）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="止（含）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部"), *AuditEntry.Kind.choices])
    before = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if name == "kind" else "form-control form-control-sm"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not (MIN_DAY <= day <= MAX_DAY):
                self.add_error(name, f"日期须在 {MIN_DAY} 至 {MAX_DAY} 之间")
        return data


def _auditor(request: HttpRequest) -> None:
    if not selectors.may_read_audit(request.user):  # type: ignore[arg-type]
        raise PermissionDenied(MSG_NOT_AUDITOR)


def _filters(request: HttpRequest, form: AuditFilterForm) -> selectors.AuditFilters:
    data = form.cleaned_data
    whose = data.get("whose") or ""
    case_ids = None
    if whose:
        case_ids = selectors.cases_of_whose(whose)
        audit_identity_search(request, whose, where="audit_screen")  # looking up a person is a search too
    return selectors.AuditFilters(
        actor=data.get("who") or "",
        case_ids=case_ids,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        kind=data.get("kind") or "",
    )


def row(entry: AuditEntry) -> dict[str, Any]:
    actor = entry.actor
    return {
        "id": entry.pk,
        "at": timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        "kind": entry.get_kind_display(),
        "actor": f"{actor.full_name or actor.username}（{actor.username}）" if actor else "—",
        "unit": actor.unit.name if actor and actor.unit else "",
        "case": entry.case.code if entry.case else "",
        "ip": entry.ip_address or "",
        "detail": json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else "",
    }


COLUMNS = (
    ("at", "时间"),
    ("kind", "类别"),
    ("actor", "操作人"),
    ("unit", "单位"),
    ("case", "事项"),
    ("ip", "地址"),
    ("detail", "详情"),
)


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
    """The screen's rows (all pages) as a streaming .xlsx (huiyin.core.xlsx); the export is itself
    audited once written. The log holds no raw ID number or phone (core.audit), so nothing to unmask."""
    _auditor(request)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "audit/audit.html",
            {**nav_context(request, "audit"), "form": form, "rows": []},
            status=400,
        )
    filters = _filters(request, form)
    entries = selectors.audit_entries(request.user, filters)  # type: ignore[arg-type]

    def rows() -> Iterator[list[Any]]:
        for entry in entries[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
            values = row(entry)
            yield [values["id"], *[values[key] for key, _label in COLUMNS]]

    def done(count: int) -> None:
        audit(
            request,
            AuditEntry.Kind.EXPORT,
            what="audit_log",
            rows=count,
            filters={k: v for k, v in request.GET.items() if v and k != "before"},
        )

    return xlsx_response(
        filename="审计记录",
        sheet="审计记录",
        columns=[
            Column("id", "编号", 10),
            *[Column(key, label, WIDTHS.get(key, 14)) for key, label in COLUMNS],
        ],
        rows=rows(),
        on_done=done,
    )
