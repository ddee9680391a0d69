"""Reads of cases, always scoped to what the user may see (SPEC §2: scope follows the org tree)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from django.db.models import Exists, OuterRef, Q, QuerySet
from stdnum.cn import ric, uscc

from huiyin.cases import textsearch
from huiyin.cases.choices import Status
from huiyin.cases.confidentiality import accused_chain, identity_hidden_q, may_see_identity
from huiyin.cases.models import Case, CasePetitioner, Petitioner
from huiyin.core import registry
from huiyin.core.errors import NotFound
from huiyin.core.models import AuditEntry
from huiyin.core.parsing import parse_id
from huiyin.org import roles
from huiyin.org.models import User

LIST_FIELDS = ("office", "handling_unit", "category", "territory")


def visible_as_registrar(user: User, case: Case) -> bool:
    """Whether `visible_to(user)` holds `case`, which `user` has just registered — decided in memory.

    `visible_to` lets the registrar in (`registered_by`) and then excludes the accused side and the
    accused person's own account (条例 §30¶3; ADR 0005); this applies the same two exclusions."""
    if case.registered_by_id != user.pk or not user.is_active or not user.unit_id:
        return False
    if case.accused_unit_id is not None and case.accused_unit_id in accused_chain(user.unit_id):
        return False
    return case.accused_user_id != user.pk


