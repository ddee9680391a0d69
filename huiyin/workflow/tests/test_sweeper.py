"""The incremental clock sweeper (issue 15): `next_flip_at` is kept by the database whoever writes a
clock, the sweep reads only clocks whose day has come, and two sweepers at once flip each clock once
(条例 §34: the due day itself is on time, red from the next day)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from huiyin.workflow import clocks as clockmod
from huiyin.workflow.choices import ClockKind, ClockState
from huiyin.workflow.clocks import sweep_clocks
from huiyin.workflow.models import Clock


def _bare_clocks(case, unit, n, *, kind=ClockKind.HANDLING, started=date(2025, 3, 3)):
    """`n` running 60-day clocks on one case: started 3 Mar 2025, yellow from 12 Apr, due 2 May."""
    return Clock.objects.bulk_create(
        [
            Clock(
                case=case,
                kind=kind,
                unit=unit,
                rule_days=60,
                rule_unit="calendar_day",
                trigger="accept",
                started_on=started,
                due_on=date(2025, 5, 2),
                warn_on=date(2025, 4, 12),
            )
            for _ in range(n)
        ]
    )


def _flip_day(clock_id):
    return Clock.objects.values_list("next_flip_at", flat=True).get(id=clock_id)


def test_next_flip_follows_state_whoever_writes_the_clock(register_case, org):
    case = register_case()
    (clock,) = _bare_clocks(case, org.unit_a, 1)
    assert _flip_day(clock.id) == date(2025, 4, 12)  # running: the warning day
    # a bulk update outside clocks.py (as routing and handling do) keeps it too
    Clock.objects.filter(id=clock.id).update(state=ClockState.YELLOW)
    assert _flip_day(clock.id) == date(2025, 5, 3)  # yellow: the day after the due day (§34)
    Clock.objects.filter(id=clock.id).update(due_on=date(2025, 12, 31))
    assert _flip_day(clock.id) == date(2026, 1, 1)  # across the year end
    for state in (ClockState.RED, ClockState.PAUSED, ClockState.MET, ClockState.LATE, ClockState.CANCELLED):
        Clock.objects.filter(id=clock.id).update(state=state)
        assert _flip_day(clock.id) is None, state
    (window,) = _bare_clocks(case, org.unit_a, 1, kind=ClockKind.OBJECTION)
    assert _flip_day(window.id) == date(2025, 5, 3)  # a window never turns yellow, it expires


def test_a_paused_clock_resumed_flips_again_on_its_moved_dates(register_case, org):
    case = register_case()
    (clock,) = _bare_clocks(case, org.unit_a, 1)
    clock.refresh_from_db()
    clockmod.pause_clock(clock, on=date(2025, 4, 1))
    assert _flip_day(clock.id) is None
    assert sweep_clocks(today=date(2025, 6, 1)) == {}  # paused clocks never turn red (§36¶2)
    clock.refresh_from_db()
    rules = clockmod.rules_for_case(case)
    assert clockmod.resume_clock(clock, on=date(2025, 4, 10), rules=rules) == 10  # 1–10 Apr, both days
    assert _flip_day(clock.id) == clock.warn_on
    assert clock.due_on == date(2025, 5, 12)
    assert sweep_clocks(today=date(2025, 5, 12)).get("clock_red") is None
    assert sweep_clocks(today=date(2025, 5, 13)) == {"clock_red": 1}


def test_a_sweep_reads_only_the_clocks_whose_day_has_come(register_case, org, django_assert_max_num_queries):
    case = register_case()
    _bare_clocks(case, org.unit_a, 30)
    sweep_clocks(today=date(2025, 4, 12))
    assert Clock.objects.filter(state=ClockState.YELLOW).count() == 30
    # the next minute nothing crosses: one query, however many clocks are live
    with django_assert_max_num_queries(1):
        assert sweep_clocks(today=date(2025, 4, 12)) == {}


def test_a_running_clock_past_its_due_day_goes_straight_to_red(register_case, org):
    case = register_case()
    _bare_clocks(case, org.unit_a, 2)
    assert sweep_clocks(today=date(2025, 5, 3)) == {"clock_red": 2}
    assert case.events.filter(event_type="clock_yellow").count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_flip_each_clock_once(register_case, org):
    """Two workers sweep the same minute on PostgreSQL (row locks, real concurrency): every clock is
    flipped and announced exactly once (the compare-and-swap in sweep_clocks)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    case = register_case()
    n = 400
    _bare_clocks(case, org.unit_a, n)
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(sweep_clocks(today=date(2025, 4, 12), batch=25))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results) == 2
    assert sum(r.get("clock_yellow", 0) for r in results) == n
    assert Clock.objects.filter(state=ClockState.YELLOW).count() == n
    assert case.events.filter(event_type="clock_yellow").count() == n
