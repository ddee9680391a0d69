"""bench/sweep_pair.py: it refuses to write without --commit, and its check finds a clock escalated
twice (the benchmark itself is never part of the suite: it needs a copy of a large database)."""

import pytest
from django.utils import timezone

from bench import sweep_pair
from huiyin.cases.models import CaseEvent


def test_the_benchmark_refuses_to_run_without_commit():
    with pytest.raises(SystemExit) as stopped:
        sweep_pair.main(["--db", "postgres://nowhere/none"])
    assert stopped.value.code == 2


def test_the_check_counts_a_clock_escalated_twice_and_nothing_before_the_marks(register_case):
    case = register_case()
    other = register_case()
    now = timezone.now()
    CaseEvent.objects.create(case=other, event_type="clock_red", data={"clock": "handle"}, created_at=now)
    event_mark, candidate_mark = sweep_pair._marks()
    for event_type in ("clock_yellow", "clock_red", "clock_red"):
        CaseEvent.objects.create(case=case, event_type=event_type, data={"clock": "handle"}, created_at=now)
    CaseEvent.objects.create(case=case, event_type="clock_red", data={"clock": "accept"}, created_at=now)
    CaseEvent.objects.create(case=other, event_type="clock_red", data={"clock": "handle"}, created_at=now)

    assert sweep_pair.check(event_mark, candidate_mark) == {"flip_events": 5, "repeated": 1, "candidates": 0}
