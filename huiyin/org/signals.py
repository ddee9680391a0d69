from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from huiyin.org.models import RuleProfile, RuleValue, Unit
from huiyin.org.selectors import forget_rules, forget_units, unit_graph


@receiver([post_save, post_delete], sender=RuleValue)
@receiver([post_save, post_delete], sender=RuleProfile)
def _rules_changed(**_: Any) -> None:
    forget_rules()


@receiver([post_save, post_delete], sender=Unit)
def _units_changed(**_: Any) -> None:
    # The accused-side rule reads the tree from the cache (ADR 0005): drop it, read it again at once
    # (so the first list after a change costs no extra query), and drop it once more at commit so that
    # no tree read inside the transaction outlives it.
    forget_units()
    unit_graph()
    transaction.on_commit(forget_units)
