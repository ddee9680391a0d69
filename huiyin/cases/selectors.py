"""Reads of cases, always scoped to what the user may see (SPEC §2: scope follows the org tree)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from huiyin.cases.choices import Status
from huiyin.cases.models import Case, CasePetitioner, Petitioner
from huiyin.core.errors import NotFound
from huiyin.core.models import AuditEntry
from huiyin.core.parsing import parse_id
from huiyin.org.choices import Role
from huiyin.org.models import User
from huiyin.supervision.choices import OrderState
from huiyin.supervision.models import SupervisionOrder
from huiyin.workflow.choices import ClockState, CoTaskState
from huiyin.workflow.models import Clock, CoHandling, CompetenceDispute

SUPERVISORY_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
LIST_FIELDS = ("office", "handling_unit", "category", "territory")


def visible_to(user: User) -> QuerySet[Case]:
    """Cases the user may see: their unit's part in a case, or (supervisory roles) their territory's.

    An accusation is never visible to the accused unit (条例 §30¶3), whatever the role.
    """
    qs = Case.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser and not user.unit_id:
        return qs
    if not user.unit_id:
        return qs.none()
    unit = user.unit
    assert unit is not None
    scope = (
        Q(office_id=unit.pk)
        | Q(handling_unit_id=unit.pk)
        | Q(review_unit_id=unit.pk)
        | Q(rereview_unit_id=unit.pk)
        | Q(registered_by_id=user.pk)
        | Q(leader_id=user.pk)
        # 一揽子解决 co-handling units and the organ asked to decide a competence dispute (条例 §24)
        | Q(Exists(CoHandling.objects.filter(case_id=OuterRef("pk"), unit_id=unit.pk)))
        | Q(Exists(CompetenceDispute.objects.filter(case_id=OuterRef("pk"), decider_id=unit.pk)))
        # a unit a 督办 order was addressed to (an escalation reaches the unit above the handler)
        | Q(Exists(SupervisionOrder.objects.filter(case_id=OuterRef("pk"), unit_id=unit.pk)))
    )
    if user.role in SUPERVISORY_ROLES:
        path = unit.territory.path
        scope |= Q(office__territory__path__startswith=path) | Q(
            handling_unit__territory__path__startswith=path
        )
    return qs.filter(scope).exclude(accused_unit_id=unit.pk)


def access_case(user: User, ref: int | str) -> Case:
    """The case by id or code if the user may see it; the same NotFound for 'missing' and 'not yours'."""
    # parse_id, not isdigit(): '²' is a digit to Python and a crash to int() (issue 9)
    pk = parse_id(ref)
    lookup = Q(pk=pk) if pk is not None else Q(code=str(ref).upper()[:40])
    case = (
        visible_to(user)
        .filter(lookup)
        .select_related(*LIST_FIELDS, "accused_unit", "review_unit", "rereview_unit", "merged_into")
        .first()
    )
    if case is None:
        raise NotFound("没有找到该信访事项")
    return case


def case_list(user: User) -> QuerySet[Case]:
    return visible_to(user).select_related(*LIST_FIELDS)


def queue_to_route(user: User) -> QuerySet[Case]:
    """待分办: registered or accepted cases of the user's petition office."""
    return case_list(user).filter(office_id=user.unit_id, status__in=(Status.REGISTERED, Status.ACCEPTED))


def queue_my_unit(user: User) -> QuerySet[Case]:
    """本单位在办: cases the unit must handle, review or re-review now."""
    uid = user.unit_id
    return case_list(user).filter(
        Q(handling_unit_id=uid, status=Status.IN_HANDLING)
        | Q(review_unit_id=uid, status=Status.UNDER_REVIEW)
        | Q(rereview_unit_id=uid, status=Status.UNDER_REREVIEW)
        | Q(office_id=uid, status__in=(Status.REPLIED, Status.REVIEW_REPLIED))
    )


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


def queue_supervised(user: User) -> QuerySet[Case]:
    """督办: cases with an open 督办 order addressed to the user's unit (条例 §40)."""
    if not user.unit_id:
        return Case.objects.none()
    orders = SupervisionOrder.objects.filter(
        case_id=OuterRef("pk"), unit_id=user.unit_id, state=OrderState.OPEN
    )
    return case_list(user).filter(Exists(orders))


QUEUES = {
    "to_route": ("待分办", queue_to_route),
    "my_unit": ("本单位在办", queue_my_unit),
    "due_soon": ("临期（黄灯）", queue_due_soon),
    "overdue": ("超期（红灯）", queue_overdue),
    "co_handling": ("协办", queue_co_handling),
    "supervised": ("督办", queue_supervised),
}


def search_cases(user: User, q: str) -> QuerySet[Case]:
    """Search by code, petitioner name (or phone / ID number) and text."""
    q = q.strip()
    qs = case_list(user)
    if not q:
        return qs.none()
    people = CasePetitioner.objects.filter(case_id=OuterRef("pk")).filter(
        Q(petitioner__name=q) | Q(petitioner__phone=q) | Q(petitioner__id_number=q.upper())
    )
    return qs.filter(Q(code=q.upper()) | Q(title__icontains=q) | Q(content__icontains=q) | Exists(people))


def petitioner_history(
    user: User, petitioners: list[Petitioner], exclude_case_id: int | None = None
) -> QuerySet[Case]:
    """Earlier cases of the same people that the user may see (shown to the clerk at intake)."""
    ids = [p.pk for p in petitioners]
    qs = case_list(user).filter(parties__petitioner_id__in=ids).distinct()
    return qs.exclude(pk=exclude_case_id) if exclude_case_id else qs


def find_petitioners(q: str, limit: int = 10) -> list[Petitioner]:
    """Look a person up at the window by ID number, phone or exact name."""
    q = q.strip()
    if not q:
        return []
    return list(Petitioner.objects.filter(Q(id_number=q.upper()) | Q(phone=q) | Q(name=q))[:limit])


def case_parties_with_audit(user: User, case: Case, *, ip: str | None = None) -> list[CasePetitioner]:
    """The petitioners' identities on a case; every look is written to the audit log (SPEC §1.3)."""
    parties = list(case.parties.select_related("petitioner"))
    if parties:
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.IDENTITY_VIEW,
            actor=user,
            case=case,
            ip_address=ip,
            detail={"petitioners": [p.petitioner_id for p in parties]},
        )
    return parties
