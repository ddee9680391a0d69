"""Background work of the dispute ledger, queued by `huiyin worker` (declared in MediationConfig.ready()).

Overdue ledger items are computed when listed (selectors.overdue_items); the monthly screening rounds
are opened here, on the month's first working day (services.rounds_open_monthly; idempotent, so every
tick may run it).
"""

from __future__ import annotations

from django_tasks import task


@task()
def open_monthly_rounds() -> dict[str, int]:
    """Open this month's screening round for each township that has none yet; return how many."""
    from huiyin.mediation.services import rounds_open_monthly

    return {"rounds_opened": len(rounds_open_monthly())}
