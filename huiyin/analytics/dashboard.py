"""The dashboards' tables, each with its chart data and the drill-down link of every figure. Built from
the roll-ups (selectors.figures / breakdown / backlog): a fixed number of queries whatever the data.

A table is what the page shows under its chart and what the .xlsx export writes, so the two always
hold the same figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from huiyin.analytics import selectors
from huiyin.analytics.choices import MetricKind
from huiyin.analytics.registry import Figure, Filters, all_metrics
from huiyin.analytics.selectors import Viewer
from huiyin.analytics.services import month_start, next_month
from huiyin.cases.choices import Channel, PetitionType
from huiyin.cases.models import Category
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory, Unit

HEAT_MAX_LEVEL = TerritoryLevel.VILLAGE
PUBLIC_MIN_CELL = 3  # the public page shows "<3" for smaller counts (a village with one case is a person)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[list[str | None]] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    note: str = ""
    depth: list[int] = field(default_factory=list)  # the heat table's indentation per row
    extra: list[dict[str, Any]] = field(default_factory=list)  # the heat table's rows, as drawn

    def add(self, cells: list[Any], links: list[str | None] | None = None, depth: int = 0) -> None:
        self.rows.append(cells)
        self.links.append(links or [None] * len(cells))
        self.depth.append(depth)

    @property
    def cells(self) -> list[list[tuple[Any, str | None]]]:
        return [list(zip(r, lk, strict=True)) for r, lk in zip(self.rows, self.links, strict=True)]


@dataclass
class Context:
    """What every table is built for: the filters, the viewer, and where drill-down links point."""

    filters: Filters  # the period and the user's filters, scoped to the viewer
    viewer: Viewer
    params: dict[str, str]  # the user's filter parameters (kept in every link)
    drill: bool = True  # links to case lists (never on the public page)
    public: bool = False
    memo: dict[Any, Any] = field(default_factory=dict)  # what several tables share, read once

    def per_territory(
        self, metrics: tuple[str, ...] = ("registered", "handled_on_time", "repeat_rate")
    ) -> dict[str, dict[Any, tuple[int, int]]]:
        key = ("territory", metrics)
        if key not in self.memo:
            self.memo[key] = selectors.breakdown_many(self.filters, metrics, "territory")
        return self.memo[key]

    def paths(self, ids: set[Any]) -> dict[int, str]:
        known: dict[int, str] = self.memo.setdefault("paths", {})
        missing = {i for i in ids if i and i not in known}
        if missing:
            known.update(Territory.objects.filter(pk__in=missing).values_list("pk", "path"))
        return known

    def roots(self, territory: Territory | None) -> list[Territory]:
        key = ("roots", territory.pk if territory else None)
        if key not in self.memo:
            self.memo[key] = _roots(self, territory)
        return self.memo[key]

    def link(self, metric: str, part: str = "den", **overrides: Any) -> str | None:
        if not self.drill:
            return None
        start = overrides.pop("start", self.filters.start)
        end = overrides.pop("end", self.filters.end)
        params = {k: v for k, v in self.params.items() if k not in ("month",)}
        params.update({k: str(v) for k, v in overrides.items() if v not in (None, "")})
        params.update({"metric": metric, "part": part, "start": start.isoformat(), "end": end.isoformat()})
        return f"{reverse('analytics_cases')}?{urlencode(params)}"


def _months_back(end_month: date, n: int) -> list[date]:
    months = [month_start(end_month)]
    while len(months) < n:
        months.insert(0, month_start(months[0] - timedelta(days=1)))
    return months


def _as_month(value: Any) -> date:
    """TruncMonth gives a date (or, on some back ends, a datetime): the month's first day either way."""
    return month_start(value.date() if isinstance(value, datetime) else value)


def period_of(month: date) -> tuple[date, date]:
    return month, next_month(month) - timedelta(days=1)


# --- tables ------------------------------------------------------------------------------------


def metrics_table(ctx: Context, figures: dict[str, Figure]) -> Table:
    t = Table(
        "metrics",
        "主要指标",
        ["指标", "分子", "分母", "数值", "口径"],
        note="每项指标的分子、分母、时间口径和不计入的情形见“指标定义”（docs/metrics.md）。",
    )
    for m in all_metrics():
        fig = figures[m.key]
        if ctx.public and m.key not in PUBLIC_METRICS:
            continue
        den = "—" if m.kind == MetricKind.COUNT else fig.den
        t.add(
            [m.label, fig.num, den, fig.text, m.definition.numerator],
            [
                None,
                ctx.link(m.key, "num"),
                None if m.kind == MetricKind.COUNT else ctx.link(m.key),
                None,
                None,
            ],
        )
    return t


