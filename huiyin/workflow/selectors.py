"""Reads of a case's joint handling and competence disputes, for the case page and the API."""

from __future__ import annotations

from typing import Any

from huiyin.cases.models import Case
from huiyin.workflow.models import CoHandling, CompetenceDispute


def case_extras(case: Case) -> dict[str, Any]:
    """Co-handling tasks (一揽子解决) and competence disputes (条例 §24) of the case."""
    return {
        "co_tasks": list(CoHandling.objects.filter(case=case).select_related("unit", "reported_by")),
        "disputes": list(
            CompetenceDispute.objects.filter(case=case)
            .select_related("decider", "decided_unit")
            .prefetch_related("units")
        ),
    }
