"""Raise the major/urgent report as soon as such a case's registration is delivered from the outbox
(条例 §25: 及时报告; ADR 0006)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from huiyin.notify.signals import case_event_committed
from huiyin.supervision.choices import EVENT_MAJOR_URGENT

log = logging.getLogger(__name__)


@receiver(case_event_committed, dispatch_uid="huiyin.supervision.on_register")
def on_case_event(sender: Any, event: Any, **kwargs: Any) -> None:
    if event.event_type != "register" or not event.case.major_urgent:
        return
    from huiyin.supervision.services import report_major_urgent

    if event.case.events.filter(event_type=EVENT_MAJOR_URGENT).exists():
        return
    try:
        with transaction.atomic():  # a failed report is rolled back alone, never the event's notices
            report_major_urgent(case=event.case)
    except Exception:  # the sweeper reports it on its next pass
        log.exception("could not report major/urgent case %s at once", event.case_id)