def visible_to(user: User) -> QuerySet[Case]:
    """Cases the user may see: their unit's part in a case, or (supervisory roles) their territory's.

    A case is never visible to the accused side — the accused unit, its sub-units, its own petition
    desk — nor to the accused person's own account, whatever the role (条例 §30¶3; ADR 0005,
    `confidentiality.accused_chain`). The accused's superior sees it, without the accuser's identity.
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
    )
    # the modules' own ways in (Module.visibility): 一揽子解决 co-handling units and the organ asked to
    # decide a competence dispute (workflow, 条例 §24), a unit a 督办 order was addressed to (supervision)
    for term in registry.visibility_terms(user):
        scope |= term
    if user.role in roles.OVERSEE:
        path = unit.territory.path
        scope |= Q(office__territory__path__startswith=path) | Q(
            handling_unit__territory__path__startswith=path
        )
    hidden = accused_chain(unit.pk)  # every accused unit this unit is on the accused side of
    return qs.filter(scope).exclude(accused_unit_id__in=hidden).exclude(accused_user_id=user.pk)


def access_case(user: User, ref: int | str, *, ip: str | None = None, audit: bool = True) -> Case:
    """The case by id or code if the user may see it; the same NotFound for 'missing' and 'not yours'.

    A refused look at a case that exists is written to the audit log (条例 §46(五), regulations CF-2:
    access audit reports); the answer stays the same as for a missing case.
    """
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
        if audit:
            audit_refused_access(user, lookup, ip=ip)
        raise NotFound("没有找到该信访事项")
    return case


def audit_refused_access(user: User, lookup: Q, *, ip: str | None = None) -> None:
    """Record that `user` asked for an existing case outside their scope (kind access_denied)."""
    if not user.is_authenticated:
        return
    case_id = Case.objects.filter(lookup).values_list("pk", flat=True).first()
    if case_id is not None:
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.ACCESS_DENIED,
            actor=user,
            case_id=case_id,
            ip_address=ip,
            detail={"refused": "case_access"},
        )


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


def queues() -> dict[str, tuple[str, Any]]:
    """The workbench's queues, name -> (label, select(user)), as the modules declare them
    (`core.registry.Module.queues`): the office's own two here, the clocks' in workflow, 督办's in
    supervision."""
    return {name: (q.label, q.select) for name, q in registry.work_queues().items()}


# The shapes a staff search can take (issue 15): each but free text goes straight to one exact,
# indexed lookup — Case.code (unique), Petitioner.phone / CasePetitioner.phone, Petitioner.id_number
# (all db_index; ID numbers are stored in the clear, validated by stdnum at intake) — intersected
# with `visible_to`, so a routed search never reaches a case the user may not see.
CODE_RE = re.compile(r"^HY\d{6}[0-9A-Z]{6}$")  # cases.services.new_case_code: HY + yymmdd + 6
MOBILE_RE = re.compile(r"^1\d{10}$")
RIC_SHAPE_RE = re.compile(r"^\d{17}[\dX]$")  # GB 11643, checksum or not: digits are never words

SearchShape = Literal["code", "phone", "id_number", "text"]


def search_shape(q: str) -> tuple[SearchShape, str]:
    """What a staff search is — a case code, a mobile phone, an ID number (citizen or organisation),
    or free text — and the query in the form its lookup compares."""
    q = q.strip()
    upper = q.upper()
    if CODE_RE.match(upper):
        return "code", upper
    if MOBILE_RE.match(q):
        return "phone", q
    number = ric.compact("".join(q.split())).upper()  # as written on a card: 110105 19491231 002X
    if RIC_SHAPE_RE.match(number):
        return "id_number", number
    if len(number) == 18 and uscc.is_valid(number):  # an organisation's unified social credit code
        return "id_number", uscc.compact(number)
    return "text", q


def search_cases(user: User, q: str) -> QuerySet[Case]:
    """Search by code, phone, ID number (each exact, on its index), or a petitioner's name and words of
    the title and content (free text)."""
    shape, key = search_shape(q)
    qs = case_list(user)
    if not key:
        return qs.none()
    if shape == "code":
        return qs.filter(code=key)
    # 条例 §30¶3: a search by a person's name, phone or ID number never finds an accusation whose
    # accuser the user may not see (it would name the accuser to the accused's superior; ADR 0005)
    shown = ~identity_hidden_q(user)
    if shape == "id_number":
        links = CasePetitioner.objects.filter(petitioner__id_number=key)
        return qs.filter(shown, pk__in=links.values("case_id"))
    if shape == "phone":
        # the phone on record, or the one the case's own submission carried (issue 9); the people's
        # ids first, so the links are read from two indexes (no OR across a join)
        people = list(Petitioner.objects.filter(phone=key).values_list("pk", flat=True)[:PEOPLE_LIMIT])
        links = CasePetitioner.objects.filter(Q(petitioner_id__in=people) | Q(phone=key))
        return qs.filter(shown, pk__in=links.values("case_id"))
    by_words = Q(title__icontains=key) | Q(content__icontains=key)
    by_name = Q(petitioner__name=key) | Q(petitioner__phone=key) | Q(phone=key)  # a landline, typed whole
    if textsearch.indexable(key):
        words = Case.objects.filter(textsearch.HasPairsOf(key), by_words).order_by().values("pk")
        if words[:COMMON_WORD_CASES].count() < COMMON_WORD_CASES:
            # a rare word: two indexed reads, each inside the scope — the cases holding every character
            # pair of the query (`textsearch`: PostgreSQL's GIN index, SQLite's FTS5 table; LIKE then
            # checks the pairs are the words), and the cases of the people so named. The OR below
            # would walk the whole table backwards on registered_at for a word few cases hold (108 s
            # at 1M cases; ADR 0010).
            named = Case.objects.filter(
                shown, pk__in=CasePetitioner.objects.filter(by_name).values("case_id")
            )
            return qs.filter(pk__in=words.union(named.order_by().values("pk")))
        # a common word (问题, 物业): the newest cases hold it soon enough that walking the list's own
        # order finds a page sooner than reading and sorting all its cases
    by_person = Exists(CasePetitioner.objects.filter(by_name, case_id=OuterRef("pk"))) & shown
    return qs.filter(by_words | by_person)


# A word held by this many cases or more is searched in the list's order, not from the index (ADR 0010)
COMMON_WORD_CASES = 1000
PEOPLE_LIMIT = 1000  # people sharing one phone number: far more than any real household or office


def petitioner_history(
    user: User, petitioners: list[Petitioner], exclude_case_id: int | None = None
) -> QuerySet[Case]:
    """Earlier cases of the same people that the user may see (shown to the clerk at intake)."""
    ids = [p.pk for p in petitioners]
    qs = case_list(user).filter(parties__petitioner_id__in=ids).distinct()
    return qs.exclude(pk=exclude_case_id) if exclude_case_id else qs


LookupKind = str  # "id_number" | "phone" | "name" | "" (not a complete query: nothing is searched)


def lookup_kind(q: str) -> LookupKind:
    """What a look-up box query is: a whole ID number, a whole phone number, or a name.

    Only whole numbers are searched (the match is exact), so typing an ID number digit by digit
    neither searches nor writes an audit row until it is complete.
    """
    q = q.strip().upper()
    if len(q) in (15, 18) and q[:-1].isascii() and q[:-1].isdigit() and (q[-1].isdigit() or q[-1] == "X"):
        return "id_number"
    if q.isascii() and q.isdigit():
        return "phone" if 7 <= len(q) <= 12 else ""
    if len(q) == 18 and q.isascii() and q.isalnum():
        return "id_number"  # a unified social credit code (organisations)
    return "name" if len(q) >= 2 else ""


def petitioners_in_scope(user: User) -> QuerySet[Petitioner]:
    """People who are a party to a case the user may see (`visible_to`): the intake look-up never
    reaches beyond the user's own office and territory (issue 9, hole 3), nor to the accuser of a case
    whose identity the user may not see (ADR 0005: the accused unit's superior, a barred namesake)."""
    cases = visible_to(user).exclude(identity_hidden_q(user)).values("pk")
    return Petitioner.objects.filter(
        Exists(CasePetitioner.objects.filter(petitioner_id=OuterRef("pk"), case_id__in=cases))
    )


def find_petitioners(user: User, q: str, limit: int = 10) -> list[Petitioner]:
    """Look a person up at the window by whole ID number, phone or exact name, within the user's scope.

    A phone matches the one on record or the one a visible case's submission carried.
    """
    q = q.strip()
    kind = lookup_kind(q)
    if not kind:
        return []
    scoped = petitioners_in_scope(user)
    if kind == "id_number":
        match = Q(id_number=q.upper())
    elif kind == "phone":
        carried = CasePetitioner.objects.filter(phone=q, case_id__in=visible_to(user).values("pk")).values(
            "petitioner_id"
        )
        match = Q(phone=q) | Q(pk__in=carried)
    else:
        match = Q(name=q)
    return list(scoped.filter(match).order_by("name", "pk")[:limit])


def petitioner_for_reveal(user: User, pk: int) -> Petitioner:
    """The petitioner if the user's look-up may find them; the same NotFound for missing and out of scope."""
    person = petitioners_in_scope(user).filter(pk=pk).first()
    if person is None:
        raise NotFound("没有找到该信访人")
    return person


def case_parties_masked(user: User, case: Case) -> list[CasePetitioner]:
    """The petitioners of a case the user already may see, for the masked display (no audit row).

    The case page shows names with the ID number and phone masked (Petitioner.masked_id/masked_phone);
    only unmasking goes through `case_parties_with_audit`, so the log names who actually looked.
    Nobody is listed to a user who may not see the accuser's identity (ADR 0005, 条例 §30¶3).
    """
    if not may_see_identity(user, case):
        return []
    return list(case.parties.select_related("petitioner"))


def case_parties_with_audit(
    user: User, case: Case, *, ip: str | None = None, echoed: frozenset[int] = frozenset()
) -> list[CasePetitioner]:
    """The petitioners' identities on a case; every look is written to the audit log (SPEC §1.3).

    Nobody is shown to a user who may not see the accuser's identity (`may_see_identity`: the
    accused side, the accused person, the accused's superior unless it decides; 条例 §30¶3).

    `echoed`: petitioner ids whose every shown field (name, kind, ID number, phone, address) is what
    the caller itself submitted in this request — the intake's 201 echoing the registrar's own input,
    which reveals nothing stored (docs/audit.md). Any other petitioner shown is audited as always (a
    matched ID number whose record holds another name, a phone or address filled from the record)."""
    if not may_see_identity(user, case):
        return []
    parties = list(
        case.parties.all()
        if "parties" in getattr(case, "_prefetched_objects_cache", {})
        else case.parties.select_related("petitioner")
    )
    looked = [p.petitioner_id for p in parties if p.petitioner_id not in echoed]
    if looked:
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.IDENTITY_VIEW,
            actor=user,
            case=case,
            ip_address=ip,
            detail={"petitioners": looked},
        )
    return parties


def skipped_level_visits(user: User, *, since: date | None = None, until: date | None = None) -> int:
    """JU-3 (条例 §20¶1, ¶4): how many visits in the user's scope were made above the competent level,
    for the statistics of 属地责任 (where people could not raise it locally). A count only, never a
    list of people: the flag guides the petitioner, it is not a mark against them (JU-4; SPEC §1)."""
    qs = visible_to(user).filter(skipped_levels=True)
    if since is not None:
        qs = qs.filter(registered_at__date__gte=since)
    if until is not None:
        qs = qs.filter(registered_at__date__lte=until)
    return qs.count()
