"""Where a case should go: the responsibility matrix read against the case's place and subject
(属地管理、分级负责，谁主管、谁负责), and the confidentiality guard of 条例 §30¶3."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from huiyin.cases.choices import PetitionType
from huiyin.cases.confidentiality import accused_side_units, on_accused_side
from huiyin.cases.models import Case, Category
from huiyin.core import registry
from huiyin.core.errors import ValidationFailed
from huiyin.core.models import AuditEntry
from huiyin.org.choices import UnitKind
from huiyin.org.models import ResponsibilityRule, Territory, Unit, User

MSG_ACCUSED = (
    "检举控告事项不得交由被反映单位、其下级单位或其信访部门办理或查看（《信访工作条例》第三十条第三款）"
)
MSG_ACCUSED_UNKNOWN = (
    "检举控告事项须先由信访部门核定被反映单位（或确认其不属于本系统单位），方可转送、交办或移交"
    "（《信访工作条例》第三十条第三款）"
)
ROUTING_OUT = ("forward", "assign", "transfer")


logger = logging.getLogger(__name__)


@dataclass
class Suggestion:
    """A unit to route to, with the reasoning a dispatcher can check at a glance."""

    unit: Unit
    rule: ResponsibilityRule
    territory: Territory
    reasons: list[str] = field(default_factory=list)


def blocked_units(case: Case) -> set[int]:
    """Units that may never handle, see or hear of this case: the accused side (ADR 0005; 条例 §30¶3,
    §46(五)) — the accused unit, its sub-units and its own petition desk."""
    return accused_side_units(case)


def accused_unknown(case: Case) -> bool:
    """An accusation whose accused unit the office has not yet set (nor found to be outside the
    system): it stays in the petition office (ADR 0005)."""
    return (
        case.petition_type == PetitionType.ACCUSATION
        and not case.accused_unit_id
        and not case.accused_unit_none
    )


def guard_accused_known(case: Case, actor: User | None) -> None:
    """Refuse to route an accusation out of the petition office before its accused unit is set."""
    if accused_unknown(case):
        raise ValidationFailed(MSG_ACCUSED_UNKNOWN, extra={"fields": {"accused_unit": MSG_ACCUSED_UNKNOWN}})


def guard_routing(case: Case, unit: Unit, actor: User | None) -> None:
    """Refuse, and audit, any attempt to hand an accusation to the accused side (ADR 0005)."""
    guard_accused_known(case, actor)
    if on_accused_side(unit.pk, case.accused_unit_id):
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.ACCESS_DENIED,
            actor=actor,
            case=case,
            detail={"refused": "route_to_accused", "unit": unit.pk, "unit_name": unit.name},
        )
        raise ValidationFailed(MSG_ACCUSED, extra={"fields": {"unit": MSG_ACCUSED}})


def _category_chain(category: Category | None) -> list[int | None]:
    chain: list[int | None] = []
    node = category
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    return [*chain, None]


def _ancestor_at(territory: Territory, level: int) -> Territory:
    """The ancestor of `territory` at `level`, or the territory itself when it is above that level."""
    for node in reversed(territory.ancestors()):
        if node.level <= level:
            return node
    return territory


def _guessed_category(case: Case) -> Category | None:
    """The subject a module guesses for a case registered without one (the assist's category model,
    declared as the aid "category_guess"): the routing suggestion then follows that subject instead of
    the catch-all rule (issue 10 item 11: 县人民政府 proposed against the assist's 人社局)."""
    guess = registry.aid("category_guess")
    if guess is None:
        return None
    try:
        found = guess(case)
    except Exception:  # a suggestion aid must never break the case page
        logger.exception("category guess failed for case %s", case.pk)
        return None
    return found if isinstance(found, Category) else None


def suggest_unit(case: Case) -> Suggestion | None:
    """The competent unit for the case by the most specific matching rule, skipping blocked units.
    A case registered without a subject is routed by the subject a module guesses for it, said so."""
    place = case.territory or case.office.territory
    ancestors = place.ancestors()
    depth = {t.pk: i for i, t in enumerate(ancestors)}
    category = case.category
    guessed = category is None and (category := _guessed_category(case)) is not None
    categories = _category_chain(category)
    rank = {pk: i for i, pk in enumerate(categories)}
    rules = ResponsibilityRule.objects.filter(category_id__in=[c for c in categories if c is not None]) | (
        ResponsibilityRule.objects.filter(category__isnull=True)
    )
    candidates = [
        r
        for r in rules.select_related("category", "territory")
        if r.territory_id is None or r.territory_id in depth
    ]
    # most specific place first (a local override beats the general rule), then the narrowest subject
    candidates.sort(
        key=lambda r: (-(depth[r.territory_id] + 1) if r.territory_id else 0, rank[r.category_id])
    )
    blocked = blocked_units(case)
    skipped: list[str] = []
    for rule in candidates:
        where = _ancestor_at(place, rule.level)
        unit = (
            Unit.objects.filter(territory=where, kind=rule.unit_kind, is_active=True).order_by("code").first()
        )
        if unit is None:
            skipped.append(f"{where.name}没有{rule.get_unit_kind_display()}单位")
            continue
        if unit.pk in blocked:
            skipped.append(f"{unit.name}属被反映单位一方（本身、下级或其信访部门），不得承办")
            continue
        reasons = [
            f"问题属地：{place.name}",
            f"问题分类：{category.full_name}（登记时未选，按智能辅助推荐，请核对）"
            if guessed and category is not None
            else f"问题分类：{category.full_name if category else '未分类'}",
            f"适用规则：{rule}" + (f"（{rule.territory.name}例外规则）" if rule.territory else ""),
            *([f"依据：{rule.note}"] if rule.note else []),
            *skipped,
        ]
        return Suggestion(unit=unit, rule=rule, territory=where, reasons=reasons)
    return None


MSG_NO_DECIDER = (
    "争议单位没有共同的上一级机关，且所在辖区未设信访工作联席会议，无法报请决定（《信访工作条例》第二十四条）"
)


def _superiors(unit: Unit) -> list[Unit]:
    """The chain of organs above `unit` (its parent, the parent's parent, …), nearest first."""
    chain: list[Unit] = []
    node = unit.parent
    while node is not None and node not in chain:
        chain.append(node)
        node = node.parent
    return chain


def dispute_decider(case: Case, units: list[Unit]) -> Unit:
    """Who decides a competence dispute (条例 §24): the nearest common superior of the units; where they
    have none (or it may not see the case, 条例 §30¶3), the 联席会议 of the narrowest territory they share."""
    blocked = blocked_units(case)
    chains = [_superiors(u) for u in units]
    common = [u for u in chains[0] if all(u in chain for chain in chains[1:])]
    for unit in common:
        if unit.pk not in blocked and unit.is_active:
            return unit
    paths = [u.territory.path for u in units]
    shared = min(paths, key=len)
    while shared and not all(p.startswith(shared) for p in paths):
        shared = shared.rstrip("/").rsplit("/", 1)[0] + "/"
    territories = sorted(
        Territory.objects.filter(path__in=_prefixes(shared)), key=lambda t: len(t.path), reverse=True
    )
    for territory in territories:
        conference = (
            Unit.objects.filter(territory=territory, kind=UnitKind.JOINT_CONFERENCE, is_active=True)
            .exclude(pk__in=blocked)
            .order_by("code")
            .first()
        )
        if conference is not None:
            return conference
    raise ValidationFailed(MSG_NO_DECIDER, extra={"fields": {"units": MSG_NO_DECIDER}})


def _prefixes(path: str) -> list[str]:
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
