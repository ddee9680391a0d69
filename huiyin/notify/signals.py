"""Sent once for each committed case event by the outbox's delivery (huiyin.notify.outbox, ADR 0006),
inside the delivery's transaction, after the event's notices are made. Listeners (the major/urgent
report, the duplicate signature) run in a savepoint: what one of them writes commits with the
delivery or, if it fails, is rolled back alone. A listener must be idempotent: a delivery that
crashes is redone from the start."""

from django.dispatch import Signal

case_event_committed = Signal()  # kwargs: event
