"""Background jobs of supervision: the 督办 sweep (candidates, escalation of unanswered orders,
major/urgent reports), queued by `huiyin worker` right after the clock sweep (declared in
SupervisionConfig.ready(), order 20 after the clocks' 10), so it sees the clocks' new colours."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep_supervision_task() -> dict[str, int]:
    """Find 督办 candidates, escalate unanswered orders, report major/urgent matters; return the counts.
    Incremental: a full pass on the day's first run, then only the cases with new events."""
    from huiyin.supervision.services import sweep_supervision

    return sweep_supervision(incremental=True)
