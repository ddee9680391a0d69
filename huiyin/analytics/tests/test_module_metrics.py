"""A module declares its figures in its `Module` and every output picks them up; a figure may count
records that have no case (a screening item, a commitment), dimensioned by their own territory."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from huiyin.analytics.choices import MetricKind
from huiyin.analytics.registry import (
    Definition,
    Filters,
    Metric,
    all_metrics,
    case_ids,
    compute,
    unregister_metric,
)
from huiyin.analytics.selectors import figures
from huiyin.analytics.services import rollup_days
from huiyin.core import registry as core_registry
from huiyin.org.choices import Role
from huiyin.org.models import User


def _accounts() -> Metric:
    return Metric(
        key="test_accounts_opened",
        label="开通账号数",
        kind=MetricKind.COUNT,
        definition=Definition(
            numerator="—", denominator="—", time_basis="开通日", counts="账号", excludes="无单位账号"
        ),
        rows=lambda: User.objects.filter(unit__isnull=False),
        date_field="date_joined",
        unit_field="unit_id",
        case_path=None,
        territory_path="unit__territory",
        module="test",
    )


@pytest.fixture
def declared(monkeypatch):
    metric = _accounts()
    module = core_registry.Module(name="test_module_metrics", metrics=(metric,))
    monkeypatch.setattr(core_registry, "modules", lambda: [*core_registry._MODULES.values(), module])
    yield metric
    unregister_metric(metric.key)


def _joined(username, unit, day):
    at = timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))
    return User.objects.create(
        username=username, full_name=username, unit=unit, role=Role.HANDLER, date_joined=at
    )


def test_a_metric_declared_by_a_module_is_in_the_registry(declared):
    assert declared in all_metrics()


def test_a_metric_without_cases_is_dimensioned_by_its_own_territory_and_rolls_up_alike(declared, org):
    _joined("a1", org.township_gov, date(2026, 3, 2))
    _joined("a2", org.township_gov, date(2026, 3, 31))
    _joined("a3", org.unit_a, date(2026, 3, 15))
    _joined("a4", org.unit_a, date(2026, 4, 1))  # April: outside the month
    march = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31))
    township = Filters(start=march.start, end=march.end, territory_path=org.township.path)
    assert compute(declared, march).num == 3
    assert compute(declared, township).num == 2  # the two accounts of the township's government
    # a case's dimension selects nothing of records that have no case
    typed = Filters(start=march.start, end=march.end, petition_type="suggestion")
    assert compute(declared, typed).num == 0
    # no cases stand behind such a figure
    assert list(case_ids(declared, march)) == []
    rollup_days(march.start, march.end)
    assert figures(township, [declared])[declared.key].num == 2
    assert figures(march, [declared])[declared.key].num == 3
