"""The outreach module's staff lists as .xlsx (issue 11 item 5; huiyin.cases.exports.list_export runs
them): the 民情日记 (走访日志) and the public commitments (承诺台账), each as the user may see it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import QuerySet

from huiyin.cases.exports import WITHHELD
from huiyin.core import timeutil
from huiyin.core.registry import ExportContext, ExportKind
from huiyin.core.xlsx import Column
from huiyin.outreach import selectors
from huiyin.outreach.models import Commitment, DiaryEntry

DIARY_COLUMNS = (
    Column("visited_on", "走访日期", 12),
    Column("territory", "区域", 14),
    Column("point", "联系点", 18),
    Column("place", "地点", 18),
    Column("author", "走访干部", 10),
    Column("people_met", "走访的农户或群众", 24),
    Column("heard", "听到的情况", 36),
    Column("problems", "发现的问题", 36),
    Column("problem_count", "问题数", 8),
)
MASKED = "（已遮蔽）"


def diary_select(user: Any, filters: Mapping[str, str]) -> QuerySet[DiaryEntry]:
    """The diaries the user sees (the screen shows the latest ones), newest first."""
    return (
        selectors.entries_visible_to(user)
        .select_related("author", "point__territory")
        .prefetch_related("problems")
        .order_by("-visited_on", "-id")
    )


def diary_rows(user: Any, entries: list[DiaryEntry], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    """Whom the cadre met is masked unless `ctx.full` (the export's audit row records it); an entry whose
    problem became an accusation the user may not see (条例 §30¶3) shows neither whom the cadre met nor
    what was said, as on its page (selectors.entry_redacted), whatever was asked. The batch's
    redactions are read in one query (selectors.redacted_entries), not one per entry."""
    withheld = selectors.redacted_entries(user, entries)
    for e in entries:
        redacted = e.pk in withheld
        problems = list(e.problems.all())
        yield {
            "visited_on": e.visited_on,
            "territory": e.point.territory.name,
            "point": e.point.name,
            "place": e.place,
            "author": e.author.full_name or e.author.username,
            "people_met": WITHHELD if redacted else (e.people_met if ctx.full else MASKED),
            "heard": WITHHELD if redacted else e.heard,
            "problems": WITHHELD if redacted and problems else "；".join(p.text for p in problems),
            "problem_count": len(problems),
        }


COMMITMENT_COLUMNS = (
    Column("title", "承诺事项", 30),
    Column("beneficiaries", "服务对象", 20),
    Column("measure", "可衡量的结果", 30),
    Column("unit", "承诺单位", 20),
    Column("territory", "区域", 12),
    Column("due_on", "承诺完成日期", 12),
    Column("status", "状态", 10),
    Column("late", "逾期", 6),
    Column("closed_on", "办结日期", 12),
)


def commitments_select(user: Any, filters: Mapping[str, str]) -> QuerySet[Commitment]:
    """The promises the user sees (the screen shows the first ones), in the screen's order."""
    return selectors.commitments_for_staff(user).select_related("unit", "territory")


def commitment_rows(user: Any, items: list[Commitment], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    """A promise names units and results, never a person (the portal publishes the same)."""
    today = timeutil.today()
    for c in items:
        yield {
            "title": c.title,
            "beneficiaries": c.beneficiaries,
            "measure": c.measure,
            "unit": c.unit.name,
            "territory": c.territory.name,
            "due_on": c.due_on,
            "status": c.get_status_display(),
            "late": "逾期" if selectors.is_late(c, today) else "",
            "closed_on": c.closed_on,
        }


DIARY = ExportKind(
    kind="outreach_diary",
    title="民情日记",
    columns=DIARY_COLUMNS,
    select=diary_select,
    rows=diary_rows,
    identity=True,
)
COMMITMENTS = ExportKind(
    kind="outreach_commitments",
    title="公开承诺台账",
    columns=COMMITMENT_COLUMNS,
    select=commitments_select,
    rows=commitment_rows,
)
EXPORTS = (DIARY, COMMITMENTS)
