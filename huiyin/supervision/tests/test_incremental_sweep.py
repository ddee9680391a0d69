"""The worker's 督办 sweep is incremental (issue 15): a full pass on the day's first minute, then only
the cases with an event since the last run began (less the overlap) — so a minute's cost follows what
happened in it, not the size of the case table — and nothing is found twice or missed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from huiyin.cases.models import Case
from huiyin.supervision import services
from huiyin.supervision.choices import CandidateReason
from huiyin.supervision.models import SupervisionCandidate, SweepState
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockState
from huiyin.workflow.clocks import sweep_clocks
from huiyin.workflow.models import Clock

DAY = date(2025, 3, 3)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def assigned(register_case, clock, org, dispatcher_zhou):
    """Cases assigned to unit A on 3 March with a 10-day deadline (red from the 14th)."""

    def make() -> Case:
        clock.set(at(DAY, 9))
        case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
        return wf.case_assign(
            case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=DAY + timedelta(days=10)
        )

    return make


def test_the_days_first_run_is_full_and_the_next_minutes_look_only_at_new_events(assigned, clock):
    first, second = assigned(), assigned()
    clock.set(at(DAY + timedelta(days=12), 0, 1))
    sweep_clocks()  # both clocks turn red: each writes a clock_red event
    assert services.sweep_supervision(incremental=True)["candidate_overdue"] == 2  # the day's full pass
    assert SweepState.objects.get().full_on == DAY + timedelta(days=12)
    assert services.sweep_supervision(incremental=True)["candidate_overdue"] == 0  # never twice
    # a red clock that no event announced (written behind the services' back): only a full pass
    # looks at every case, so the incremental minutes leave it and the next full pass finds it
    third = assigned()
    Clock.objects.filter(case=third).update(state=ClockState.RED)
    clock.set(at(DAY + timedelta(days=12), 11, 0))
    assert services.sweep_supervision(incremental=True)["candidate_overdue"] == 0
    assert services.sweep_supervision()["candidate_overdue"] == 1
    assert SupervisionCandidate.objects.filter(reason=CandidateReason.OVERDUE).count() == 3
    del first, second


def test_a_clock_turning_red_in_a_later_minute_is_found_by_that_minutes_incremental_pass(
    assigned, clock, org
):
    case = assigned()
    clock.set(at(DAY + timedelta(days=1), 0, 1))
    services.sweep_supervision(incremental=True)  # the day's full pass: nothing overdue yet
    # later that day the deadline is found to have been shortened... simpler: a new case whose clock
    # is already past due is registered and swept
    late = assigned()
    Clock.objects.filter(case=late).update(due_on=DAY, warn_on=DAY)
    clock.set(at(DAY + timedelta(days=1), 10, 0))
    sweep_clocks()
    counts = services.sweep_supervision(incremental=True)
    assert counts["candidate_overdue"] == 1
    assert SupervisionCandidate.objects.get(reason=CandidateReason.OVERDUE).case == late
    del case, org


def test_an_incremental_minute_costs_the_same_queries_however_many_cases_exist(
    assigned, clock, django_assert_max_num_queries
):
    def minute_queries(n_cases: int) -> int:
        for _ in range(n_cases):
            assigned()
        clock.set(at(DAY + timedelta(days=2), 0, 1))
        services.sweep_supervision(incremental=True)  # the day's full pass
        clock.set(at(DAY + timedelta(days=2), 0, 30))  # later: the cases' events are long past the overlap
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            services.sweep_supervision(incremental=True)
        return len(ctx.captured_queries)

    small = minute_queries(2)
    SweepState.objects.all().delete()
    large = minute_queries(12)
    assert small == large
    with django_assert_max_num_queries(8):
        services.sweep_supervision(incremental=True)


def test_stalled_cases_are_looked_for_once_a_day_on_the_full_pass(assigned, clock, org):
    case = assigned()
    # 60 days without progress: found by the next day's first (full) run, not by a later minute
    clock.set(at(DAY + timedelta(days=70), 0, 1))
    counts = services.sweep_supervision(incremental=True)
    assert counts["candidate_stalled"] == 1
    clock.set(at(DAY + timedelta(days=70), 0, 2))
    assert services.sweep_supervision(incremental=True)["candidate_stalled"] == 0
    assert SupervisionCandidate.objects.filter(case=case, reason=CandidateReason.STALLED).count() == 1
    del org


def test_the_full_pass_reads_and_writes_its_rows_in_batches_and_still_adds_each_once(
    assigned, clock, monkeypatch
):
    """The finders feed their rows to the candidates SWEEP_BATCH at a time (bounded memory: 340k rows at
    10M cases); across batch boundaries every case is still found once, and a second pass adds none."""
    monkeypatch.setattr(services, "SWEEP_BATCH", 2)
    cases = [assigned() for _ in range(5)]
    clock.set(at(DAY + timedelta(days=12), 0, 1))
    sweep_clocks()
    assert services.sweep_supervision()["candidate_overdue"] == 5
    assert services.sweep_supervision()["candidate_overdue"] == 0
    found = SupervisionCandidate.objects.filter(reason=CandidateReason.OVERDUE)
    assert sorted(found.values_list("case_id", flat=True)) == sorted(c.pk for c in cases)
