"""The rows of the coverage figures: one CoverageCheck per pairing and norm period of its kind, built
from selectors.visits_in_period (the count the coverage page shows), dated by the period's last day.

A closed period's row is written once, with the norm as it was; a diary entry recorded later for a
closed period deletes the row it changes (services/diary.py), and the next build writes it again. The
period still running is rebuilt on every build: it is dated in the future, so it enters a figure only
for a window that reaches its last day."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Min

from huiyin.core import timeutil
from huiyin.outreach.choices import PairingKind
from huiyin.outreach.models import CoverageCheck, Pairing
from huiyin.outreach.selectors import norm_for, period_window, visits_in_period


def _periods(period: str, first: date, last: date) -> list[tuple[date, date]]:
    """The norm periods from the one containing `first` to the one containing `last`."""
    found = []
    start, end = period_window(period, first)
    while start <= last:
        found.append((start, end))
        start, end = period_window(period, end + timedelta(days=1))
    return found


def build_checks(until: date) -> int:
    """Write the missing rows of every period that started on or before min(until, today); rebuild the
    one running today. Returns how many rows were written."""
    today = timeutil.today()
    last = min(until, today)
    written = 0
    for kind in PairingKind.values:
        first = Pairing.objects.filter(kind=kind).aggregate(d=Min("starts_on"))["d"]
        if first is None or first > last:
            continue
        period, required = norm_for(kind)
        have = set(CoverageCheck.objects.filter(pairing__kind=kind).values_list("pairing_id", "ends_on"))
        spans = list(Pairing.objects.filter(kind=kind).values_list("pk", "starts_on", "ends_on"))
        for start, end in _periods(period, first, last):
            running = end >= today
            expected = {pk for pk, s, e in spans if s <= end and (e is None or e >= start)}
            if not running and all((pk, end) in have for pk in expected):
                continue  # a closed period already checked: no query
            rows = [
                CoverageCheck(
                    pairing_id=p.pk,
                    period=period,
                    starts_on=start,
                    ends_on=end,
                    required=required,
                    visits=p.n,
                    met=p.n >= required,
                )
                for p in visits_in_period(kind, start, end)
                if running or (p.pk, end) not in have
            ]
            if not rows:
                continue
            if running:
                CoverageCheck.objects.filter(pairing__kind=kind, ends_on=end).delete()
            CoverageCheck.objects.bulk_create(rows, ignore_conflicts=True)
            written += len(rows)
    return written


def forget_check(pairing_id: int | None, visited_on: date) -> None:
    """A visit recorded for a period already checked: that period's row is counted again."""
    if pairing_id is not None:
        CoverageCheck.objects.filter(
            pairing_id=pairing_id, starts_on__lte=visited_on, ends_on__gte=visited_on
        ).delete()
