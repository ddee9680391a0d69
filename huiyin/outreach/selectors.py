"""Reads of outreach, scoped to what the user may see (a unit sees its territory and below)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from huiyin.cases.confidentiality import may_see_identity
from huiyin.core import timeutil
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory, User
from huiyin.outreach.choices import DEFAULT_NORMS, CommitmentStatus, NormPeriod, PairingKind
from huiyin.outreach.models import (
    Commitment,
    DiaryEntry,
    LiaisonPoint,
    Meeting,
    Pairing,
    Problem,
    VisitNorm,
)


def _scope_path(user: User) -> str | None:
    """The territory path a user's records are scoped to; '' for everything; None for nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser and not user.unit_id:
        return ""
    if user.unit is None:
        return None
    return user.unit.territory.path


def points_visible_to(user: User) -> QuerySet[LiaisonPoint]:
    path = _scope_path(user)
    if path is None:
        return LiaisonPoint.objects.none()
    return LiaisonPoint.objects.filter(territory__path__startswith=path)


def entries_visible_to(user: User) -> QuerySet[DiaryEntry]:
    """One's own diary, and the diaries of points in one's unit's territory."""
    path = _scope_path(user)
    if path is None:
        return DiaryEntry.objects.none()
    return DiaryEntry.objects.filter(Q(point__territory__path__startswith=path) | Q(author_id=user.pk))


def entry_redacted(user: User, entry: DiaryEntry) -> bool:
    """条例 §30¶3: when a problem of this entry became an accusation, whoever may not see that case's
    accuser (the accused side, the accused person) sees neither whom the cadre met nor what was said."""
    return entry.pk in redacted_entries(user, [entry])


def redacted_entries(user: User, entries: Iterable[DiaryEntry]) -> set[int]:
    """The ids of those `entries` that `user` may not read (entry_redacted's rule), in one query for
    the batch — a list or an export reads every row this way, not an entry at a time."""
    others = [e.pk for e in entries if e.author_id != user.pk]  # the author always reads their own
    if not others:
        return set()
    found = Problem.objects.filter(entry_id__in=others, case__isnull=False).select_related("case")
    redacted = set()
    for problem in found:
        case = problem.case
        assert case is not None
        if (case.accused_unit_id or case.accused_user_id) and not may_see_identity(user, case):
            redacted.add(problem.entry_id)
    return redacted


def pairings_of(user: User) -> QuerySet[Pairing]:
    """The active pairings a cadre records visits for: their own, and their unit's unnamed ones."""
    today = timeutil.today()
    return (
        Pairing.objects.filter(Q(cadre=user) | Q(cadre__isnull=True, unit_id=user.unit_id))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("point__territory", "unit")
    )


@dataclass
class VillageRow:
    territory: Territory
    points: list[LiaisonPoint] = field(default_factory=list)


@dataclass
class TownshipBlock:
    territory: Territory
    villages: list[VillageRow] = field(default_factory=list)


def territory_view(user: User, on: date) -> list[TownshipBlock]:
    """Townships › villages › points, each point with its active pairings and last visit."""
    path = _scope_path(user)
    if path is None:
        return []
    active = Q(pairings__starts_on__lte=on) & (
        Q(pairings__ends_on__isnull=True) | Q(pairings__ends_on__gte=on)
    )
    points = list(
        points_visible_to(user)
        .annotate(last_visit=Max("entries__visited_on"), active_pairings=Count("pairings", filter=active))
        .select_related("territory")
        .prefetch_related("pairings__unit", "pairings__cadre")
    )
    villages = Territory.objects.filter(path__startswith=path, level=TerritoryLevel.VILLAGE)
    by_village: dict[int, VillageRow] = {v.pk: VillageRow(v) for v in villages}
    for p in points:
        node = p.territory
        row = by_village.get(node.pk)
        if row is None:  # a point below village level (a grid): file it under its village
            row = next((r for r in by_village.values() if node.path.startswith(r.territory.path)), None)
        if row is not None:
            p.current = [  # type: ignore[attr-defined]
                x for x in p.pairings.all() if x.starts_on <= on and (x.ends_on is None or x.ends_on >= on)
            ]
            row.points.append(p)
    blocks: list[TownshipBlock] = []
    for t in Territory.objects.filter(path__startswith=path, level=TerritoryLevel.TOWNSHIP):
        rows = [r for r in by_village.values() if r.territory.path.startswith(t.path)]
        blocks.append(TownshipBlock(t, rows))
    if not blocks and by_village:  # a user scoped to one village or township's part
        blocks.append(
            TownshipBlock(user.unit.territory if user.unit else villages[0], list(by_village.values()))
        )
    return blocks


