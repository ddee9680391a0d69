"""The documents an office sends (SPEC §3.7): the monthly 通报 and the annual report of 条例 §41, as
.docx in the 公文 layout (GB/T 9704: 方正小标宋 title, 仿宋 body, 黑体 first-level headings, 发文字号,
the date in Chinese numerals) and each also as .xlsx (issue 11 item 4).

The figures come from the same code as the dashboard (dashboard.Context and its tables, read from the
roll-ups), scoped to one territory as its leader sees it, so a 通报 holds what the dashboard showed for
that month. Each document is stored once per period and territory (models.Document): the worker's
schedule and a click on the page both call `document_ensure`, which generates only what is missing.
"""

from __future__ import annotations

import io
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import chain
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from huiyin.analytics import dashboard, selectors
from huiyin.analytics.models import ClosedMonth, Document
from huiyin.analytics.registry import Filters, all_metrics
from huiyin.analytics.selectors import Viewer
from huiyin.analytics.services import month_start, next_month
from huiyin.core import timeutil
from huiyin.core.dbrouter import replica_reads
from huiyin.core.xlsx import workbook_bytes
from huiyin.org.models import Territory, Unit, User

CN_DIGITS = "〇一二三四五六七八九"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
DOCX_LIST_ROWS = 50  # rows of a list printed in a .docx (通报, annual report); the .xlsx has them all


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一, 31 → 三十一 (months and days of a 公文 date)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


def cn_date(day: date) -> str:
    """The 成文日期 in Chinese numerals (GB/T 9704-2012 7.3.5.1 uses Arabic; many offices still write
    it in Chinese, as the issue asks): 2025-12-01 → 二〇二五年十二月一日."""
    year = "".join(CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{cn_number(day.month)}月{cn_number(day.day)}日"


def leader_viewer(territory: Territory) -> Viewer:
    return Viewer("leader", f"{territory.name}全辖区", scope_path=territory.path)


# --- the monthly 通报 ---------------------------------------------------------------------------


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""
    listing: bool = False  # a list of cases: a .docx prints the first DOCX_LIST_ROWS (the .xlsx all)


@dataclass
class Bulletin:
    territory: Territory
    month: date
    number: str
    title: str
    issued_on: date
    closed: bool
    summary: str
    sections: list[Section] = field(default_factory=list)
    topic: dict[str, Any] = field(default_factory=dict)

    @property
    def figures(self) -> dict[str, Any]:
        """What the stored Document keeps alongside the files (checked by the tests against both)."""
        return {
            "sections": {s.title: {"columns": s.columns, "rows": _jsonable(s.rows)} for s in self.sections},
            "topic": _jsonable(self.topic),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date,)):
        return value.isoformat()
    return value


def _scope_q(f: Filters, unit: str, territory: str) -> Q:
    """The dashboard's rule on rows with a unit and a problem territory: the problem lies in the chosen
    territory (if any), and the problem or the responsible unit lies in the leader's scope."""
    q = Q()
    if f.territory_path:
        q &= Q(**{f"{territory}__path__startswith": f.territory_path})
    if f.scope_path:
        q &= Q(**{f"{unit}__territory__path__startswith": f.scope_path}) | Q(
            **{f"{territory}__path__startswith": f.scope_path}
        )
    return q


def scope_root(territory: Territory) -> Territory:
    """The territory whose leader issues the document: the nearest one at or above `territory` that has
    a petition office (a township's 通报 is its county's leader's dashboard filtered to the township)."""
    from huiyin.org.choices import UnitKind

    codes = [c for c in territory.path.strip("/").split("/") if c]
    offices = {
        t.code: t
        for t in Territory.objects.filter(
            code__in=codes, units__kind=UnitKind.PETITION_OFFICE, units__is_active=True
        ).distinct()
    }
    for code in reversed(codes):
        if code in offices:
            return offices[code]
    return territory


def document_filters(territory: Territory, start: date, end: date) -> tuple[Filters, Viewer]:
    root = scope_root(territory)
    viewer = leader_viewer(root)
    f = Filters(start=start, end=end, territory_path="" if root.pk == territory.pk else territory.path)
    return selectors.scoped(f, viewer), viewer


