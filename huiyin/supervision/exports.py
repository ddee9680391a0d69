"""The 督办 lists as .xlsx (issue 11 item 5; huiyin.cases.exports.list_export runs them): a supervisor's
candidates with the screen's filters, the user's 督办单, and a unit's record the user may open. Each row
carries its case's code and title and the petitioners' identity, masked unless ?identity=full, then
audited per case as the case page's reveal is (cases.exports.identity_cells; SPEC §1.3, 条例 §30¶3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

from django.db.models import F, QuerySet

from huiyin.cases.exports import IDENTITY_COLUMNS, identity_cells
from huiyin.core import timeutil
from huiyin.core.parsing import parse_id
from huiyin.core.registry import ExportContext, ExportKind
from huiyin.core.xlsx import Column
from huiyin.org.choices import Role
from huiyin.org.models import Territory, Unit
from huiyin.supervision import selectors
from huiyin.supervision.forms import CandidateFilterForm
from huiyin.supervision.models import Suggestion, SupervisionCandidate, SupervisionOrder

CANDIDATE_COLUMNS = (
    Column("found_at", "发现时间", 18),
    Column("reason", "督办线索", 16),
    Column("detail", "说明", 30),
    Column("unit", "责任单位", 16),
)
ORDER_COLUMNS = (
    Column("issued_at", "下发时间", 18),
    Column("unit", "督办对象", 16),
    Column("level", "督办级别", 8),
    Column("due_on", "答复期限", 12),
    Column("state", "状态", 10),
    Column("answered_at", "答复时间", 18),
)
CASE_REF_COLUMNS = (Column("code", "事项编号", 18), Column("title", "标题", 36))


class BadCandidateFilters(ValueError):
    """The candidate list's filters do not validate (the view answers 400 before anything is exported)."""


