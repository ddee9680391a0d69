"""The mediation module's staff lists as .xlsx (issue 11 item 5; huiyin.cases.exports.list_export runs
them): the 排查台账 (selectors.items_for) and the 调解台账 (selectors.mediations_for), each as the user
may see it, parties' names masked to their first character unless ?identity=full, which the export's own
audit row records (条例 §30¶3: a record about an accusation case the user may not see is outside both
selectors altogether)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet

from huiyin.core.registry import ExportContext, ExportKind
from huiyin.core.xlsx import Column, mask_name
from huiyin.mediation import selectors
from huiyin.mediation.models import Mediation, ScreeningItem, ScreeningRound

LEDGER_COLUMNS = (
    Column("pk", "编号", 8),
    Column("reported_at", "登记时间", 18),
    Column("territory", "地点", 16),
    Column("kind", "纠纷类型", 12),
    Column("summary", "纠纷简要情况", 36),
    Column("parties", "当事人", 20),
    Column("risk", "风险等级", 8),
    Column("unit", "责任单位", 18),
    Column("person", "责任人", 10),
    Column("due_on", "化解期限", 12),
    Column("status", "状态", 10),
    Column("settled_on", "化解日期", 12),
)


def masked_parties(text: str, *, full: bool) -> str:
    """The parties as the ledger records them, each name masked to its first character unless `full`."""
    if full:
        return text
    return "、".join(mask_name(p.strip()) for p in text.replace("，", "、").split("、") if p.strip())


def ledger_select(user: Any, filters: Mapping[str, str]) -> QuerySet[ScreeningItem]:
    """The whole 排查台账 the user may see (the screen shows the latest 200), the screen's order."""
    return selectors.items_for(user).order_by("-reported_at", "-id")


def ledger_rows(user: Any, items: list[ScreeningItem], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    for i in items:
        yield {
            "pk": i.pk,
            "reported_at": i.reported_at,
            "territory": i.territory.name,
            "kind": i.get_kind_display(),
            "summary": i.summary,
            "parties": masked_parties(i.parties, full=ctx.full),
            "risk": i.get_risk_display(),
            "unit": i.responsible_unit.name if i.responsible_unit else "",
            "person": i.responsible_person.full_name if i.responsible_person else "",
            "due_on": i.due_on,
            "status": i.get_status_display(),
            "settled_on": i.settled_on,
        }


LEDGER = ExportKind(
    kind="mediation_ledger",
    title="矛盾纠纷排查台账",
    columns=LEDGER_COLUMNS,
    select=ledger_select,
    rows=ledger_rows,
    identity=True,
)

MEDIATION_COLUMNS = (
    Column("pk", "编号", 8),
    Column("opened_at", "受理时间", 18),
    Column("kind", "调解类型", 12),
    Column("organ", "调解组织", 20),
    Column("territory", "地点", 14),
    Column("dispute_kind", "纠纷类型", 12),
    Column("summary", "纠纷简要情况", 36),
    Column("parties", "当事人", 20),
    Column("state", "状态", 10),
    Column("concluded_on", "结束日期", 12),
    Column("case", "关联信访事项", 18),
)


def mediations_select(user: Any, filters: Mapping[str, str]) -> QuerySet[Mediation]:
    """Every mediation the user may see (selectors.mediations_for), newest first."""
    return (
        selectors.mediations_for(user)
        .select_related("case")
        .prefetch_related("parties")
        .order_by("-opened_at", "-id")
    )


def mediation_rows(user: Any, mediations: list[Mediation], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    for m in mediations:
        names = "、".join(p.name for p in m.parties.all())
        yield {
            "pk": m.pk,
            "opened_at": m.opened_at,
            "kind": m.get_kind_display(),
            "organ": m.organ.name,
            "territory": m.territory.name,
            "dispute_kind": m.get_dispute_kind_display(),
            "summary": m.summary,
            "parties": masked_parties(names, full=ctx.full),
            "state": m.get_state_display(),
            "concluded_on": m.concluded_on,
            "case": m.case.code if m.case else "",  # mediations_for shows only cases the user may see
        }


MEDIATIONS = ExportKind(
    kind="mediation_register",
    title="人民调解台账",
    columns=MEDIATION_COLUMNS,
    select=mediations_select,
    rows=mediation_rows,
    identity=True,
)


def rounds_select(user: Any, filters: Mapping[str, str]) -> QuerySet[ScreeningRound]:
    """The 排查轮次 the user's territorial organ answers for (selectors.rounds_for), newest first, each with
    its reporting points counted: filed, 零报告, not yet reported (the 零报告制度 of seed 002)."""
    reports = "reports"
    return selectors.rounds_for(user).annotate(
        points=Count(reports, distinct=True),
        filed=Count(reports, filter=Q(reports__filed_at__isnull=False, reports__zero=False), distinct=True),
        zeros=Count(reports, filter=Q(reports__filed_at__isnull=False, reports__zero=True), distinct=True),
        items_n=Count("items", distinct=True),
    )


def round_rows(user: Any, records: list[Any], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    for r in records:
        yield {
            "township": r.township.name,
            "period": f"{r.period:%Y}年{r.period.month}月",
            "due_on": r.due_on,
            "opener": r.opener_label,
            "points": r.points,
            "filed": r.filed,
            "zeros": r.zeros,
            "missing": r.points - r.filed - r.zeros,
            "items": r.items_n,
        }


ROUNDS = ExportKind(
    kind="mediation_rounds",
    title="矛盾纠纷排查轮次",
    columns=(
        Column("township", "乡镇（街道）", 16),
        Column("period", "排查月份", 12),
        Column("due_on", "报送截止日", 12),
        Column("opener", "开启", 14),
        Column("points", "报送点", 8),
        Column("filed", "已报送", 8),
        Column("zeros", "零报告", 8),
        Column("missing", "未报送", 8),
        Column("items", "排查事项", 8),
    ),
    select=rounds_select,
    rows=round_rows,
)
EXPORTS = (LEDGER, MEDIATIONS, ROUNDS)