def overdue_rows(f: Filters) -> list[list[Any]]:
    """Duty clocks that were overdue at some time in the month: due before the month's end and not
    stopped by their due date, and either still running or stopped in or after the month (条例 §34,
    §22; windows, which are the petitioner's, never count). No petitioner is named (a 通报 circulates)."""
    from huiyin.workflow.choices import LIVE_STATES, WINDOW_KINDS, ClockState
    from huiyin.workflow.models import Clock

    clocks = (
        Clock.objects.filter(due_on__lt=f.end, state__in=(*LIVE_STATES, ClockState.LATE))
        .exclude(kind__in=WINDOW_KINDS)
        # still running (so overdue since its due date), or stopped in or after the month and after it
        # was due (a clock stopped on time was never overdue)
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gte=f.start, stopped_on__gt=F("due_on")))
        .filter(_scope_q(f, "unit", "case__territory"))
        .order_by("due_on", "case__code", "id")
        # the seven columns only: a county's month at 1M cases holds 20,000 such clocks, and whole case
        # rows (with their text) took seconds to load
        .values_list("case__code", "case__title", "unit__name", "kind", "due_on", "stopped_on")
    )
    kinds = dict(Clock._meta.get_field("kind").flatchoices)
    rows = []
    for code, title, unit, kind, due_on, stopped_on in clocks:
        until = stopped_on or f.end
        rows.append(
            [
                code,
                title,
                unit or "—",
                str(kinds.get(kind, kind)),
                due_on.isoformat(),
                stopped_on.isoformat() if stopped_on else "未办结",
                (until - due_on).days,
            ]
        )
    return rows


def supervision_rows(f: Filters) -> list[list[Any]]:
    """督办 issued in the month (条例 §40): to whom, by when, answered when."""
    from huiyin.supervision.models import SupervisionOrder

    lo, hi = _bounds(f)
    orders = (
        SupervisionOrder.objects.filter(issued_at__gte=lo, issued_at__lt=hi)
        .filter(_scope_q(f, "unit", "case__territory"))
        .select_related("case", "unit")
        .order_by("issued_at", "id")
    )
    rows = []
    for o in orders:
        answered = timezone.localtime(o.answered_at).date() if o.answered_at else None
        rows.append(
            [
                o.case.code,
                o.unit.name,
                timezone.localtime(o.issued_at).date().isoformat(),
                o.due_on.isoformat(),
                answered.isoformat() if answered else "未答复",
                "按期"
                if answered and answered <= o.due_on
                else ("逾期" if answered else o.get_state_display()),
            ]
        )
    return rows


def _bounds(f: Filters) -> tuple[Any, Any]:
    from huiyin.analytics.registry import _day_bounds

    return _day_bounds(f.start, f.end)


def monthly_topic(ctx: dashboard.Context) -> dict[str, Any]:
    """每月一题: the month's most frequent problem category and the fastest-rising one (the dashboard's
    category and rising tables), each with the units concerned (the units handling its cases)."""
    from huiyin.cases.models import Case, Category

    f = ctx.filters
    frequent = dashboard.by_category_table(ctx, limit=1)
    rising = dashboard.rising_table(ctx, limit=1)
    out: dict[str, Any] = {}
    for key, table in (("frequent", frequent), ("rising", rising)):
        if not table.rows:
            continue
        name = table.rows[0][0]
        category = Category.objects.filter(full_name=name).first()
        lo, hi = _bounds(f)
        cases = Case.objects.filter(registered_at__gte=lo, registered_at__lt=hi)
        if category is not None:
            cases = cases.filter(
                Q(category__full_name=category.full_name)
                | Q(category__full_name__startswith=category.full_name + " / ")
            )
        else:
            cases = cases.filter(category__isnull=True)
        cases = cases.filter(_scope_q(f, "office", "territory"))
        units = sorted(
            {
                n
                for n in Unit.objects.filter(
                    pk__in=cases.exclude(handling_unit__isnull=True).values("handling_unit_id")
                ).values_list("name", flat=True)
            }
        )
        out[key] = {
            "category": name,
            "count": table.rows[0][1],
            "before": table.rows[0][2] if key == "rising" else None,
            "rise": table.rows[0][3] if key == "rising" else None,
            "units": units,
        }
    return out


