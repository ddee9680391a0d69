"""The transactional outbox between case events and their notices (docs/adr/0006-transactional-outbox.md).

Every service that writes a case event calls `outbox_write(event=…)` in the same transaction, so the
event and the debt of its notices commit together or not at all. Delivering a row makes, in ONE
transaction that also marks the row done:

- the petitioner's messages (`services.notifications_for_event`: receipt SMS, 受理告知 …),
- the staff's work notices and their e-mail/SMS copies (`staff.notices_for_event`),
- and the event's announcement to the other listeners (`case_event_committed`: the major/urgent
  report of 条例 §25, the duplicate signature),

then, once that commits, queues one delivery task per message. Two deliverers, one guarantee:

- right after the commit, `outbox_write`'s on-commit hook delivers the row in the same process. This is
  latency only: a SIGKILL between COMMIT and the hook loses nothing, the row is still pending;
- the worker's `drain_outbox` task (queued every tick by `huiyin worker`) delivers every pending row.

Exactly once: a delivery claims its row for the length of its transaction (PostgreSQL: `SELECT … FOR
UPDATE SKIP LOCKED`, a second deliverer skips the row; SQLite: the claim is the transaction's first
write, which holds the database's write lock to COMMIT, so a second deliverer waits and then finds
the row done). A crash mid-expansion rolls the whole expansion back with the claim; the redelivery
starts from nothing. The unique keys of what is made (one Notification per event, medium and
address; one StaffNotice per user and event) are the second guard.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import DatabaseError, connection, transaction

from huiyin.cases.models import CaseEvent
from huiyin.core import timeutil
from huiyin.notify.choices import OutboxState
from huiyin.notify.models import OutboxMessage

log = logging.getLogger(__name__)

DELIVERED, SKIPPED, FAILED, GAVE_UP = "delivered", "skipped", "failed", "gave_up"
KEEP_DONE = timedelta(days=30)  # delivered rows are pruned after this; the notices themselves stay


def outbox_write(*, event: CaseEvent, later: bool = False) -> OutboxMessage:
    """Record, in the caller's transaction, that `event` owes its notices; deliver them after COMMIT.

    Call it right after creating the event, inside the same transaction (never from an on-commit hook:
    that is the gap a crash falls into). `later`: queue the delivery for the worker (`tasks.deliver_outbox`,
    one INSERT) instead of delivering in this process (the intake API keeps the notices' rendering and the
    duplicate signature out of its request; issue 15): on the database queue inside this transaction,
    on another backend after COMMIT.
    """
    now = timeutil.now()
    message = OutboxMessage.objects.create(
        event=event, kind=event.event_type[:40], created_at=now, next_attempt_at=now
    )
    if later and _queue_commits_with_the_row():
        # The delivery task is a row of the same database: queued now, it commits with the event and the
        # outbox row (one write transaction per intake, no window after COMMIT) or rolls back with them.
        from huiyin.notify.tasks import deliver_outbox

        deliver_outbox.enqueue(message.pk)
        return message
    # Latency only: if this process dies before the hook runs, the worker's drain delivers the row.
    hook = _queue_after_commit if later else _deliver_after_commit
    transaction.on_commit(partial(hook, message.pk))
    return message


def _queue_commits_with_the_row() -> bool:
    """True when the task queue is django_tasks_db's table (the production setting): a task queued inside
    the transaction commits or rolls back with it (ADR 0006). Another backend (the tests' immediate one) would run
    or send the task at once, before the row is committed, so it is queued after COMMIT."""
    from django_tasks_db.backend import DatabaseBackend

    from huiyin.notify.tasks import deliver_outbox

    return isinstance(deliver_outbox.get_backend(), DatabaseBackend)


def outbox_on_event(*, event: CaseEvent, deliver_later: bool = False, **_: Any) -> None:
    """The receiver of `cases.events.event_written`: the event's outbox row, in the writer's transaction."""
    outbox_write(event=event, later=deliver_later)


def _queue_after_commit(message_id: int) -> None:
    from huiyin.notify.tasks import deliver_outbox

    try:
        deliver_outbox.enqueue(message_id)
    except Exception:  # the request has committed: never fail it now; the drain delivers the row
        log.exception("could not queue outbox row %s (the worker's drain will deliver it)", message_id)


def _deliver_after_commit(message_id: int) -> None:
    try:
        outbox_deliver(message_id=message_id)
    except Exception:  # the request that wrote the event has committed: never fail it now
        log.exception("could not deliver outbox row %s after commit (the worker's drain will)", message_id)


def _claim(message_id: int) -> OutboxMessage | None:
    """Hold the pending row `message_id` for the current transaction, or None if it is done, gave up,
    or another deliverer holds it."""
    pending = OutboxMessage.objects.filter(pk=message_id, state=OutboxState.PENDING)
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: the row lock lasts to COMMIT; a concurrent deliverer skips the row, never waits.
        return pending.select_for_update(skip_locked=True).first()
    # SQLite has no row locks. Make the claim the transaction's first write: it takes the database's
    # write lock (at BEGIN already, with transaction_mode IMMEDIATE, ADR 0002) and holds it to COMMIT,
    # so a concurrent deliverer waits for it and then matches no pending row.
    if pending.update(next_attempt_at=timeutil.now()) != 1:
        return None
    return OutboxMessage.objects.get(pk=message_id)


def outbox_deliver(*, message_id: int) -> str:
    """Make everything the outbox row's event owes, once, and mark the row done — one transaction.

    Returns "delivered", "skipped" (done already, or being delivered elsewhere), "failed" (recorded,
    retried after a back-off) or "gave_up" (after HUIYIN_NOTIFY_MAX_ATTEMPTS failures).
    """
    from huiyin.notify import services, staff

    try:
        with transaction.atomic():
            message = _claim(message_id)
            if message is None:
                return SKIPPED
            event = CaseEvent.objects.select_related("case", "case__office", "actor").get(pk=message.event_id)
            notifications = services.notifications_for_event(event)
            notices, copies = staff.notices_for_event(event)
            _announce(event)
            OutboxMessage.objects.filter(pk=message.pk).update(
                state=OutboxState.DONE,
                done_at=timeutil.now(),
                last_error="",
                made={"notifications": len(notifications) + len(copies), "staff_notices": len(notices)},
            )
            sent = [*notifications, *copies]
            if sent:  # queued only once the rows exist for the worker to read
                transaction.on_commit(partial(services.enqueue_delivery, sent))
    except Exception as exc:
        log.exception("delivering outbox row %s failed", message_id)
        return _record_failure(message_id, exc)
    return DELIVERED


def _announce(event: CaseEvent) -> None:
    """Tell the other listeners of `event` (major/urgent report, duplicate signature) in a savepoint:
    a listener's failure is logged and rolled back alone, never holding back the notices (each
    listener has its own sweep or backfill for what it missed)."""
    from huiyin.notify.signals import case_event_committed

    try:
        with transaction.atomic():
            responses = case_event_committed.send_robust(sender=CaseEvent, event=event)
    except DatabaseError:
        log.exception("a listener of event %s broke its transaction; its work was rolled back", event.pk)
        return
    for receiver, response in responses:
        if isinstance(response, Exception):
            log.error("listener %r failed on event %s: %r", receiver, event.pk, response)


def _record_failure(message_id: int, exc: Exception) -> str:
    from huiyin.notify.services import backoff, max_attempts

    message = OutboxMessage.objects.filter(pk=message_id, state=OutboxState.PENDING).first()
    if message is None:
        return SKIPPED
    attempts = message.attempts + 1
    gave_up = attempts >= max_attempts()
    OutboxMessage.objects.filter(pk=message_id, state=OutboxState.PENDING).update(
        attempts=attempts,
        state=OutboxState.GAVE_UP if gave_up else OutboxState.PENDING,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=timeutil.now() + backoff(attempts),
    )
    return GAVE_UP if gave_up else FAILED


def outbox_due(*, now: Any = None, limit: int = 500) -> list[int]:
    """Ids of the pending rows due for delivery, oldest first."""
    now = now or timeutil.now()
    return list(
        OutboxMessage.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


def outbox_drain(*, limit: int = 2000) -> dict[str, int]:
    """The worker's pass: deliver every due pending row (up to `limit`, the next pass takes the rest),
    then prune rows delivered more than KEEP_DONE ago. Returns counts by outcome."""
    counts: dict[str, int] = {}
    for message_id in outbox_due(limit=limit):
        outcome = outbox_deliver(message_id=message_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    pruned, _ = OutboxMessage.objects.filter(
        state=OutboxState.DONE, done_at__lt=timeutil.now() - KEEP_DONE
    ).delete()
    if pruned:
        counts["pruned"] = pruned
    return counts


def outbox_retry(*, message_ids: list[int]) -> int:
    """Put rows that gave up back in the queue (an administrator's action after fixing the cause)."""
    return OutboxMessage.objects.filter(pk__in=message_ids, state=OutboxState.GAVE_UP).update(
        state=OutboxState.PENDING, attempts=0, next_attempt_at=timeutil.now()
    )