def monthly_channel_table(ctx: Context, months: int = 12) -> Table:
    end_month = month_start(ctx.filters.end)
    span = _months_back(end_month, months)
    f = replace(ctx.filters, start=span[0], end=next_month(end_month) - timedelta(days=1))
    rows = selectors.breakdown(f, "registered", "channel", monthly=True)
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for r in rows:
        counts[(_as_month(r["m"]), r["k"])] += int(r["num"])
    channels = [c for c in Channel if any(counts.get((m, c.value)) for m in span)] or [Channel.VISIT]
    t = Table("volume_by_channel", "登记件数（按月、按渠道）", ["月份", *[c.label for c in channels], "合计"])
    series: list[dict[str, Any]] = [{"name": c.label, "data": [], "links": []} for c in channels]
    for m in span:
        lo, hi = period_of(m)
        cells: list[Any] = [f"{m:%Y-%m}"]
        links: list[str | None] = [None]
        for i, c in enumerate(channels):
            n = counts.get((m, c.value), 0)
            link = ctx.link("registered", start=lo, end=hi, channel=c.value)
            cells.append(n)
            links.append(link)
            series[i]["data"].append(n)
            series[i]["links"].append(link)
        cells.append(sum(counts.get((m, c.value), 0) for c in channels))
        links.append(ctx.link("registered", start=lo, end=hi))
        t.add(cells, links)
    t.chart = {"kind": "bar", "stack": True, "categories": [f"{m:%Y-%m}" for m in span], "series": series}
    return t


def _simple_chart(t: Table, name: str, horizontal: bool = False) -> None:
    t.chart = {
        "kind": "bar",
        "horizontal": horizontal,
        "categories": [str(r[0]) for r in t.rows],
        "series": [{"name": name, "data": [r[1] for r in t.rows], "links": [lk[1] for lk in t.links]}],
    }


def by_type_table(ctx: Context) -> Table:
    counts = {r["k"]: int(r["num"]) for r in selectors.breakdown(ctx.filters, "registered", "petition_type")}
    t = Table("volume_by_type", "登记件数（按类型）", ["类型", "件数"])
    for pt in PetitionType:
        t.add([pt.label, counts.get(pt.value, 0)], [None, ctx.link("registered", petition_type=pt.value)])
    _simple_chart(t, "件数")
    return t


def by_category_table(ctx: Context, limit: int = 15) -> Table:
    rows = selectors.breakdown(ctx.filters, "registered", "category")
    counts = {r["k"]: int(r["num"]) for r in rows}
    names = dict(Category.objects.filter(pk__in=[k for k in counts if k]).values_list("pk", "full_name"))
    t = Table("volume_by_category", f"登记件数（按问题分类，前{limit}位）", ["问题分类", "件数"])
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], names.get(kv[0], "")))[:limit]
    for pk, n in ranked:
        t.add([names.get(pk, "未分类"), n], [None, ctx.link("registered", category=pk) if pk else None])
    _simple_chart(t, "件数", horizontal=True)
    return t


def _territory_counts(ctx: Context, metric: str = "registered") -> dict[int | None, int]:
    return {k: v[0] for k, v in ctx.per_territory()[metric].items()}


def _roots(ctx: Context, territory: Territory | None) -> list[Territory]:
    if territory is not None:
        return [territory]
    if ctx.viewer.scope_path:
        return list(Territory.objects.filter(path=ctx.viewer.scope_path))
    if ctx.viewer.scope_unit_id is not None:
        return list(Territory.objects.filter(units__pk=ctx.viewer.scope_unit_id))
    return list(Territory.objects.filter(parent__isnull=True))