def bulletin_number(territory: Territory, month: date) -> str:
    return f"{territory.name}信访通报〔{month.year}〕{month.month}号"


def bulletin_build(territory: Territory, month: date, today: date | None = None) -> Bulletin:
    """The 通报 of `month` for `territory`, from the roll-ups, as its leader's dashboard shows it."""
    month = month_start(month)
    today = today or timeutil.today()
    start, end = dashboard.period_of(month)
    f, viewer = document_filters(territory, start, end)
    ctx = dashboard.Context(f, viewer, {}, drill=False)
    figs = selectors.figures(f)
    metrics = dashboard.metrics_table(ctx, figs)
    ranking = dashboard.rankings_table(ctx)
    regions = dashboard.territory_rankings_table(ctx, territory)
    closed = ClosedMonth.objects.filter(month=month).exists()
    title = f"关于{month.year}年{month.month}月份全{_short(territory)}信访工作情况的通报"
    b = Bulletin(
        territory=territory,
        month=month,
        number=bulletin_number(territory, month),
        title=title,
        issued_on=today,
        closed=closed,
        summary=(
            f"{month.year}年{month.month}月，全{_short(territory)}共登记信访事项{figs['registered'].num}件，"
            f"出具处理意见{figs['answered'].num}件；按期办结率{figs['handled_on_time'].text}，"
            f"满意率{figs['satisfaction_rate'].text}，督办{figs['supervision_count'].num}件。"
            + ("本月数据已关账。" if closed else "本月尚未关账，数据截至成文之日。")
        ),
    )
    b.sections.append(
        Section("主要指标", ["指标", "分子", "分母", "数值"], [r[:4] for r in metrics.rows], metrics.note)
    )
    b.sections.append(Section("办理单位排名", ranking.columns, ranking.rows, ranking.note))
    b.sections.append(Section("区域排名", regions.columns, regions.rows, regions.note))
    b.sections.append(
        Section(
            "超期事项",
            ["受理凭证编号", "事项", "责任单位", "时限", "期满日", "停止日", "超期天数"],
            overdue_rows(f),
            "本月内曾经超期的法定时限：期满日在月末之前、到期时尚未停止的（含至今未办结的）。",
            listing=True,
        )
    )
    b.sections.append(
        Section(
            "督办事项",
            ["受理凭证编号", "督办单位", "督办日期", "答复期限", "答复日期", "情况"],
            supervision_rows(f),
            "本月发出的督办（《信访工作条例》第四十条）。",
            listing=True,
        )
    )
    b.topic = monthly_topic(ctx)
    return b


def _short(territory: Territory) -> str:
    """示范县 → 县, 东城镇 → 镇 (全县、全镇 in the title and the summary)."""
    return territory.name[-1:] if territory.name else ""


# --- .docx in the 公文 layout ------------------------------------------------------------------


def _font(
    run: Any, name: str, size: float, bold: bool = False, color: tuple[int, int, int] | None = None
) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor(*color)
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


