"""Audit rows about petitioners' identity: a staff search that looks for a person (by ID number, phone or
name) is recorded with what it matched (SPEC §1.3; CF-1/CF-2, 条例 §30¶3, §46(五))."""

from __future__ import annotations

from django.http import HttpRequest

from huiyin.cases.models import Petitioner
from huiyin.core import net
from huiyin.core.audit import ID_NUMBER_RE, PHONE_RE, mask
from huiyin.core.models import AuditEntry


def identity_search(q: str) -> tuple[str, list[int]] | None:
    """(what the query looks like, matched petitioner ids) when `q` searches for a person, else None."""
    q = q.strip()
    if not q:
        return None
    if ID_NUMBER_RE.match(q):
        kind, people = "id_number", Petitioner.objects.filter(id_number=q.upper())
    elif PHONE_RE.match(q) and sum(c.isdigit() for c in q) >= 7:
        kind, people = "phone", Petitioner.objects.filter(phone=q)
    else:
        people = Petitioner.objects.filter(name=q)
        ids = list(people.values_list("pk", flat=True)[:50])
        return ("name", ids) if ids else None  # free words are not a search for a person
    return kind, list(people.values_list("pk", flat=True)[:50])


def audit_identity_search(request: HttpRequest, q: str, *, where: str) -> AuditEntry | None:
    """One `search` row when a staff search looks for a person (ID number, phone or a petitioner's name)."""
    found = identity_search(q)
    if found is None:
        return None
    kind, petitioners = found
    shown = q.strip() if kind == "name" else mask(q.strip())
    return AuditEntry.objects.create(
        kind=AuditEntry.Kind.SEARCH,
        actor=request.user,  # type: ignore[misc]  # views that audit are for signed-in staff only
        ip_address=net.audit_ip(request),
        detail={"where": where, "query_kind": kind, "query": shown, "petitioners": petitioners},
    )
