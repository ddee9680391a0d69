"""The accused side of an accusation: one rule for routing, visibility and identity (ADR 0005).

条例 §30¶3: accusation materials and the accuser's identity are never disclosed or forwarded to the
accused persons or units; §46(五): doing so is an accountability ground. The rule, written once:

* **The accused side** of an accused unit A is A itself, every unit whose parent chain reaches A (its
  sub-units: a township's village committees, a government's departments), and A's own petition desk
  (the petition office of A's territory when A is that territory's government or party committee:
  党委和政府信访部门). The accused side never sees the case, never handles it, is never told of it.
  `on_accused_side(unit, accused_unit)` is the rule; everything else below is derived from it.
* **The accused's superior** (A's parent) may see the case — it supervises A — but never the
  accuser's identity, unless it is one of the organs that hold the case for a decision: the office
  that registered it and routes it, the handling unit, the 复查 or 复核 organ (`deciding_units`).
* **The accused person**, when the office links the accusation to a staff account, is barred from
  the case for good (`accused_user`); a staff member of a unit working on the case who bears the
  accused person's name is barred until a supervisor of another unit clears it (workflow.conflicts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from huiyin.core import registry
from huiyin.org.choices import UnitKind
from huiyin.org.selectors import UnitNode, unit_graph

if TYPE_CHECKING:
    from huiyin.cases.models import Case
    from huiyin.org.models import Unit, User

# The leading organs of a territory whose petition desk is that territory's 信访部门 (条例 §14).
DESK_OWNERS = frozenset({UnitKind.GOVERNMENT, UnitKind.PARTY_COMMITTEE})

MSG_IDENTITY_WITHHELD = (
    "本件为检举控告，您所在单位是被反映单位的上级机关，信访人身份不予显示（《信访工作条例》第三十条第三款）"
)


def accused_chain(unit_id: int | None, graph: dict[int, UnitNode] | None = None) -> frozenset[int]:
    """The accused units `unit_id` is on the accused side of: itself, every unit above it, and — for a
    petition office — the government and party committee of its territory and every unit above them."""
    if unit_id is None:
        return frozenset()
    graph = unit_graph() if graph is None else graph
    start = graph.get(unit_id)
    if start is None:
        return frozenset({unit_id})
    todo = [start]
    if start.kind == UnitKind.PETITION_OFFICE:
        # its own desk: the office is the 信访部门 of its territory's party committee and government
        todo += [n for n in graph.values() if n.territory_id == start.territory_id and n.kind in DESK_OWNERS]
    chain: set[int] = set()
    while todo:
        node: UnitNode | None = todo.pop()
        while node is not None and node.pk not in chain:
            chain.add(node.pk)
            node = graph.get(node.parent_id) if node.parent_id else None
    return frozenset(chain)


def on_accused_side(unit_id: int | None, accused_unit_id: int | None) -> bool:
    """THE rule (ADR 0005): is `unit_id` the accused unit, one of its sub-units, or its own desk?"""
    return accused_unit_id is not None and unit_id is not None and accused_unit_id in accused_chain(unit_id)


def accused_side_units(case: Case) -> set[int]:
    """Every unit on the accused side of `case` (empty when no accused unit is set)."""
    if not case.accused_unit_id:
        return set()
    graph = unit_graph()
    return {pk for pk in graph if case.accused_unit_id in accused_chain(pk, graph)}


def accused_superior(case: Case) -> int | None:
    """The accused unit's direct superior: it may see the case, but not the accuser (ADR 0005)."""
    if not case.accused_unit_id:
        return None
    node = unit_graph().get(case.accused_unit_id)
    return node.parent_id if node is not None else None


def deciding_units(case: Case) -> set[int]:
    """The organs that hold the case for a decision and so need the accuser's identity: the office
    that routes it, the handling unit, the 复查 and 复核 organs."""
    return {
        pk for pk in (case.office_id, case.handling_unit_id, case.review_unit_id, case.rereview_unit_id) if pk
    }


def may_see_identity(user: User, case: Case) -> bool:
    """May `user` see who the petitioners are on `case`? Never the accused side or the accused person;
    the accused's superior only as a deciding organ (条例 §30¶3, §46(五))."""
    if user.is_superuser and not user.unit_id:
        return True
    if registry.identity_barred(case, user):
        # the accused person's account, or a namesake in a working unit not yet cleared (workflow's
        # conflict rules, declared as its Module.identity_bar)
        return False
    if not case.accused_unit_id:
        return True
    if on_accused_side(user.unit_id, case.accused_unit_id):
        return False
    if user.unit_id is not None and user.unit_id == accused_superior(case):
        return user.unit_id in deciding_units(case)
    return True


def identity_hidden_q(user: User) -> Q:
    """The cases (among those `user` may see) whose petitioners `user` may not see — the same rule as
    `may_see_identity`, as a query for searches by name, phone or ID number."""
    hidden = Q(accused_user_id=user.pk)
    if user.unit_id:
        uid = user.unit_id
        hidden |= (
            Q(accused_unit__parent_id=uid)
            & ~Q(office_id=uid)
            & ~Q(handling_unit_id=uid)
            & ~Q(review_unit_id=uid)
            & ~Q(rereview_unit_id=uid)
        )
    return hidden


def office_above(office: Unit, accused_unit_id: int | None) -> Unit | None:
    """The petition office that must hold an accusation against `accused_unit_id` registered at
    `office`: the office itself when it is not on the accused side, otherwise the nearest active
    petition office in a territory above it that is not (None when there is none)."""
    from huiyin.org.models import Unit

    if not on_accused_side(office.pk, accused_unit_id):
        return office
    graph = unit_graph()
    for territory in reversed(office.territory.ancestors()):
        if territory.pk == office.territory_id:
            continue
        for candidate in Unit.objects.filter(
            territory=territory, kind=UnitKind.PETITION_OFFICE, is_active=True
        ).order_by("code"):
            if accused_unit_id not in accused_chain(candidate.pk, graph):
                return candidate
    return None
