"""Listen to committed case events and queue the petitioner's messages and the staff's work notices
(STYLE: notifications are queued on commit). Nothing here may raise into the workflow: the case is
already committed."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from huiyin.notify import services, staff
from huiyin.workflow.signals import case_event_committed

log = logging.getLogger(__name__)


@receiver(case_event_committed, dispatch_uid="huiyin.notify.on_case_event")
def on_case_event(sender: Any, event: Any, **kwargs: Any) -> None:
    try:
        made = services.notifications_for_event(event)
    except Exception:
        log.exception("could not prepare notifications for event %s", getattr(event, "pk", None))
        return
    services.enqueue_delivery(made)


@receiver(case_event_committed, dispatch_uid="huiyin.notify.on_case_event_staff")
def on_case_event_staff(sender: Any, event: Any, **kwargs: Any) -> None:
    try:
        _, made = staff.notices_for_event(event)
    except Exception:
        log.exception("could not prepare staff notices for event %s", getattr(event, "pk", None))
        return
    services.enqueue_delivery(made)