class Gongwen:
    """A 公文 in python-docx: A4, the margins of GB/T 9704 (天头 37 mm, 订口 28 mm), 三号仿宋 body with
    a first-line indent of two characters, 二号小标宋 title, 三号黑体 first-level headings."""

    def __init__(self, issuer: str, number: str, title: str) -> None:
        from docx import Document as DocxDocument
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        self.doc = DocxDocument()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        head = self.doc.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(head.add_run(issuer), TITLE_FONT, 26, color=(0xC0, 0x00, 0x00))  # 发文机关标志, red
        num = self.doc.add_paragraph()
        num.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(num.add_run(number), BODY_FONT, 16)  # 发文字号
        self.doc.add_paragraph()
        t = self.doc.add_paragraph()
        t.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(t.add_run(title), TITLE_FONT, 22)  # 标题: 二号小标宋
        self.doc.add_paragraph()

    def heading(self, text: str) -> None:
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(32)
        _font(p.add_run(text), HEADING_FONT, 16)

    def para(self, text: str) -> None:
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(32)  # 首行缩进二字
        p.paragraph_format.line_spacing = Pt(28)
        _font(p.add_run(text), BODY_FONT, 16)

    def _run_properties(self, name: str, size: float) -> Any:
        """The run properties `_font` gives, built once and copied into every cell of a table (setting
        them through python-docx's properties cost about 2 ms a cell: a 500-row list took 8 s)."""
        scratch = self.doc.add_paragraph()
        run = scratch.add_run("")
        _font(run, name, size)
        properties = deepcopy(run._element.rPr)
        scratch._element.getparent().remove(scratch._element)
        return properties

    def table(self, columns: list[str], rows: list[list[Any]], *, limit: int | None = None) -> None:
        """A ruled table; of a list with a `limit`, only its first rows, with a line saying how many there
        are in all (the .xlsx of the same document has every row)."""
        shown = rows if limit is None else rows[:limit]
        table = self.doc.add_table(rows=1 + len(shown), cols=len(columns))
        table.style = "Table Grid"
        head, body = self._run_properties(HEADING_FONT, 10.5), self._run_properties(BODY_FONT, 10.5)
        for i, (row, values) in enumerate(zip(table.rows, [columns, *shown], strict=True)):
            properties = head if i == 0 else body
            for cell, value in zip(row.cells, values, strict=True):
                run = cell.paragraphs[0].add_run("" if value is None else str(value))
                run._element.insert(0, deepcopy(properties))
        if len(rows) > len(shown):
            self.para(f"共{len(rows)}件，此处列出前{len(shown)}件；全部名单见同期表格（.xlsx）。")

    def signature(self, issuer: str, day: date) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        self.doc.add_paragraph()
        for text in (issuer, cn_date(day)):
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(p.add_run(text), BODY_FONT, 16)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


CN_ORDINALS = "一二三四五六七八九十"


def bulletin_docx(b: Bulletin) -> bytes:
    issuer = f"{b.territory.name}信访工作联席会议办公室"
    g = Gongwen(issuer, b.number, b.title)
    g.para(b.summary)
    for i, s in enumerate(b.sections):
        g.heading(f"{CN_ORDINALS[i]}、{s.title}")
        if s.rows:
            g.table(s.columns, s.rows, limit=DOCX_LIST_ROWS if s.listing else None)
        else:
            g.para("本月无。")
        if s.note:
            g.para(s.note)
    g.heading(f"{CN_ORDINALS[len(b.sections)]}、每月一题")
    g.para(_topic_text(b.topic))
    g.signature(issuer, b.issued_on)
    return g.bytes()


def _topic_text(topic: dict[str, Any]) -> str:
    parts = []
    if "frequent" in topic:
        t = topic["frequent"]
        parts.append(
            f"本月反映最多的问题是“{t['category']}”，共{t['count']}件，涉及单位：{'、'.join(t['units']) or '尚未分办'}。"
        )
    if "rising" in topic:
        t = topic["rising"]
        parts.append(
            f"上升最快的问题是“{t['category']}”，本月{t['count']}件，前三个月平均{t['before']}件，增加{t['rise']}件，"
            f"涉及单位：{'、'.join(t['units']) or '尚未分办'}。"
        )
    return "".join(parts) or "本月无登记的信访事项。"


