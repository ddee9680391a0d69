"""`huiyin worker`: the django-tasks database worker plus the one-minute schedule of the periodic jobs:
the clock sweeper, the notification retries and the outbox drain (ADR 0006).

There is one periodic job (STYLE: "clocks are data plus one sweeper"), so instead of a scheduler
daemon a thread in the worker process queues `sweep_clocks_task` every `--sweep-every` seconds; the
worker loop in the main thread runs it like any other task. The sweeper is a compare-and-swap, so two
workers on one database never escalate a clock twice.
"""

from __future__ import annotations

import logging
import threading
import time
from importlib import import_module
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django_tasks_db.models import DBTaskResult

from huiyin.core import registry
from huiyin.core.management.dbstats import refresh_planner_statistics

logger = logging.getLogger("huiyin.worker")
STATISTICS_EVERY = 3600.0  # seconds between ANALYZE runs on SQLite


# Every periodic job is declared by its module (huiyin.core.registry: the clock sweep first, then the
# 督办 sweep, the notification retries and the outbox drain, …), queued at each tick unless one is
# already waiting (one waiting run covers all).
SWEEP_TASK = "huiyin.workflow.tasks.sweep_clocks_task"  # clock colours (SPEC §3.3): the first of them


def _task(path: str) -> Any:
    module, name = path.rsplit(".", 1)
    return getattr(import_module(module), name)


def sweep_task_path() -> str:
    return str(_task(SWEEP_TASK).module_path)


def enqueue_once(path: str) -> bool:
    """Queue the periodic task at `path` unless one is already waiting; return whether one was queued."""
    task = _task(path)
    if DBTaskResult.objects.ready().filter(task_path=task.module_path).exists():
        return False  # the worker is behind: the waiting run will do
    task.enqueue()
    return True


def enqueue_sweep() -> bool:
    """Queue one clock sweep unless one is already waiting; return whether one was queued."""
    return enqueue_once(SWEEP_TASK)


def schedule_sweeps(stop: threading.Event, every: float) -> None:
    """Queue a sweep now and then every `every` seconds until `stop` is set; refresh SQLite's
    planner statistics at start and hourly (see huiyin.core.management.dbstats)."""
    next_statistics = time.monotonic()
    while not stop.is_set():
        try:
            for path in registry.periodic_tasks():
                enqueue_once(path)
            if time.monotonic() >= next_statistics:
                refresh_planner_statistics()
                next_statistics = time.monotonic() + STATISTICS_EVERY
        except Exception:  # a locked or restarting database must not kill the schedule
            logger.exception("could not queue the clock sweep; retrying in %s s", every)
        finally:
            close_old_connections()
            connection.close()
        stop.wait(every)


class Command(BaseCommand):
    help = "Run the background worker (django-tasks db_worker) and queue the clock sweeper every minute."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sweep-every", type=float, default=60.0, help="seconds between clock sweeps (default 60)"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls for new tasks (default 1)"
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="queue each periodic task once (sweep, retries, outbox), run every waiting task, then exit",
        )

    def handle(self, *args: Any, sweep_every: float, interval: float, batch: bool, **options: Any) -> None:
        if sweep_every <= 0:
            raise CommandError("--sweep-every 必须大于 0")
        worker_options = {"interval": interval, "reload": False, "startup_delay": False}
        verbosity = options.get("verbosity", 1)
        if batch:
            for path in registry.periodic_tasks():
                enqueue_once(path)
            call_command("db_worker", batch=True, verbosity=verbosity, **worker_options)
            return
        stop = threading.Event()
        scheduler = threading.Thread(
            target=schedule_sweeps, args=(stop, sweep_every), name="clock-sweep-schedule", daemon=True
        )
        scheduler.start()
        self.stdout.write(f"回音后台任务已启动：每 {sweep_every:g} 秒排入一次时限巡检（sweep_clocks_task）")
        try:
            call_command("db_worker", verbosity=verbosity, **worker_options)
        finally:
            stop.set()
