"""Background jobs of the workflow: the clock sweeper, queued every minute by `huiyin worker`; the 督办
sweep (candidates, escalation, major/urgent reports) runs in the same job, after the clocks flip."""

from __future__ import annotations

from django_tasks import task

from huiyin.workflow.clocks import sweep_clocks


@task()
def sweep_clocks_task() -> dict[str, int]:
    """Flip clocks that crossed their warning or due date (yellow, red, expired), then find 督办
    candidates and escalate unanswered orders; return the counts."""
    from huiyin.supervision.services import sweep_supervision

    return {**sweep_clocks(), **sweep_supervision()}