def bulletin_xlsx(b: Bulletin) -> bytes:
    """The 通报 as a workbook: a first sheet with the title, the 发文字号 and the summary, one sheet per
    section with every row (the .docx prints the first DOCX_LIST_ROWS of a list), then 每月一题.
    Written by XlsxWriter (`plain_workbook_bytes`): a county's month at 1M cases lists some 20,000
    overdue clocks, which openpyxl took seconds to write."""
    from huiyin.core.xlsx import BOLD, TITLE, PlainSheet, plain_workbook_bytes

    sheets = [PlainSheet("通报", [[b.title], [b.number], [b.summary]], {1: TITLE})]
    for s in b.sections:
        tail: list[list[Any]] = [[], [s.note]] if s.note else []
        sheets.append(PlainSheet(s.title[:31], chain([s.columns], s.rows, tail), {1: BOLD}))
    topic = [["类别", "问题分类", "本月件数", "前三月平均", "增加", "涉及单位"]]
    for key, label in (("frequent", "反映最多"), ("rising", "上升最快")):
        t = b.topic.get(key)
        if t:
            topic.append([label, t["category"], t["count"], t["before"], t["rise"], "、".join(t["units"])])
    sheets.append(PlainSheet("每月一题", topic))
    return plain_workbook_bytes(sheets)


# --- the annual report of 条例 §41 -------------------------------------------------------------


@dataclass
class Annual:
    territory: Territory
    year: int
    number: str
    title: str
    issued_on: date
    sections: list[tuple[str, str, list[Section]]] = field(default_factory=list)

    @property
    def figures(self) -> dict[str, Any]:
        return {
            heading: {s.title: {"columns": s.columns, "rows": _jsonable(s.rows)} for s in parts}
            for heading, _text, parts in self.sections
        }