# --- coverage ----------------------------------------------------------------------------------


def period_window(period: str, on: date) -> tuple[date, date]:
    """The calendar month or quarter containing `on` (first and last day)."""
    if period == NormPeriod.MONTH:
        start = on.replace(day=1)
        months = 1
    else:
        start = date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
        months = 3
    m = start.month - 1 + months
    end = date(start.year + m // 12, m % 12 + 1, 1) - timedelta(days=1)
    return start, end


def norm_for(kind: str) -> tuple[str, int]:
    row = VisitNorm.objects.filter(kind=kind).first()
    return (row.period, row.visits) if row else DEFAULT_NORMS[kind]


@dataclass
class CoverageRow:
    pairing: Pairing
    period: str
    window: tuple[date, date]
    required: int
    visits: int
    township: Territory | None

    @property
    def met(self) -> bool:
        return self.visits >= self.required


def visits_in_period(kind: str, start: date, end: date, path: str = "") -> QuerySet[Any]:
    """The pairings of `kind` active at some day of [start, end] (in the territory `path`), each with
    `n`, its diary entries visited in that period: the one count behind the coverage page and the
    走访覆盖率 / 走访频次 figures (checks.py stores it per closed period)."""
    return (
        Pairing.objects.filter(kind=kind, point__territory__path__startswith=path, starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .annotate(n=Count("entries", filter=Q(entries__visited_on__range=(start, end))))
    )


def coverage(user: User, on: date) -> list[CoverageRow]:
    """Each pairing active in the norm period containing `on` (its kind's month or quarter), with the
    visits recorded against it in that period. Unmet rows are the points not visited enough."""
    path = _scope_path(user)
    if path is None:
        return []
    townships = list(Territory.objects.filter(level=TerritoryLevel.TOWNSHIP))
    rows: list[CoverageRow] = []
    for kind in PairingKind.values:
        period, required = norm_for(kind)
        start, end = period_window(period, on)
        qs = visits_in_period(kind, start, end, path).select_related("point__territory", "unit", "cadre")
        for p in qs:
            town = next((t for t in townships if p.point.territory.path.startswith(t.path)), None)
            rows.append(CoverageRow(p, period, (start, end), required, p.n, town))
    rows.sort(key=lambda r: (r.met, r.pairing.point.territory.path, r.pairing.pk))
    return rows


@dataclass
class CoverageTotal:
    label: str
    active: int = 0
    met: int = 0

    @property
    def missed(self) -> int:
        return self.active - self.met


def coverage_totals(rows: list[CoverageRow]) -> tuple[list[CoverageTotal], list[CoverageTotal]]:
    """The same rows summed by township and by cadre (or unit, for a department pairing)."""
    by_town: dict[str, CoverageTotal] = {}
    by_cadre: dict[str, CoverageTotal] = {}
    for r in rows:
        for key, table in (
            (r.township.name if r.township else "其他", by_town),
            (str(r.pairing.cadre) if r.pairing.cadre else r.pairing.unit.name, by_cadre),
        ):
            total = table.setdefault(key, CoverageTotal(key))
            total.active += 1
            total.met += int(r.met)
    return list(by_town.values()), sorted(by_cadre.values(), key=lambda t: (-t.missed, t.label))


# --- commitments -------------------------------------------------------------------------------


def public_commitments(territory: Territory | None = None) -> QuerySet[Commitment]:
    qs = Commitment.objects.select_related("unit", "territory")
    if territory is not None:
        qs = qs.filter(territory__path__startswith=territory.path)
    return qs.annotate(n_ratings=Count("ratings"))


def is_late(commitment: Commitment, today: date) -> bool:
    """逾期: still open after its date, or kept only after it."""
    if commitment.status == CommitmentStatus.ONGOING:
        return commitment.due_on < today
    return commitment.closed_on is not None and commitment.closed_on > commitment.due_on


def commitments_for_staff(user: User) -> QuerySet[Commitment]:
    path = _scope_path(user)
    if path is None:
        return Commitment.objects.none()
    return Commitment.objects.filter(
        Q(territory__path__startswith=path) | Q(unit_id=user.unit_id)
    ).select_related("unit", "territory")


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    path = _scope_path(user)
    if path is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(Q(territory__path__startswith=path) | Q(unit_id=user.unit_id))
