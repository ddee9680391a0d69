"""Background delivery of notifications (run by `huiyin worker`)."""

from __future__ import annotations

from django_tasks import task

from huiyin.notify import outbox, services


@task()
def send_notification(notification_id: int) -> str:
    """Deliver one message through the configured backend; a failure is recorded for the retry sweep."""
    return services.notification_deliver(notification_id)


@task()
def retry_notifications() -> dict[str, int]:
    """Send window reminders and retry every due or failed message (queue this every few minutes)."""
    return services.notifications_retry()


@task()
def drain_outbox() -> dict[str, int]:
    """Make the notices of every committed case event still owing them (the outbox's guarantee, ADR 0006:
    a process killed between COMMIT and its on-commit delivery leaves the row for this task)."""
    return outbox.outbox_drain()


@task()
def deliver_outbox(message_id: int) -> str:
    """Deliver one outbox row soon after its event committed (queued by `outbox_write(later=True)`);
    a row done already is skipped, so a drain that got there first makes nothing twice."""
    return outbox.outbox_deliver(message_id=message_id)