def annual_build(territory: Territory, year: int, today: date | None = None) -> Annual:
    """条例 §41: (一) statistics, the fields and the organs most complained of; (二) forwarding,
    assignment and 督办; (三) suggestions made and their adoption (§40 and §29 建议); (四) problems found
    (the causes of §42 recorded at closing) and what was done."""
    from huiyin.cases.models import Case, CaseEvent
    from huiyin.supervision.choices import Adoption as SuggestionAdoption
    from huiyin.supervision.choices import SuggestionKind
    from huiyin.supervision.models import Suggestion, SupervisionOrder

    today = today or timeutil.today()
    start, end = date(year, 1, 1), date(year, 12, 31)
    f, viewer = document_filters(territory, start, end)
    ctx = dashboard.Context(f, viewer, {}, drill=False)
    figs = selectors.figures(f)
    lo, hi = _bounds(f)
    cases = Case.objects.filter(registered_at__gte=lo, registered_at__lt=hi).filter(
        _scope_q(f, "office", "territory")
    )
    a = Annual(
        territory=territory,
        year=year,
        number=f"{territory.name}信访年报〔{year}〕1号",
        title=f"{territory.name}{year}年度信访情况报告",
        issued_on=today,
    )

    stats = [[m.label, figs[m.key].text] for m in all_metrics()]
    by_type = [list(r) for r in dashboard.by_type_table(ctx).rows]
    fields = [list(r) for r in dashboard.by_category_table(ctx, limit=10).rows]
    organs = [
        [r["accused_unit__name"], r["n"]]
        for r in cases.filter(accused_unit__isnull=False)
        .values("accused_unit__name")
        .annotate(n=Count("id"))
        .order_by("-n", "accused_unit__name")[:10]
    ]
    a.sections.append(
        (
            "数据统计、涉及领域、被投诉较多的机关",
            f"{year}年共登记信访事项{figs['registered'].num}件，出具处理意见{figs['answered'].num}件，"
            f"按期办结率{figs['handled_on_time'].text}，满意率{figs['satisfaction_rate'].text}。",
            [
                Section("主要指标", ["指标", "数值"], stats),
                Section("按类型", ["类型", "件数"], by_type),
                Section("涉及领域（前十位）", ["问题分类", "件数"], fields),
                Section("被投诉较多的机关（前十位）", ["被反映单位", "件数"], organs),
            ],
        )
    )

    events = CaseEvent.objects.filter(created_at__gte=lo, created_at__lt=hi).filter(
        _scope_q(f, "actor_unit", "case__territory")
    )
    moved = events.aggregate(
        forward=Count("id", filter=Q(event_type="forward")),
        assign=Count("id", filter=Q(event_type="assign")),
    )
    orders = SupervisionOrder.objects.filter(issued_at__gte=lo, issued_at__lt=hi).filter(
        _scope_q(f, "unit", "case__territory")
    )
    order_counts = orders.aggregate(
        issued=Count("id"),
        answered=Count("id", filter=Q(state="answered")),
        escalated=Count("id", filter=Q(state="escalated")),
    )
    routing = [
        ["转送", moved["forward"]],
        ["交办", moved["assign"]],
        ["督办", order_counts["issued"]],
        ["其中：已答复", order_counts["answered"]],
        ["其中：逾期升级", order_counts["escalated"]],
        [figs["supervision_on_time"].metric.label, figs["supervision_on_time"].text],
    ]
    a.sections.append(
        (
            "转送、交办、督办情况",
            f"全年转送{moved['forward']}件次，交办{moved['assign']}件次，督办{order_counts['issued']}件次。",
            [Section("转送、交办、督办", ["项目", "数量"], routing)],
        )
    )

    suggestions = Suggestion.objects.filter(issued_on__gte=start, issued_on__lte=end).filter(
        _scope_q(f, "to_unit", "from_unit__territory")
    )
    # (kind, made, adopted, partly, not adopted, unanswered) per kind of suggestion (条例 §40¶2–4)
    tallies: list[tuple[str, int, int, int, int, int]] = [
        (
            kind.label,
            suggestions.filter(kind=kind).count(),
            suggestions.filter(kind=kind, adoption=SuggestionAdoption.ADOPTED).count(),
            suggestions.filter(kind=kind, adoption=SuggestionAdoption.PARTLY).count(),
            suggestions.filter(kind=kind, adoption=SuggestionAdoption.NOT_ADOPTED).count(),
            suggestions.filter(kind=kind, adoption="").count(),
        )
        for kind in SuggestionKind
    ]
    made = [list(t) for t in tallies]
    citizen = cases.filter(petition_type="suggestion").aggregate(
        total=Count("id"),
        adopted=Count("id", filter=Q(adoption="adopted")),
        partly=Count("id", filter=Q(adoption="partly_adopted")),
        not_adopted=Count("id", filter=Q(adoption="not_adopted")),
    )
    citizen_row = [
        "群众建议意见（第二十九条）",
        citizen["total"],
        citizen["adopted"],
        citizen["partly"],
        citizen["not_adopted"],
        citizen["total"] - citizen["adopted"] - citizen["partly"] - citizen["not_adopted"],
    ]
    a.sections.append(
        (
            "改进工作、完善政策、追究责任的建议及采纳情况",
            f"全年提出建议{suggestions.count()}件，其中采纳{sum(t[2] for t in tallies)}件、部分采纳"
            f"{sum(t[3] for t in tallies)}件、不予采纳{sum(t[4] for t in tallies)}件。",
            [
                Section(
                    "建议及采纳情况",
                    ["建议类别", "提出", "采纳", "部分采纳", "不予采纳", "尚未反馈"],
                    [*made, citizen_row],
                )
            ],
        )
    )

    closed = Case.objects.filter(
        pk__in=CaseEvent.objects.filter(event_type="close", created_at__gte=lo, created_at__lt=hi).values(
            "case_id"
        )
    ).filter(_scope_q(f, "office", "territory"))
    causes = [
        [dict(Case._meta.get_field("root_cause").choices or []).get(r["root_cause"], r["root_cause"]), r["n"]]
        for r in closed.exclude(root_cause="").values("root_cause").annotate(n=Count("id")).order_by("-n")
    ]
    done = [
        [
            s.get_kind_display(),
            s.to_unit.name,
            s.content[:60],
            s.get_adoption_display() or "尚未反馈",
            s.feedback[:60],
        ]
        for s in suggestions.select_related("to_unit").order_by("issued_on", "id")
    ]
    a.sections.append(
        (
            "发现的问题及处理情况",
            "办结时记录的信访问题成因（《信访工作条例》第四十二条），以及针对发现的问题提出的建议和有关机关的书面反馈。",
            [
                Section("信访问题成因（办结事项）", ["成因", "件数"], causes),
                Section("建议及反馈", ["类别", "收到建议的机关", "建议内容", "采纳情况", "书面反馈"], done),
            ],
        )
    )
    return a


