"""Background jobs of the smart assist (queue with `huiyin worker` or enqueue by hand)."""

from __future__ import annotations

from django_tasks import task


@task()
def backfill_signatures_task(batch: int = 1000) -> dict[str, int]:
    """Store the duplicate signatures of cases that have none (e.g. imported, or missed on commit)."""
    from huiyin.assist.services import signatures_backfill

    return signatures_backfill(batch=batch)


@task()
def refresh_hot_issues_task(user_id: int, window_days: int, since_days: int) -> dict[str, int]:
    """Compute and store the hot issues the page of `user_id` shows (issue 10 item 11)."""
    from huiyin.assist.services import hot_issues_refresh

    return hot_issues_refresh(user_id=user_id, window_days=window_days, since_days=since_days)
