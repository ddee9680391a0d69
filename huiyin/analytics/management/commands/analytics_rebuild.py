"""`manage.py analytics_rebuild`: recompute every daily roll-up from the source tables."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huiyin.analytics.services import calendar_reset, rollup_rebuild


class Command(BaseCommand):
    help = "Rebuild the analytics roll-ups from the first case (closed months stay frozen)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="first day to recompute (YYYY-MM-DD); default the first case")
        parser.add_argument(
            "--include-closed", action="store_true", help="also recompute closed months (a correction)"
        )
        parser.add_argument(
            "--reset-calendar", action="store_true", help="refill the working-day table (holidays changed)"
        )

    def handle(
        self, *args: Any, since: str | None, include_closed: bool, reset_calendar: bool, **options: Any
    ) -> None:
        try:
            first = date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError("--since 须为 YYYY-MM-DD") from None
        if reset_calendar:
            calendar_reset()
        result = rollup_rebuild(since=first, include_closed=include_closed)
        self.stdout.write(
            f"统计已重建：自 {result['since']} 起写入 {result['facts']} 行日统计，"
            f"{result['backlog_units']} 个单位的积案快照"
        )