def annual_docx(a: Annual) -> bytes:
    issuer = f"{a.territory.name}信访工作联席会议办公室"
    g = Gongwen(issuer, a.number, a.title)
    g.para(
        f"根据《信访工作条例》第四十一条，现将{a.territory.name}{a.year}年度信访情况报告如下（"
        "报本级党委和政府、上一级信访部门）。"
    )
    for i, (heading, text, parts) in enumerate(a.sections):
        g.heading(f"{CN_ORDINALS[i]}、{heading}")
        g.para(text)
        for s in parts:
            g.para(f"{s.title}：")
            if s.rows:
                g.table(s.columns, s.rows)
            else:
                g.para("无。")
    g.signature(issuer, a.issued_on)
    return g.bytes()


def annual_xlsx(a: Annual) -> bytes:
    """The annual report of 条例 §41 as a workbook: a first sheet with the title, the 发文字号 and the
    text of each of the four parts, then one sheet per table, in the order of the .docx."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "年度报告"
    ws.append([a.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([a.number])
    ws.append([f"成文日期：{cn_date(a.issued_on)}"])
    bold = Font(bold=True)
    for i, (heading, text, parts) in enumerate(a.sections):
        ws.append([])
        ws.append([f"{CN_ORDINALS[i]}、{heading}"])
        ws.cell(row=ws.max_row, column=1).font = bold
        ws.append([text])
        ws.append([f"附表：{'、'.join(s.title for s in parts)}"])
        for s in parts:
            sheet = wb.create_sheet(_sheet_name(s.title))
            sheet.append(s.columns)
            for cell in sheet[1]:
                cell.font = bold
            for row in s.rows:
                sheet.append(row)
            if not s.rows:
                sheet.append(["无。"])
    ws.column_dimensions["A"].width = 100
    return workbook_bytes(wb)


def cn_date_parse(text: str) -> date | None:
    """The inverse of `cn_date`: 二〇二六年一月五日 → 2026-01-05; None when `text` is not such a date."""
    import re

    m = re.fullmatch(
        r"([〇一二三四五六七八九]{4})年([一二三十]{1,3})月([一二三四五六七八九十]{1,3})日", text.strip()
    )
    if m is None:
        return None

    def small(s: str) -> int:
        tens, _, ones = s.rpartition("十")
        if "十" not in s:
            return CN_DIGITS.index(s)
        return (CN_DIGITS.index(tens) if tens else 1) * 10 + (CN_DIGITS.index(ones) if ones else 0)

    try:
        return date(int("".join(str(CN_DIGITS.index(d)) for d in m[1])), small(m[2]), small(m[3]))
    except ValueError:
        return None


def annual_from_stored(doc: Document) -> Annual:
    """The annual report as it was generated, read back from the stored row: its tables from `figures`
    (the rows the .docx printed, frozen at generation), the order of its parts and tables, each part's
    text and the 成文日期 from the stored .docx. Nothing is computed again, so a report generated
    before the .xlsx existed gets a workbook with exactly its frozen figures (条例 §41)."""
    from docx import Document as DocxDocument

    paragraphs = [p.text.strip() for p in DocxDocument(io.BytesIO(bytes(doc.docx))).paragraphs]
    figures: dict[str, dict[str, Any]] = doc.figures or {}
    issued_on = next(
        (d for d in (cn_date_parse(t) for t in reversed(paragraphs) if t) if d is not None),
        timezone.localdate(doc.generated_at),
    )
    # "一、数据统计…": the part's heading as the .docx printed it, with its ordinal
    headings = {f"{n}、{h}": h for h in figures for n in CN_ORDINALS}
    sections: list[tuple[str, str, list[Section]]] = []
    current: tuple[str, str, list[Section]] | None = None
    for i, text in enumerate(paragraphs):
        if text in headings:
            heading = headings[text]
            body = paragraphs[i + 1] if i + 1 < len(paragraphs) else ""
            current = (heading, body, [])
            sections.append(current)
        elif current is not None and text.endswith("：") and text[:-1] in figures[current[0]]:
            table = figures[current[0]][text[:-1]]
            current[2].append(Section(text[:-1], list(table["columns"]), [list(r) for r in table["rows"]]))
    if {h for h, _text, _parts in sections} != set(figures):
        raise ValueError(f"the stored annual report {doc.pk} does not match its figures")
    return Annual(
        territory=doc.territory,
        year=doc.period.year,
        number=doc.number,
        title=doc.title,
        issued_on=issued_on,
        sections=sections,
    )


def document_xlsx(doc: Document) -> bytes | None:
    """The stored document's .xlsx. An annual report generated before the .xlsx existed (issue 11 item
    4) gets it now, from its own stored figures and text (`annual_from_stored`), stored beside the
    .docx; its figures, .docx and dates are not touched. None: a document with no table version."""
    if doc.xlsx is not None:
        return bytes(doc.xlsx)
    if doc.kind != Document.Kind.ANNUAL:
        return None
    data = annual_xlsx(annual_from_stored(doc))
    Document.objects.filter(pk=doc.pk, xlsx__isnull=True).update(xlsx=data)
    doc.xlsx = data
    return data


def _sheet_name(title: str) -> str:
    """A sheet's name: at most 31 characters, none of the seven Excel refuses."""
    for ch in "[]:*?/\\":
        title = title.replace(ch, "、")
    return title[:31]


