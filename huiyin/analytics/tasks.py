"""Background jobs of analytics: the incremental daily roll-ups, queued every tick by `huiyin worker`
(they skip themselves when nothing changed or they ran less than five minutes ago)."""

from __future__ import annotations

from django_tasks import task

from huiyin.analytics.services import rollup_refresh


@task()
def refresh_rollups() -> dict[str, int]:
    """Recompute the open months' daily figures and today's backlog snapshot if events arrived."""
    return {k: v for k, v in rollup_refresh().items() if isinstance(v, int)}


@task()
def generate_documents() -> dict[str, int]:
    """The monthly 通报 of the month just ended and the annual report (条例 §41) of the year just ended,
    for every petition office's territory, once each (stored; later ticks find them and do nothing)."""
    from huiyin.analytics.documents import scheduled_documents

    return scheduled_documents()
