"""Background jobs of leader reception: the reminder the day before a session and the leader's agenda (queued with the other
periodic tasks by `huiyin worker`, huiyin.core.management.commands.run_worker.PERIODIC_TASKS)."""

from __future__ import annotations

from django_tasks import task

from huiyin.reception.services import agendas_send, reminders_send


@task()
def reception_reminders_task() -> dict[str, int]:
    return {"reception_reminders": reminders_send(), "reception_agendas": agendas_send()}
