"""Background delivery of notifications (run by `huiyin worker`)."""

from __future__ import annotations

from django_tasks import task

from huiyin.notify import services


@task()
def send_notification(notification_id: int) -> str:
    """Deliver one message through the configured backend; a failure is recorded for the retry sweep."""
    return services.notification_deliver(notification_id)


@task()
def retry_notifications() -> dict[str, int]:
    """Send window reminders and retry every due or failed message (queue this every few minutes)."""
    return services.notifications_retry()
