"""Background jobs of analytics: the incremental daily roll-ups, queued every tick by `huiyin worker`
(they skip themselves when nothing changed or they ran less than five minutes ago)."""

from __future__ import annotations

from django_tasks import task

from huiyin.analytics.services import rollup_refresh


@task()
def refresh_rollups() -> dict[str, int]:
    """Recompute the open months' daily figures and today's backlog snapshot if events arrived."""
    return {k: v for k, v in rollup_refresh().items() if isinstance(v, int)}
