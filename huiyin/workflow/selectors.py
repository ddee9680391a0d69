"""Reads of a case's joint handling and competence disputes, for the case page and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from huiyin.cases.models import Case
from huiyin.cases.selectors import case_list
from huiyin.org.models import User
from huiyin.workflow.choices import LIVE_STATES, ClockKind, ClockState, CoTaskState, ExtensionState
from huiyin.workflow.models import Clock, CoHandling, CompetenceDispute, ExtensionRequest


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


# --- who takes part in a case through the workflow's records (Module.visibility) ---------------


def visibility(user: User) -> Q:
    """一揽子解决 co-handling units and the organ asked to decide a competence dispute see the case
    (条例 §24); `cases.selectors.visible_to` ORs this into its scope."""
    uid = user.unit_id or 0  # visible_to asks only for a user with a unit
    return Q(Exists(CoHandling.objects.filter(case_id=OuterRef("pk"), unit_id=uid))) | Q(
        Exists(CompetenceDispute.objects.filter(case_id=OuterRef("pk"), decider_id=uid))
    )


# --- the clocks' workbench queues (Module.queues) ----------------------------------------------


def _with_clock_state(user: User, states: tuple[str, ...]) -> QuerySet[Case]:
    if not user.unit_id:
        return Case.objects.none()
    # An uncorrelated IN-subquery driven by the (unit, state, due) index: its plan does not depend on the
    # planner having statistics (a correlated EXISTS took seconds on an un-ANALYZEd SQLite at 10k cases).
    clocks = Clock.objects.filter(unit_id=user.unit_id, state__in=states).values("case_id")
    return case_list(user).filter(pk__in=clocks)


def queue_due_soon(user: User) -> QuerySet[Case]:
    """临期: a clock of the user's unit is yellow."""
    return _with_clock_state(user, (ClockState.YELLOW,))


def queue_overdue(user: User) -> QuerySet[Case]:
    """超期: a clock of the user's unit is red."""
    return _with_clock_state(user, (ClockState.RED,))


def queue_co_handling(user: User) -> QuerySet[Case]:
    """协办: cases where the user's unit is a co-handling unit that has not reported yet."""
    if not user.unit_id:
        return Case.objects.none()
    tasks = CoHandling.objects.filter(case_id=OuterRef("pk"), unit_id=user.unit_id, state=CoTaskState.OPEN)
    return case_list(user).filter(Exists(tasks))


def queue_to_accept(user: User) -> QuerySet[Case]:
    """待受理告知: matters forwarded or assigned to the user's unit that it has not yet accepted (条例 §23¶3)."""
    if not user.unit_id:
        return Case.objects.none()
    clocks = Clock.objects.filter(
        unit_id=user.unit_id, kind=ClockKind.UNIT_ACCEPTANCE, state__in=LIVE_STATES
    ).values("case_id")
    return case_list(user).filter(pk__in=clocks)


def queue_extension_requests(user: User) -> QuerySet[Case]:
    """待审批延期: a handler of the user's unit asked for an extension the head has not decided (§34)."""
    if not user.unit_id:
        return Case.objects.none()
    pending = ExtensionRequest.objects.filter(
        case_id=OuterRef("pk"), unit_id=user.unit_id, state=ExtensionState.PENDING
    )
    return case_list(user).filter(Exists(pending))
