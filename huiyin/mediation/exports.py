"""The mediation module's staff lists as .xlsx (issue 11 item 5; huiyin.cases.exports.list_export runs
them): the 排查台账 as the user may see it (selectors.items_for), parties' names masked to their first
character unless ?identity=full, which the export's own audit row records (条例 §30¶3: an item about an
accusation case the user may not see is outside items_for altogether)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet

from huiyin.core.registry import ExportContext, ExportKind
from huiyin.core.xlsx import Column, mask_name
from huiyin.mediation import selectors
from huiyin.mediation.models import ScreeningItem

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
EXPORTS = (LEDGER,)
