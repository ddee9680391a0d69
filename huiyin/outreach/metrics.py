"""Outreach metrics (SPEC §3.6, §3.7), as ORM aggregates; the lead wires them into the analytics
registry at merge (t11-analytics). Each returns (numerator, denominator); a rate is n/d when d > 0."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from huiyin.cases.choices import Status
from huiyin.outreach.choices import CommitmentStatus, PairingKind, ProblemState, Satisfaction
from huiyin.outreach.models import Commitment, CommitmentRating, DiaryEntry, Pairing, Problem
from huiyin.outreach.selectors import norm_for, period_window


def _active(start: date, end: date) -> Q:
    return Q(starts_on__lte=end) & (Q(ends_on__isnull=True) | Q(ends_on__gte=start))


def visits_per_pairing(start: date, end: date) -> tuple[int, int]:
    """走访频次. Numerator: diary entries recorded against a pairing with visit date in [start, end].
    Denominator: pairings active at some day of [start, end]. Unpaired visits are excluded."""
    n = DiaryEntry.objects.filter(pairing__isnull=False, visited_on__range=(start, end)).count()
    d = Pairing.objects.filter(_active(start, end)).count()
    return n, d


def coverage(on: date) -> tuple[int, int]:
    """走访覆盖率. For each pairing kind, the norm period (month or quarter, VisitNorm or DEFAULT_NORMS)
    containing `on`. Numerator: pairings active in that period with at least the norm's visits in it.
    Denominator: pairings active in that period."""
    met = total = 0
    for kind in PairingKind.values:
        period, required = norm_for(kind)
        start, end = period_window(period, on)
        agg = (
            Pairing.objects.filter(_active(start, end), kind=kind)
            .annotate(n=Count("entries", filter=Q(entries__visited_on__range=(start, end))))
            .aggregate(total=Count("id"), met=Count("id", filter=Q(n__gte=required)))
        )
        met += agg["met"]
        total += agg["total"]
    return met, total


def issues_per_visit(start: date, end: date) -> tuple[int, int]:
    """每次走访发现问题数. Numerator: problems recorded on entries visited in [start, end].
    Denominator: those entries."""
    entries = DiaryEntry.objects.filter(visited_on__range=(start, end))
    return Problem.objects.filter(entry__in=entries).count(), entries.count()


def found_cases_resolved(start: date, end: date) -> tuple[int, int]:
    """变上访为下访. Denominator: problems of entries visited in [start, end] that became cases.
    Numerator: those cases that reached an answer (答复、办结 or later) — the matter was settled from a
    visit, before the person had to petition for it."""
    qs = Problem.objects.filter(entry__visited_on__range=(start, end), state=ProblemState.CASE)
    done = (Status.REPLIED, Status.CLOSED, Status.REVIEW_REPLIED, Status.FINAL)
    return qs.filter(case__status__in=done).count(), qs.count()


def commitment_fulfilment(on: date, unit_id: int | None = None) -> tuple[int, int]:
    """践诺落实率 (seeds/004: 93.7%). Denominator: commitments due on or before `on`, plus those closed
    (kept or not) before their date. Numerator: those kept (status 已兑现, on time or late)."""
    qs = Commitment.objects.filter(Q(due_on__lte=on) | ~Q(status=CommitmentStatus.ONGOING))
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    agg = qs.aggregate(d=Count("id"), n=Count("id", filter=Q(status=CommitmentStatus.FULFILLED)))
    return agg["n"], agg["d"]


def commitment_satisfaction(unit_id: int | None = None) -> tuple[int, int]:
    """群众满意率 (seeds/004: 95%). Denominator: citizens' ratings of commitments. Numerator: those
    满意 or 基本满意."""
    qs = CommitmentRating.objects.all()
    if unit_id is not None:
        qs = qs.filter(commitment__unit_id=unit_id)
    agg = qs.aggregate(
        d=Count("id"), n=Count("id", filter=Q(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC)))
    )
    return agg["n"], agg["d"]


def per_unit(on: date) -> list[dict[str, object]]:
    """Fulfilment and satisfaction of every unit that made a promise (one grouped query each)."""
    due = Q(commitments__due_on__lte=on) | ~Q(commitments__status=CommitmentStatus.ONGOING)
    from huiyin.org.models import Unit

    units = (
        Unit.objects.filter(commitments__isnull=False)
        .annotate(
            promised=Count("commitments", distinct=True),
            due=Count("commitments", filter=due, distinct=True),
            kept=Count(
                "commitments", filter=Q(commitments__status=CommitmentStatus.FULFILLED), distinct=True
            ),
            broken=Count("commitments", filter=Q(commitments__status=CommitmentStatus.BROKEN), distinct=True),
        )
        .order_by("territory__path", "code")
    )
    ratings = dict(
        CommitmentRating.objects.values_list("commitment__unit_id")
        .annotate(n=Count("id"))
        .values_list("commitment__unit_id", "n")
    )
    happy = dict(
        CommitmentRating.objects.filter(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC))
        .values_list("commitment__unit_id")
        .annotate(n=Count("id"))
        .values_list("commitment__unit_id", "n")
    )
    return [
        {
            "unit": u,
            "promised": u.promised,
            "due": u.due,
            "kept": u.kept,
            "broken": u.broken,
            "fulfilment": (u.kept / u.due) if u.due else None,
            "ratings": ratings.get(u.pk, 0),
            "satisfaction": (happy.get(u.pk, 0) / ratings[u.pk]) if ratings.get(u.pk) else None,
        }
        for u in units
    ]


def consultation_adopted(start: date, end: date) -> tuple[int, int]:
    """意见采纳率. Denominator: comments on consultations whose period closed in [start, end] that the
    office answered. Numerator: those 采纳 or 部分采纳. Unanswered comments are excluded (and visible as
    待答复 on the public page)."""
    from huiyin.outreach.models import ConsultationComment

    qs = ConsultationComment.objects.filter(consultation__closes_on__range=(start, end)).exclude(response="")
    agg = qs.aggregate(d=Count("id"), n=Count("id", filter=Q(response__in=("adopted", "partly"))))
    return agg["n"], agg["d"]