# --- stored documents ----------------------------------------------------------------------------


def document_ensure(
    kind: str, period: date, territory: Territory, *, actor: User | None = None, regenerate: bool = False
) -> tuple[Document, bool]:
    """The stored document of `kind` for `period` and `territory`, generated if missing (or if
    `regenerate`); returns it and whether it was generated now. Safe to call every worker tick."""
    period = month_start(period) if kind == Document.Kind.BULLETIN else date(period.year, 1, 1)
    existing = Document.objects.filter(kind=kind, period=period, territory=territory).first()
    if existing is not None and not regenerate:
        return existing, False
    with replica_reads():  # figures from the roll-ups: as true a few seconds late (core/dbrouter.py)
        if kind == Document.Kind.BULLETIN:
            b = bulletin_build(territory, period)
            values: dict[str, Any] = {
                "number": b.number,
                "title": b.title,
                "docx": bulletin_docx(b),
                "xlsx": bulletin_xlsx(b),
                "figures": b.figures,
            }
        else:
            a = annual_build(territory, period.year)
            values = {
                "number": a.number,
                "title": a.title,
                "docx": annual_docx(a),
                "xlsx": annual_xlsx(a),
                "figures": a.figures,
            }
    values.update(generated_at=timeutil.now(), generated_by=actor)
    if existing is not None:
        for k, v in values.items():
            setattr(existing, k, v)
        existing.regenerated += 1
        existing.save()
        return existing, True
    try:
        with transaction.atomic():
            return Document.objects.create(kind=kind, period=period, territory=territory, **values), True
    except IntegrityError:  # another worker made it meanwhile
        return Document.objects.get(kind=kind, period=period, territory=territory), False


def office_territories() -> list[Territory]:
    """The territories that have a petition office: each gets its own 通报 and annual report."""
    from huiyin.org.choices import UnitKind

    return list(
        Territory.objects.filter(units__kind=UnitKind.PETITION_OFFICE, units__is_active=True)
        .distinct()
        .order_by("path")
    )


def scheduled_documents(today: date | None = None) -> dict[str, int]:
    """The worker's schedule: once a month has ended, its 通报 for every office's territory; once a year
    has ended, its annual report. Generates only what is missing (idempotent)."""
    from huiyin.cases.models import Case

    today = today or timeutil.today()
    if not Case.objects.exists():
        return {"bulletins": 0, "annual": 0}
    last_month = month_start(month_start(today) - timedelta(days=1))
    made = {"bulletins": 0, "annual": 0}
    for territory in office_territories():
        if document_ensure(Document.Kind.BULLETIN, last_month, territory)[1]:
            made["bulletins"] += 1
        if document_ensure(Document.Kind.ANNUAL, date(today.year - 1, 1, 1), territory)[1]:
            made["annual"] += 1
    return made


__all__ = ["next_month"]
