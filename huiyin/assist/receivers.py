"""Store a registered case's duplicate signature as soon as its registration commits.

Nothing here may raise into the workflow (the case is already committed); a case missed here is
picked up by `huiyin assist backfill` or the worker's backfill task.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from huiyin.notify.signals import case_event_committed

log = logging.getLogger(__name__)


@receiver(case_event_committed, dispatch_uid="huiyin.assist.on_register")
def on_case_event(sender: Any, event: Any, **kwargs: Any) -> None:
    if event.event_type != "register":
        return
    from huiyin.assist.services import case_signature_store

    try:
        case_signature_store(case=event.case)
    except Exception:
        log.exception("could not store the duplicate signature of case %s", event.case_id)