def heat_table(ctx: Context, territory: Territory | None, max_level: int = HEAT_MAX_LEVEL) -> Table:
    """Every territory under the root down to villages, with the cases whose problem lies in it or
    below; the colour class grows with the count."""
    roots = ctx.roots(territory)
    counts = _territory_counts(ctx)
    under = Q()
    for r in roots:
        under |= Q(path__startswith=r.path)
    nodes = list(Territory.objects.filter(under, level__lte=max_level).order_by("path")) if roots else []
    by_code = {n.code: n for n in nodes}
    total: dict[int, int] = defaultdict(int)
    paths = ctx.paths(set(counts))
    for pk, count in counts.items():
        if pk is None:
            continue
        for code in paths.get(pk, "").strip("/").split("/"):
            node = by_code.get(code)
            if node is not None:
                total[node.pk] += count
    t = Table("territory_heat", "问题属地热力表（含下级）", ["区域", "层级", "件数"])
    top = max(
        (total.get(n.pk, 0) for n in nodes if n.level > min((r.level for r in roots), default=0)), default=0
    )
    base = min((r.level for r in roots), default=1)
    for n in nodes:
        value = total.get(n.pk, 0)
        if ctx.public and value < PUBLIC_MIN_CELL:
            shown: Any = f"<{PUBLIC_MIN_CELL}" if value else 0
        else:
            shown = value
        link = ctx.link("registered", territory=n.pk) if value else None
        t.add([n.name, TerritoryLevel(n.level).label, shown], [None, None, link], depth=n.level - base)
        t.extra.append(
            {
                "name": n.name,
                "kind": TerritoryLevel(n.level).label,
                "value": shown,
                "link": link,
                "depth": min(n.level - base, 5),
                # five shades by the share of the largest count below the root (the root itself is darkest)
                "level": 5
                if n.level == base and value
                else (0 if not top or not value else min(5, 1 + 5 * value // (top + 1))),
            }
        )
    t.chart = {"heat_top": top}
    return t


def _children(ctx: Context, territory: Territory | None) -> list[Territory]:
    key = ("children", territory.pk if territory else None)
    if key not in ctx.memo:
        ctx.memo[key] = list(Territory.objects.filter(parent__in=ctx.roots(territory)).order_by("path"))
    return ctx.memo[key]


def by_territory_table(ctx: Context, territory: Territory | None) -> Table:
    """The next level under the root (the townships of a county): a bar each."""
    counts = _territory_counts(ctx)
    children = _children(ctx, territory)
    paths = ctx.paths(set(counts))
    t = Table("volume_by_territory", "登记件数（按下一级区域）", ["区域", "件数"])
    for child in children:
        n = sum(v for pk, v in counts.items() if pk and paths.get(pk, "").startswith(child.path))
        t.add([child.name, n], [None, ctx.link("registered", territory=child.pk) if n else None])
    _simple_chart(t, "件数")
    return t


def backlog_table(ctx: Context, unit_id: int | None) -> Table:
    rows = selectors.backlog(ctx.viewer, unit_id)
    day = rows[0]["day"] if rows else None
    t = Table(
        "backlog",
        "在办、临期、超期（按单位）",
        ["单位", "在办", "临期（黄灯）", "超期（红灯）"],
        note=f"截至 {day:%Y-%m-%d} 的快照（后台每次统计时更新）。" if day else "尚无快照。",
    )
    for r in rows:
        u = r["unit"]
        t.add(
            [u.name, r["open"], r["due_soon"], r["overdue"]],
            [
                None,
                _backlog_link(ctx, u.pk, "open"),
                _backlog_link(ctx, u.pk, "due_soon"),
                _backlog_link(ctx, u.pk, "overdue"),
            ],
        )
    t.chart = {
        "kind": "bar",
        "horizontal": True,
        "stack": False,
        "categories": [r[0] for r in t.rows],
        "series": [
            {"name": name, "data": [r[i] for r in t.rows], "links": [lk[i] for lk in t.links]}
            for i, name in ((1, "在办"), (2, "临期"), (3, "超期"))
        ],
    }
    return t


def _backlog_link(ctx: Context, unit_id: int, state: str) -> str | None:
    if not ctx.drill:
        return None
    return f"{reverse('analytics_cases')}?{urlencode({'backlog': state, 'unit': unit_id})}"


def rising_table(ctx: Context, limit: int = 10) -> Table:
    """Categories registered more this month than on average in the three months before."""
    this = month_start(ctx.filters.end)
    span = _months_back(this, 4)
    f = replace(ctx.filters, start=span[0], end=next_month(this) - timedelta(days=1))
    per: dict[int | None, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for r in selectors.breakdown(f, "registered", "category", monthly=True):
        per[r["k"]][_as_month(r["m"])] += int(r["num"])
    scored = []
    for pk, months in per.items():
        now = months.get(this, 0)
        before = sum(months.get(m, 0) for m in span[:3]) / 3
        if now > before:
            scored.append((now - before, now, before, pk))
    # ties in the category's id (uncategorised last): the order of the roll-up rows is no order at all
    scored.sort(key=lambda s: (-s[0], -s[1], s[3] is None, s[3] or 0))
    names = dict(
        Category.objects.filter(pk__in=[s[3] for s in scored[:limit] if s[3]]).values_list("pk", "full_name")
    )
    lo, hi = period_of(this)
    t = Table(
        "rising",
        f"本月上升的问题（{this:%Y-%m} 对比前三个月平均）",
        ["问题分类", "本月", "前三月平均", "增加"],
        note="增加 = 本月登记件数 − 前三个月登记件数的平均数；只列增加的分类。",
    )
    for rise, now, before, pk in scored[:limit]:
        t.add(
            [names.get(pk, "未分类") if pk else "未分类", now, round(before, 1), round(rise, 1)],
            [None, ctx.link("registered", start=lo, end=hi, category=pk) if pk else None, None, None],
        )
    _simple_chart(t, "本月", horizontal=True)
    return t


# --- rankings (the public page's, and the leader's) ---------------------------------------------

RANKING_FORMULA = (
    "排序：先按按期办结率（高者在前），再按满意率（高者在前），再按答复件数（多者在前）；"
    "按期办结率 = 按期完成的办理时限 ÷ 已停止的办理时限；满意率 = （满意 + 基本满意）÷ 评价件数。"
)


def rankings(ctx: Context) -> list[dict[str, Any]]:
    per: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    keys = ("answered", "handled_on_time", "satisfaction_rate")
    for key, values in selectors.breakdown_many(ctx.filters, keys, "unit").items():
        for unit_id, pair in values.items():
            if unit_id is not None:
                per[unit_id][key] = pair
    names = dict(Unit.objects.filter(pk__in=per).values_list("pk", "name"))
    out: list[dict[str, Any]] = []
    for pk, vals in per.items():
        met, stopped = vals.get("handled_on_time", (0, 0))
        good, rated = vals.get("satisfaction_rate", (0, 0))
        out.append(
            {
                "unit": names.get(pk, ""),
                "answered": vals.get("answered", (0, 0))[0],
                "on_time_rate": round(100 * met / stopped, 1) if stopped else None,
                "satisfied_rate": round(100 * good / rated, 1) if rated else None,
                "rated": rated,
            }
        )
    out.sort(
        key=lambda r: (-(r["on_time_rate"] or 0), -(r["satisfied_rate"] or 0), -r["answered"], r["unit"])
    )
    return [r for r in out if r["answered"] or r["on_time_rate"] is not None]


BOARD_SIZE = 3  # 红榜: the first three; 黑榜: the last three (only when at least twice as many are ranked)


def _board(i: int, n: int) -> str:
    if n < 2 * BOARD_SIZE:
        return ""
    return "红榜" if i <= BOARD_SIZE else "黑榜" if i > n - BOARD_SIZE else ""


def rankings_table(ctx: Context) -> Table:
    ranked = rankings(ctx)
    t = Table(
        "rankings",
        "办理单位排名（红黑榜）",
        ["#", "单位", "答复件数", "按期办结率", "满意率（评价数）", "榜单"],
        note=RANKING_FORMULA
        + f" 前{BOARD_SIZE}名为红榜、后{BOARD_SIZE}名为黑榜（参加排名的单位不少于{2 * BOARD_SIZE}个时）。",
    )
    for i, r in enumerate(ranked, 1):
        t.add(
            [
                i,
                r["unit"],
                r["answered"],
                f"{r['on_time_rate']}%" if r["on_time_rate"] is not None else "—",
                f"{r['satisfied_rate']}%（{r['rated']}）" if r["satisfied_rate"] is not None else "—",
                _board(i, len(ranked)),
            ]
        )
    return t


TERRITORY_RANKING_FORMULA = (
    "排序：先按按期办结率（问题发生在该区域的事项，高者在前），再按重复信访率（低者在前），再按登记件数（少者在前）；"
    "重复信访率 = 同一信访人此前已就同一分类登记或合并的件数 ÷ 登记件数。"
)


def territory_rankings_table(ctx: Context, territory: Territory | None) -> Table:
    """The next territory level under the root (the townships of a county), ranked by their figures."""
    children = _children(ctx, territory)
    per = ctx.per_territory()
    paths = ctx.paths({k for d in per.values() for k in d if k})

    def total(key: str, child: Territory) -> tuple[int, int]:
        pairs = [v for pk, v in per[key].items() if pk and paths.get(pk, "").startswith(child.path)]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)

    rows: list[dict[str, Any]] = []
    for child in children:
        met, stopped = total("handled_on_time", child)
        rep, reg_known = total("repeat_rate", child)
        registered = total("registered", child)[0]
        rows.append(
            {
                "name": child.name,
                "pk": child.pk,
                "registered": registered,
                "on_time": round(100 * met / stopped, 1) if stopped else None,
                "repeat": round(100 * rep / reg_known, 1) if reg_known else None,
            }
        )
    rows = [r for r in rows if r["registered"] or r["on_time"] is not None]
    rows.sort(key=lambda r: (-(r["on_time"] or 0), r["repeat"] or 0, r["registered"], r["name"]))
    t = Table(
        "territory_rankings",
        "区域排名（红黑榜）",
        ["#", "区域", "登记件数", "按期办结率", "重复信访率", "榜单"],
        note=TERRITORY_RANKING_FORMULA,
    )
    for i, r in enumerate(rows, 1):
        t.add(
            [
                i,
                r["name"],
                r["registered"],
                f"{r['on_time']}%" if r["on_time"] is not None else "—",
                f"{r['repeat']}%" if r["repeat"] is not None else "—",
                _board(i, len(rows)),
            ],
            [
                None,
                None,
                ctx.link("registered", territory=r["pk"]) if r["registered"] else None,
                None,
                None,
                None,
            ],
        )
    return t


PUBLIC_METRICS = (
    "registered",
    "answered",
    "response_rate",
    "handled_on_time",
    "satisfaction_rate",
    "resolution_rate",
    "review_rate",
)


def staff_tables(ctx: Context, territory: Territory | None, unit_id: int | None) -> list[Table]:
    figs = selectors.figures(ctx.filters)
    return [
        metrics_table(ctx, figs),
        monthly_channel_table(ctx),
        by_type_table(ctx),
        by_category_table(ctx),
        by_territory_table(ctx, territory),
        backlog_table(ctx, unit_id),
        rising_table(ctx),
        heat_table(ctx, territory),
        rankings_table(ctx),
        territory_rankings_table(ctx, territory),
    ]


def public_tables(ctx: Context) -> list[Table]:
    figs = selectors.figures(ctx.filters)
    return [
        metrics_table(ctx, figs),
        monthly_channel_table(ctx),
        by_type_table(ctx),
        by_category_table(ctx, limit=10),
        heat_table(ctx, None, max_level=TerritoryLevel.TOWNSHIP),
        rankings_table(ctx),
    ]


# --- the public page ---------------------------------------------------------------------------


def public_statistics(today: date | None = None) -> dict[str, Any]:
    """The anonymised public statistics (条例 §21¶2; SPEC §3.9): the last twelve months, from the
    roll-ups, with no case links and counts under three shown as "<3" in the territory table."""
    from huiyin.core import timeutil

    today = today or timeutil.today()
    start = _months_back(month_start(today), 12)[0]
    viewer = Viewer("all", "全部辖区")
    ctx = Context(Filters(start=start, end=today), viewer, {}, drill=False, public=True)
    tables = public_tables(ctx)
    figs = selectors.figures(ctx.filters)
    ranking = rankings(ctx)
    return {
        "start": start,
        "end": today,
        "tables": {t.key: t for t in tables},
        "charts": {t.key: t.chart for t in tables if t.chart and "series" in t.chart},
        "total": figs["registered"].num,
        "answered": figs["answered"].num,
        "on_time_rate": figs["handled_on_time"].value,
        "satisfied_rate": figs["satisfaction_rate"].value,
        "rankings": ranking,
        "ranking_formula": RANKING_FORMULA,
        "computed_at": timeutil.now(),
    }
