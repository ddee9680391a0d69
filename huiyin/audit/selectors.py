"""Reads of the audit log for the audit screen, scoped like the cases (SPEC §2: scope follows the org tree).

A supervisor sees the rows about their territory: rows on a case registered or handled in it, and rows
of actors whose unit lies in it. An administrator sees every row. Nobody else sees the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from huiyin.core.models import AuditEntry
from huiyin.org import roles
from huiyin.org.choices import Role
from huiyin.org.models import User


def may_read_audit(user: User) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.role in roles.READ_AUDIT)
    )


def audit_visible_to(user: User) -> QuerySet[AuditEntry]:
    """The audit rows `user` may read (none for anyone but supervisors and administrators)."""
    qs = AuditEntry.objects.all()
    if not may_read_audit(user):
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if not user.unit_id:
        return qs.none()
    path = user.unit.territory.path  # type: ignore[union-attr]
    return qs.filter(
        Q(case__office__territory__path__startswith=path)
        | Q(case__handling_unit__territory__path__startswith=path)
        | Q(actor__unit__territory__path__startswith=path)
    )


@dataclass(frozen=True)
class AuditFilters:
    """The screen's filters: who (the actor), whose (a case), when (local dates), kind."""

    actor: str = ""  # a username or a full name, exact
    case_ids: tuple[int, ...] | None = None  # resolved from "whose"; None = any
    date_from: date | None = None
    date_to: date | None = None
    kind: str = ""


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(user: User, f: AuditFilters) -> QuerySet[AuditEntry]:
    """The visible rows matching the filters, newest first (id order; ids grow with time)."""
    qs = audit_visible_to(user)
    if f.actor:
        qs = qs.filter(Q(actor__username=f.actor) | Q(actor__full_name=f.actor))
    if f.case_ids is not None:
        qs = qs.filter(case_id__in=f.case_ids)
    if f.date_from is not None:
        qs = qs.filter(created_at__gte=_start_of(f.date_from))
    if f.date_to is not None:
        qs = qs.filter(created_at__lt=_start_of(f.date_to + timedelta(days=1)))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    return qs.select_related("actor", "actor__unit", "case").order_by("-id")


def cases_of_whose(whose: str) -> tuple[int, ...]:
    """'Whose': a case code, or a petitioner's ID number or phone → the ids of those cases."""
    from huiyin.cases.models import Case, CasePetitioner

    whose = whose.strip()
    by_code = Case.objects.filter(code=whose.upper()).values_list("pk", flat=True)
    people = CasePetitioner.objects.filter(
        Q(petitioner__id_number=whose.upper()) | Q(petitioner__phone=whose)
    ).values_list("case_id", flat=True)
    return tuple(sorted(set(by_code) | set(people[:1000])))
