"""Background jobs of the smart assist (queue with `huiyin worker` or enqueue by hand)."""

from __future__ import annotations

from django_tasks import task


@task()
def backfill_signatures_task(batch: int = 1000) -> dict[str, int]:
    """Store the duplicate signatures of cases that have none (e.g. imported, or missed on commit)."""
    from huiyin.assist.services import signatures_backfill

    return signatures_backfill(batch=batch)
