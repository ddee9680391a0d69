"""The clock sweeper as a background task, and the worker that schedules and runs it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from huiyin.core.management.commands.run_worker import enqueue_sweep, sweep_task_path
from huiyin.workflow.choices import ClockKind, ClockState
from huiyin.workflow.models import Clock
from huiyin.workflow.tasks import sweep_clocks_task

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _routing_clock(case):
    return Clock.objects.get(case=case, kind=ClockKind.ROUTING)


def test_the_sweep_task_turns_an_overdue_routing_clock_red(settings, register_case, clock):
    # given a case registered on 2025-03-03 and never routed (15 days: due 2025-03-18)
    settings.TASKS = IMMEDIATE
    clock.set(date(2025, 3, 3))
    case = register_case()
    # when the sweep task runs on 2025-03-20
    clock.set(date(2025, 3, 20))
    result = sweep_clocks_task.enqueue()
    # then the routing clock is red and the result counts the flip
    assert _routing_clock(case).state == ClockState.RED
    assert result.return_value["clock_red"] >= 1


def test_the_sweep_task_turns_a_clock_yellow_before_it_is_due(settings, register_case, clock):
    settings.TASKS = IMMEDIATE
    clock.set(date(2025, 3, 3))
    case = register_case()
    clock.set(date(2025, 3, 14))  # two thirds of 15 days used, not yet due
    sweep_clocks_task.enqueue()
    assert _routing_clock(case).state == ClockState.YELLOW


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_queues_a_sweep_and_runs_it(register_case, clock):
    # given an overdue clock and the database task backend
    clock.set(date(2025, 3, 3))
    case = register_case()
    clock.set(date(2025, 4, 1))
    # when the worker runs one batch
    call_command("run_worker", batch=True, verbosity=0)
    # then the sweep it queued has run and flipped the clock
    assert _routing_clock(case).state == ClockState.RED
    sweep = DBTaskResult.objects.get(task_path=sweep_task_path())
    assert sweep.status == "SUCCESSFUL"


def test_a_waiting_sweep_is_not_queued_twice(db):
    assert enqueue_sweep() is True
    assert enqueue_sweep() is False
    assert DBTaskResult.objects.ready().filter(task_path=sweep_task_path()).count() == 1


def test_the_worker_refuses_a_sweep_interval_of_zero(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("run_worker", sweep_every=0)


def test_planner_statistics_are_refreshed_on_sqlite(db):
    from django.db import connection

    from huiyin.core.management.dbstats import refresh_planner_statistics

    refreshed = refresh_planner_statistics()
    assert refreshed is (connection.vendor == "sqlite")
    if refreshed:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1


def test_each_tick_queues_the_clock_sweep_the_notification_retry_and_the_outbox_drain_once(db):
    from django_tasks_db.models import DBTaskResult

    from huiyin.core import registry
    from huiyin.core.management.commands.run_worker import enqueue_once

    PERIODIC_TASKS = registry.periodic_tasks()  # as the modules declared them, in order
    assert PERIODIC_TASKS[:4] == [
        "huiyin.workflow.tasks.sweep_clocks_task",
        "huiyin.supervision.tasks.sweep_supervision_task",  # after the clocks flipped
        "huiyin.notify.tasks.retry_notifications",
        "huiyin.notify.tasks.drain_outbox",  # ADR 0006: the outbox's guarantee
    ]
    assert "huiyin.analytics.tasks.refresh_rollups" in PERIODIC_TASKS  # SPEC §3.7: the dashboards' roll-ups
    # given an empty queue, when two ticks pass before the worker catches up
    first = [enqueue_once(path) for path in PERIODIC_TASKS]
    second = [enqueue_once(path) for path in PERIODIC_TASKS]
    # then each periodic task waits exactly once
    assert all(first) and not any(second)
    for path in PERIODIC_TASKS:
        assert DBTaskResult.objects.ready().filter(task_path=path).count() == 1
