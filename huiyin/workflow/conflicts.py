"""Conflict of interest (条例 §28¶3): is this staff member linked to the petitioners or the accused?

A link to a petitioner is a warning, not a verdict: the person must recuse or record why they still act
(the choice is an event on the case, so it is part of the record).

A link to the accused is a bar, not a warning (条例 §30¶3, §28¶3; ADR 0005): the accused person's own
account (`Case.accused_user`) never sees or touches the case, and nobody can lift that; a staff member
of a unit working on the case who bears the accused person's name takes no part in it until a
supervisor of another unit has checked that they are someone else and cleared it
(`clear_conflict_bar`). Nobody clears or acknowledges their own bar."""

from __future__ import annotations

import re
from dataclasses import dataclass

from huiyin.cases.models import Case, CaseEvent, Petitioner
from huiyin.org.models import User
from huiyin.workflow.choices import CoTaskState
from huiyin.workflow.models import CoHandling, DeclaredRelation

MSG_CONFLICT = "您与本事项存在利害关系（{links}），须先回避或记录不回避的理由后方可办理（《信访工作条例》第二十八条第三款）"
MSG_RECUSED = "您已对本事项回避，不能再办理"
MSG_BARRED_ACCUSED = "您是本件检举控告的被反映人，不得查看或办理本事项（《信访工作条例》第三十条第三款）"
MSG_BARRED_NAME = (
    "您与被反映人同名（{name}），须由其他单位的督查人员核实解除后方可办理本事项"
    "（《信访工作条例》第二十八条第三款、第三十条第三款）"
)
EVENT_CLEARED = "clear_conflict_bar"


@dataclass(frozen=True)
class Bar:
    """Why an account may take no part in a case: it is the accused's, or bears the accused's name."""

    kind: str  # "accused_account" (never lifted) or "same_name" (lifted by another unit's supervisor)
    message: str

    @property
    def clearable(self) -> bool:
        return self.kind == "same_name"


_NAME_SEPARATORS = re.compile(r"[，,、;；/\s]+")


def accused_names(case: Case) -> set[str]:
    """The names written as the accused person ("王某、李某" → {"王某", "李某"})."""
    return {n for n in _NAME_SEPARATORS.split(case.accused_person or "") if n}


def working_units(case: Case) -> set[int]:
    """The units working on the case now: handling, 复查, 复核 and open co-handling units."""
    units = {u for u in (case.handling_unit_id, case.review_unit_id, case.rereview_unit_id) if u}
    units |= set(
        CoHandling.objects.filter(case=case, state=CoTaskState.OPEN).values_list("unit_id", flat=True)
    )
    return units


def bar_cleared(case: Case, user: User, name: str) -> bool:
    """Has a supervisor of another unit cleared `user`'s same-name bar for this accused name?"""
    return CaseEvent.objects.filter(
        case=case, event_type=EVENT_CLEARED, data__staff=user.pk, data__name=name
    ).exists()


def conflict_bar(case: Case, user: User) -> Bar | None:
    """The bar on `user` for `case`, if any (ADR 0005): the accused person's own account, or a
    member of a working unit with the accused person's name whose bar nobody of another unit cleared."""
    if case.accused_user_id is not None and case.accused_user_id == user.pk:
        return Bar("accused_account", MSG_BARRED_ACCUSED)
    name = (user.full_name or "").strip()
    namesake = name and name in accused_names(case) and user.unit_id in working_units(case)
    if namesake and not bar_cleared(case, user, name):
        return Bar("same_name", MSG_BARRED_NAME.format(name=name))
    return None


def clearable_bars(case: Case) -> list[User]:
    """Staff of the working units barred by the accused person's name (not yet cleared)."""
    names = accused_names(case)
    units = working_units(case)
    if not names or not units:
        return []
    people = User.objects.filter(unit_id__in=units, full_name__in=names, is_active=True).select_related(
        "unit"
    )
    return [u for u in people.order_by("pk") if not bar_cleared(case, u, u.full_name.strip())]


def interest_links(case: Case, user: User) -> list[str]:
    """What links `user` to a petitioner of the case: same phone or ID number, or a declared relation.
    Names of petitioners are shown; numbers never are. (A link to the accused is a bar: `conflict_bar`.)"""
    links: list[str] = []
    people = list(Petitioner.objects.filter(parties__case=case).only("id", "name", "phone", "id_number"))
    phone = (user.phone or "").strip()
    id_number = (user.id_number or "").strip().upper()
    for p in people:
        if phone and p.phone == phone:
            links.append(f"与信访人{p.name}的联系电话相同")
        if id_number and p.id_number.upper() == id_number:
            links.append(f"与信访人{p.name}的身份证号相同")
    if people:
        for rel in DeclaredRelation.objects.filter(user=user, petitioner__in=people).select_related(
            "petitioner"
        ):
            links.append(f"已申报与信访人{rel.petitioner.name}的关系：{rel.relation}")
    return links


def conflict_resolved(case: Case, user: User) -> tuple[bool, bool]:
    """(recused, reason recorded) for `user` on `case`, read from the case's events."""
    kinds = set(
        CaseEvent.objects.filter(
            case=case, actor=user, event_type__in=("recuse", "acknowledge_conflict")
        ).values_list("event_type", flat=True)
    )
    return "recuse" in kinds, "acknowledge_conflict" in kinds
