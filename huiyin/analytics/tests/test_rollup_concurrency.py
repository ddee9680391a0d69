"""Two workers refreshing the roll-ups at once (docs/deploy.md, several workers): each day's facts (and
each month's) are written once, never twice (services.rollup_days takes the roll-up lock)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection

from huiyin.analytics import services
from huiyin.analytics.models import DailyFact, MonthlyFact


def _facts() -> list[tuple[object, ...]]:
    return sorted(
        DailyFact.objects.values_list("day", "metric", "unit_id", "territory_id", "category_id", "num", "den")
    )


def _monthly() -> list[tuple[object, ...]]:
    return sorted(
        MonthlyFact.objects.values_list(
            "month", "metric", "unit_id", "territory_id", "category_id", "num", "den"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_write_each_fact_once(register_case, clock, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    clock.set(date(2025, 11, 10))
    for _ in range(3):
        register_case()
    services.rollup_days(date(2025, 11, 1), date(2025, 11, 10))
    expected = _facts()
    assert expected

    expected_months = _monthly()
    assert expected_months
    insert = services._insert_daily

    def slow_insert(metric, start, end):  # the first writer is still writing when the second one starts
        time.sleep(0.05)  # per metric: about a second in all
        return insert(metric, start, end)

    monkeypatch.setattr(services, "_insert_daily", slow_insert)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            services.rollup_days(date(2025, 11, 1), date(2025, 11, 10))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    threads[0].start()
    time.sleep(0.3)
    threads[1].start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert _facts() == expected
    assert _monthly() == expected_months
