"""Mediation metrics (issue 13 §5; SPEC §3.5, §3.7). Each is one ORM aggregate over a period of days
[start, end] (inclusive), scoped to a queryset the caller already limited to what the user may see. The
analytics registry (t11-analytics) is not on main yet: the lead wires these into it at merge.

Levels: an organ's level is its seat's (村/社区 and 网格 → village, 乡镇 → township, 县 → county, above →
above); a court's level is its seat's (the county of the handing-off organ unless given).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from huiyin.mediation.choices import Performance, ResolutionLevel
from huiyin.mediation.models import Agreement, Mediation, RoundReport, ScreeningItem, ScreeningRound
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory


def _level(expr: Any) -> Case:
    return Case(
        When(Q(**{f"{expr}__gte": TerritoryLevel.VILLAGE}), then=Value(ResolutionLevel.VILLAGE)),
        When(Q(**{expr: TerritoryLevel.TOWNSHIP}), then=Value(ResolutionLevel.TOWNSHIP)),
        When(Q(**{expr: TerritoryLevel.COUNTY}), then=Value(ResolutionLevel.COUNTY)),
        default=Value(ResolutionLevel.ABOVE),
        output_field=CharField(),
    )


def success_by_kind_and_level(
    mediations: QuerySet[Mediation], start: date, end: date
) -> dict[tuple[str, str], tuple[int, int]]:
    """调解成功率 by kind and the organ's level: (successes, mediations).

    Denominator: mediations opened in the period (by their kind and the level of their organ — the
    court's seat for 司法调解), whatever their state, in progress included (seeds 001: 23 of 24 with one
    still being mediated = 95.83%). Numerator: those of them that reached an agreement (a court
    mediation or 司法确认 for 司法调解). A 人民调解 that failed and went on to 行政调解 counts once as a
    failure of 人民调解 and once in 行政调解."""
    rows = (
        mediations.filter(opened_at__date__gte=start, opened_at__date__lte=end)
        .annotate(seat=Coalesce(F("court_territory__level"), F("organ__territory__level")))
        .annotate(level=_level("seat"))
        .values("kind", "level")
        .annotate(n=Count("pk"), ok=Count("pk", filter=~Q(resolution_level="")))
    )
    return {(r["kind"], r["level"]): (r["ok"], r["n"]) for r in rows}


def resolution_levels(mediations: QuerySet[Mediation], start: date, end: date) -> dict[str, int]:
    """化解层级分布 (小事不出村、大事不出镇): disputes resolved in the period by the level where they ended.

    Counts each dispute once: its last mediation with an agreement resolved in the period (a mediation
    with a later link in the chain is not where the dispute ended). The level is derived from the organ
    (never typed). Excluded: disputes not resolved by mediation (failed, with the court undecided)."""
    rows = (
        mediations.filter(resolved_on__gte=start, resolved_on__lte=end, next__isnull=True)
        .exclude(resolution_level="")
        .values("resolution_level")
        .annotate(n=Count("pk"))
    )
    return {r["resolution_level"]: r["n"] for r in rows}


def items_settled_on_time(items: QuerySet[ScreeningItem], start: date, end: date) -> tuple[int, int]:
    """排查事项按期化解: (settled by their date, items due in the period).

    Denominator: assigned items whose 化解期限 falls in the period. Numerator: those settled on or before
    it. Excluded: items never given a date (not yet assigned)."""
    due = items.filter(due_on__gte=start, due_on__lte=end)
    got = due.aggregate(
        n=Count("pk"), ok=Count("pk", filter=Q(settled_on__isnull=False, settled_on__lte=F("due_on")))
    )
    return got["ok"], got["n"]


def zero_report_compliance(rounds: QuerySet[ScreeningRound], start: date, end: date) -> tuple[int, int]:
    """零报告制度落实率: (points that reported by the round's deadline, points expected).

    Rounds whose month starts in the period; each expects one report from the township itself and
    one from each of its villages (items filed or an explicit 零报告). A report filed after the round's
    deadline counts as not on time; a point with neither is missing."""
    chosen = rounds.filter(period__gte=start, period__lte=end)
    villages = (
        Territory.objects.filter(parent=OuterRef("township"), level=TerritoryLevel.VILLAGE)
        .order_by()
        .values("parent")
        .annotate(c=Count("pk"))
        .values("c")
    )
    expected = (
        chosen.annotate(
            points=Coalesce(Subquery(villages, output_field=IntegerField()), Value(0)) + Value(1)
        ).aggregate(total=Sum("points"))["total"]
        or 0
    )
    reported = RoundReport.objects.filter(round__in=chosen, filed_at__date__lte=F("round__due_on")).count()
    return reported, expected


def not_passed_up(mediations: QuerySet[Mediation], start: date, end: date) -> tuple[int, int]:
    """矛盾不上交率: (disputes that stayed below, disputes mediated first at village or township level).

    Denominator: disputes whose first mediation was by a village or township organ and concluded in
    the period (an agreement reached, or terminated). Numerator: those not followed by a petition at
    the county or above (`later_petition`, registered after the mediation began, at an office seated
    in a county or higher). A later petition at the township itself does not count against it."""
    firsts = mediations.filter(
        dispute_id=F("pk"), organ__territory__level__gte=TerritoryLevel.TOWNSHIP
    ).filter(
        Q(resolved_on__gte=start, resolved_on__lte=end) | Q(terminated_on__gte=start, terminated_on__lte=end)
    )
    got = firsts.aggregate(
        n=Count("pk"),
        up=Count("pk", filter=Q(later_petition__office__territory__level__lte=TerritoryLevel.COUNTY)),
    )
    return got["n"] - got["up"], got["n"]


def agreements_performed(agreements: QuerySet[Agreement], start: date, end: date) -> tuple[int, int]:
    """协议履行率: (performed, followed up) among agreements followed up in the period (§31).

    Partly performed and not performed count in the denominator only; agreements not yet followed up
    are excluded (listed on the workbench as due)."""
    got = agreements.filter(followed_up_on__gte=start, followed_up_on__lte=end).aggregate(
        n=Count("pk"), ok=Count("pk", filter=Q(performance=Performance.PERFORMED))
    )
    return got["ok"], got["n"]
