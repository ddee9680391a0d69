"""Reads for 督办 and the leader inbox, always scoped through `cases.selectors.visible_to`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from huiyin.cases.choices import OPEN_STATUSES, Channel
from huiyin.cases.models import Case
from huiyin.cases.selectors import case_list, visible_to
from huiyin.org import roles
from huiyin.org.choices import Role, TerritoryLevel
from huiyin.org.models import Territory, Unit, User
from huiyin.supervision.choices import CandidateState, OrderState
from huiyin.supervision.models import SupervisionCandidate, SupervisionOrder
from huiyin.workflow.choices import DisputeState


def candidates_for(
    user: User,
    *,
    reason: str = "",
    unit: Unit | None = None,
    territory: Territory | None = None,
    registered_before: datetime | None = None,
) -> QuerySet[SupervisionCandidate]:
    """Open 督办 candidates of the cases the user may see (a supervisor: the territory's), narrowed by
    why they were found, the responsible unit, the place of the matter (its territory and everything
    below) and the case's age."""
    if user.role != Role.SUPERVISOR:
        return SupervisionCandidate.objects.none()
    qs = SupervisionCandidate.objects.filter(state=CandidateState.OPEN, case__in=visible_to(user))
    if reason:
        qs = qs.filter(reason=reason)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if territory is not None:
        qs = qs.filter(case__territory__path__startswith=territory.path)
    if registered_before is not None:
        qs = qs.filter(case__registered_at__lt=registered_before)
    return qs.select_related("case", "unit").order_by("-found_at", "-id")


def filter_territories(user: User) -> QuerySet[Territory]:
    """Places a supervisor may narrow the candidates to: the unit's territory and below, down to
    townships (villages would make the list unusable; a township includes its villages)."""
    if not user.unit_id:
        return Territory.objects.none()
    assert user.unit is not None
    return Territory.objects.filter(
        path__startswith=user.unit.territory.path, level__lte=TerritoryLevel.TOWNSHIP
    ).order_by("path")


def candidate_units(user: User) -> QuerySet[Unit]:
    """The unit filter's choices: the units of the supervisor's territory with an open candidate. Read
    from the open candidates' units alone, not through each one's case and the scope (that walked every
    open candidate: 1.7 s at 10M cases, issue 15); a unit listed whose open candidates are all on cases
    the user may not see filters the list to nothing — a name from the territory's units, never a case."""
    if user.role != Role.SUPERVISOR:
        return Unit.objects.none()
    open_units = SupervisionCandidate.objects.filter(state=CandidateState.OPEN).values("unit_id")
    return units_of_record(user).filter(pk__in=open_units).order_by("name")


def orders_for(user: User) -> QuerySet[SupervisionOrder]:
    """督办单: a supervisor or leader sees those of the territory's cases; others those addressed to their
    unit."""
    qs = SupervisionOrder.objects.select_related("case", "unit", "issued_by").order_by("-issued_at", "-id")
    if user.role in roles.OVERSEE:
        return qs.filter(case__in=visible_to(user))
    if not user.unit_id:
        return qs.none()
    return qs.filter(unit_id=user.unit_id, case__in=visible_to(user))


def units_of_record(user: User) -> QuerySet[Unit]:
    """Units whose 督办 record the user may read: their own; overseers also the units of their territory."""
    if not user.unit_id:
        return Unit.objects.none()
    assert user.unit is not None
    if user.role in roles.OVERSEE:
        return Unit.objects.filter(
            Q(pk=user.unit_id) | Q(territory__path__startswith=user.unit.territory.path)
        )
    return Unit.objects.filter(pk=user.unit_id)


def unit_record(unit: Unit) -> QuerySet[SupervisionOrder]:
    """The unit's 督办 record: every order addressed to it, newest first (SPEC §3.3: part of the unit's record)."""
    return (
        SupervisionOrder.objects.filter(unit=unit)
        .select_related("case", "issued_by", "answered_by")
        .order_by("-issued_at", "-id")
    )


def case_orders(case: Case) -> list[SupervisionOrder]:
    return list(
        SupervisionOrder.objects.filter(case=case)
        .select_related("unit", "issued_by", "answered_by")
        .order_by("issued_at", "id")
    )


def leader_inbox(user: User) -> dict[str, QuerySet[Case]]:
    """The leader inbox: 包案 cases, cases awaiting a decision by the leader's unit, and open letters to
    the leader mailbox in the leader's territory (条例 §18¶2: 阅办群众来信)."""
    if user.role != Role.LEADER or user.unit is None:
        none = Case.objects.none()
        return {"owned": none, "awaiting": none, "mailbox": none}
    path = user.unit.territory.path
    return {
        "owned": case_list(user).filter(leader=user, status__in=(*OPEN_STATUSES, "replied")),
        "awaiting": case_list(user).filter(
            disputes__decider_id=user.unit_id, disputes__state=DisputeState.OPEN
        ),
        "mailbox": case_list(user).filter(
            channel=Channel.MAILBOX, status__in=OPEN_STATUSES, office__territory__path__startswith=path
        ),
    }


def inbox_counts(inbox: dict[str, QuerySet[Case]]) -> dict[str, Any]:
    return {name: qs.count() for name, qs in inbox.items()}


def visibility(user: User) -> Q:
    """A unit a 督办 order was addressed to sees the case (an escalation reaches the unit above the
    handler; 条例 §40); `cases.selectors.visible_to` ORs this into its scope."""
    uid = user.unit_id or 0  # visible_to asks only for a user with a unit
    return Q(Exists(SupervisionOrder.objects.filter(case_id=OuterRef("pk"), unit_id=uid)))


def queue_supervised(user: User) -> QuerySet[Case]:
    """督办: cases with an open 督办 order addressed to the user's unit (条例 §40)."""
    if not user.unit_id:
        return Case.objects.none()
    orders = SupervisionOrder.objects.filter(
        case_id=OuterRef("pk"), unit_id=user.unit_id, state=OrderState.OPEN
    )
    return case_list(user).filter(Exists(orders))
