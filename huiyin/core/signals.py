from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from huiyin.core.calendar import forget_calendar
from huiyin.core.models import HolidayOverride


@receiver([post_save, post_delete], sender=HolidayOverride)
def _holiday_changed(**_: Any) -> None:
    forget_calendar()
