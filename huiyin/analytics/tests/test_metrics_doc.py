"""docs/metrics.md is rendered from the registry: the file and the code cannot drift apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q

from huiyin.analytics.choices import MetricKind
from huiyin.analytics.registry import (
    Definition,
    Metric,
    MetricConflict,
    all_metrics,
    register_metric,
    render_markdown,
    unregister_metric,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"


def test_docs_metrics_md_is_what_the_registry_renders():
    assert DOC.read_text(encoding="utf-8") == render_markdown(all_metrics()), (
        "docs/metrics.md is stale: run `python manage.py metrics_doc`"
    )


def test_every_metric_states_numerator_denominator_time_basis_counts_and_exclusions():
    for m in all_metrics():
        d = m.definition
        assert all([d.numerator, d.denominator, d.time_basis, d.counts, d.excludes]), m.key
        assert f"## {m.label}（`{m.key}`）" in DOC.read_text(encoding="utf-8")


def _throwaway(key: str = "mediation_success", module: str = "mediation") -> Metric:
    from huiyin.cases.models import CaseEvent

    return Metric(
        key=key,
        label="调解成功率",
        kind=MetricKind.RATE,
        rows=lambda: CaseEvent.objects.filter(event_type__in=("mediate", "reply")),
        date_field="created_at",
        unit_field="actor_unit_id",
        hit=Q(event_type="mediate"),
        module=module,
        definition=Definition("调解和解件数", "答复件数", "答复之日", "每次答复", "无"),
    )


def test_a_module_registers_its_metric_and_the_doc_check_then_fails_until_regenerated(tmp_path):
    metric = register_metric(_throwaway())
    try:
        assert "调解成功率（`mediation_success`）" in render_markdown(all_metrics())
        with pytest.raises(CommandError):
            call_command("metrics_doc", "--check")
        out = tmp_path / "metrics.md"
        call_command("metrics_doc", output=str(out))
        call_command("metrics_doc", "--check", output=str(out))
        assert "| 调解成功率 | `mediation_success` | 比率（%） | mediation |" in out.read_text(
            encoding="utf-8"
        )
    finally:
        unregister_metric(metric.key)


def test_two_modules_cannot_register_one_key():
    with pytest.raises(MetricConflict):
        register_metric(_throwaway("satisfaction_rate"))


def test_a_rate_without_a_numerator_is_refused():
    bad = Metric(**{**_throwaway().__dict__, "key": "bad_rate", "hit": None})
    with pytest.raises(ValueError):
        register_metric(bad)