def candidate_filters(
    user: Any, data: Mapping[str, str] | None
) -> tuple[CandidateFilterForm, dict[str, Any]]:
    """The candidate list's filter form over `data` (the query) and the selector's keyword filters."""
    form = CandidateFilterForm(
        data or None,
        units=list(selectors.candidate_units(user).values_list("pk", "name")),
        territories=list(selectors.filter_territories(user).values_list("pk", "name")),
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        d = form.cleaned_data
        filters["reason"] = d["reason"] or ""
        if d["unit"] is not None:
            filters["unit"] = Unit.objects.get(pk=d["unit"])
        if d["territory"] is not None:
            filters["territory"] = Territory.objects.get(pk=d["territory"])
        if d["min_age"] is not None:
            filters["registered_before"] = timeutil.now() - timedelta(days=d["min_age"])
    return form, filters


def candidates_select(user: Any, filters: Mapping[str, str]) -> QuerySet[SupervisionCandidate]:
    """A supervisor's open candidates with the screen's filters (anyone else: none)."""
    if user.role != Role.SUPERVISOR:
        return SupervisionCandidate.objects.none()
    form, kwargs = candidate_filters(user, {k: v for k, v in filters.items() if k in CANDIDATE_FILTERS})
    if form.is_bound and not form.is_valid():
        raise BadCandidateFilters(form.errors.as_json())
    return selectors.candidates_for(user, **kwargs).select_related("case", "unit")


CANDIDATE_FILTERS = frozenset(CandidateFilterForm.base_fields)


def orders_select(user: Any, filters: Mapping[str, str]) -> QuerySet[SupervisionOrder]:
    """The 督办单 the user sees (a supervisor or leader: the territory's; others: their unit's)."""
    return selectors.orders_for(user).select_related("case", "unit")


def record_unit(user: Any, filters: Mapping[str, str]) -> Unit | None:
    """The unit whose record is asked for (?unit=, else one's own) if the user may open it, else None."""
    unit_id = parse_id(filters.get("unit") or (str(user.unit_id) if user.unit_id else ""))
    return selectors.units_of_record(user).filter(pk=unit_id).first() if unit_id is not None else None


def record_select(user: Any, filters: Mapping[str, str]) -> QuerySet[SupervisionOrder]:
    """A unit's 督办 record, when the user may open that unit's record (otherwise none)."""
    unit = record_unit(user, filters)
    if unit is None:
        return SupervisionOrder.objects.none()
    return selectors.unit_record(unit).select_related("case", "unit")


def _candidate_cells(c: SupervisionCandidate) -> dict[str, Any]:
    return {
        "found_at": c.found_at,
        "reason": c.get_reason_display(),
        "detail": c.detail,
        "unit": c.unit.name if c.unit else "",
    }


def _order_cells(o: SupervisionOrder) -> dict[str, Any]:
    return {
        "issued_at": o.issued_at,
        "unit": o.unit.name,
        "level": o.level,
        "due_on": o.due_on,
        "state": o.get_state_display(),
        "answered_at": o.answered_at,
    }


def _rows(
    cells: Callable[[Any], dict[str, Any]],
) -> Callable[[Any, list[Any], ExportContext], Iterator[dict[str, Any]]]:
    """Each record's own cells, its case's code and title and the petitioners' identity (masked unless
    `ctx.full`, then audited per case like the case page's reveal: cases.exports.identity_cells)."""

    def rows(user: Any, records: list[Any], ctx: ExportContext) -> Iterator[dict[str, Any]]:
        identity = identity_cells(user, [r.case for r in records], full=ctx.full, ip=ctx.ip, where=ctx.where)
        for r in records:
            yield {"code": r.case.code, "title": r.case.title, **cells(r), **identity[r.case_id]}

    return rows


CANDIDATES = ExportKind(
    kind="supervision_candidates",
    title="督办线索",
    columns=(*CASE_REF_COLUMNS, *CANDIDATE_COLUMNS, *IDENTITY_COLUMNS),
    select=candidates_select,
    rows=_rows(_candidate_cells),
    identity=True,
)
ORDERS = ExportKind(
    kind="supervision_orders",
    title="督办单",
    columns=(*CASE_REF_COLUMNS, *ORDER_COLUMNS, *IDENTITY_COLUMNS),
    select=orders_select,
    rows=_rows(_order_cells),
    identity=True,
)
RECORD = ExportKind(
    kind="supervision_record",
    title="单位督办记录",
    columns=(*CASE_REF_COLUMNS, *ORDER_COLUMNS, *IDENTITY_COLUMNS),
    select=record_select,
    rows=_rows(_order_cells),
    identity=True,
)


# unanswered first on every backend (PostgreSQL sorts NULLs last ascending, SQLite first), then by due date
ORDER = (F("feedback_on").asc(nulls_first=True), "due_on", "id")


def suggestions_select(user: Any, filters: Mapping[str, str]) -> QuerySet[Suggestion]:
    """建议及采纳情况 (条例 §40¶2–4) as the page lists them: what the user's unit made or received (a
    supervisor's or leader's: also their territory's offices), ?show=open or overdue, unanswered first."""
    from huiyin.supervision import suggestions as svc

    qs = svc.suggestions_for(user)
    show = filters.get("show", "")
    listed = (
        svc.overdue(qs)
        if show == "overdue"
        else (qs.filter(feedback_on__isnull=True) if show == "open" else qs)
    )
    return listed.order_by(*ORDER)


def suggestion_rows(user: Any, records: list[Suggestion], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    """A batch of suggestions (units and case already joined): no petitioner identity, only the case code
    (a suggestion about an accusation is never made to the accused side: suggestions.MSG_ACCUSED)."""
    today = timeutil.today()
    for s in records:
        yield {
            "kind": s.get_kind_display(),
            "from_unit": s.from_unit.name,
            "to_unit": s.to_unit.name,
            "code": s.case.code if s.case else "",
            "issued_on": s.issued_on,
            "content": s.content,
            "due_on": s.due_on,
            "overdue": "逾期未反馈" if s.feedback_on is None and s.due_on < today else "",
            "adoption": s.get_adoption_display() if s.adoption else "",
            "feedback_on": s.feedback_on,
            "feedback": s.feedback,
        }


SUGGESTIONS = ExportKind(
    kind="supervision_suggestions",
    title="建议及采纳情况",
    columns=(
        Column("kind", "建议类别", 12),
        Column("from_unit", "提出单位", 16),
        Column("to_unit", "提出对象", 16),
        Column("code", "相关事项编号", 18),
        Column("issued_on", "提出日期", 12),
        Column("content", "建议内容", 50),
        Column("due_on", "书面反馈期限", 12),
        Column("overdue", "提示", 10),
        Column("adoption", "采纳情况", 10),
        Column("feedback_on", "反馈日期", 12),
        Column("feedback", "书面反馈", 40),
    ),
    select=suggestions_select,
    rows=suggestion_rows,
)
EXPORTS = (CANDIDATES, ORDERS, RECORD, SUGGESTIONS)
BY_LIST = {"candidates": CANDIDATES, "orders": ORDERS, "record": RECORD}  # ?list= of the export route
