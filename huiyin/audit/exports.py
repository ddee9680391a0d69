"""The audit log as .xlsx (issue 11 item 5; huiyin.cases.exports.list_export runs it): the screen's rows,
all pages, with its filters, as the reader may see them (selectors.audit_visible_to: a supervisor's
territory, an administrator everything). The log holds no raw ID number or phone (core.audit)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from huiyin.audit import selectors
from huiyin.audit.forms import AuditFilterForm
from huiyin.core.models import AuditEntry
from huiyin.core.registry import ExportContext, ExportKind
from huiyin.core.xlsx import Column

COLUMNS = (
    ("at", "时间"),
    ("kind", "类别"),
    ("actor", "操作人"),
    ("unit", "单位"),
    ("case", "事项"),
    ("ip", "地址"),
    ("detail", "详情"),
)
WIDTHS = {"at": 20, "actor": 24, "unit": 18, "case": 18, "detail": 60}


def row(entry: AuditEntry) -> dict[str, Any]:
    """One audit row as the screen and the export show it."""
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


def audit_filters(data: Mapping[str, Any]) -> selectors.AuditFilters:
    """The selector's filters from the form's cleaned data ("whose" resolved to its cases)."""
    whose = data.get("whose") or ""
    return selectors.AuditFilters(
        actor=data.get("who") or "",
        case_ids=selectors.cases_of_whose(whose) if whose else None,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        kind=data.get("kind") or "",
    )


class BadAuditFilters(ValueError):
    """The screen's filters do not validate (the view answers 400 before anything is exported)."""


def audit_select(user: Any, filters: Mapping[str, str]) -> QuerySet[AuditEntry]:
    """The rows the reader may see, the screen's filters applied, newest first (all pages)."""
    form = AuditFilterForm({k: v for k, v in filters.items() if k != "before"})
    if not form.is_valid():
        raise BadAuditFilters(form.errors.as_json())
    return selectors.audit_entries(user, audit_filters(form.cleaned_data)).select_related(
        "actor__unit", "case"
    )


def audit_rows(user: Any, entries: list[AuditEntry], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    for entry in entries:
        yield row(entry)


AUDIT_LOG = ExportKind(
    kind="audit_log",
    title="审计记录",
    columns=(Column("id", "编号", 10), *[Column(key, label, WIDTHS.get(key, 14)) for key, label in COLUMNS]),
    select=audit_select,
    rows=audit_rows,
)
EXPORTS = (AUDIT_LOG,)
