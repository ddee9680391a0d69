"""Background jobs of the workflow: the clock sweeper, queued every minute by `huiyin worker` (declared
in WorkflowConfig.ready(); the 督办 sweep of the supervision app is queued right after it)."""

from __future__ import annotations

from django_tasks import task

from huiyin.workflow.clocks import sweep_clocks


@task()
def sweep_clocks_task() -> dict[str, int]:
    """Flip clocks that crossed their warning or due date (yellow, red, expired); return the counts."""
    return sweep_clocks()
