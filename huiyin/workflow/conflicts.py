"""Conflict of interest (条例 §28¶3): is this staff member linked to the petitioners or the accused?

A link is a warning, not a verdict: the person must recuse or record why they still act (the choice is
an event on the case, so it is part of the record)."""

from __future__ import annotations

import re

from huiyin.cases.models import Case, CaseEvent, Petitioner
from huiyin.org.models import User
from huiyin.workflow.models import DeclaredRelation

MSG_CONFLICT = "您与本事项存在利害关系（{links}），须先回避或记录不回避的理由后方可办理（《信访工作条例》第二十八条第三款）"
MSG_RECUSED = "您已对本事项回避，不能再办理"

_NAME_SEPARATORS = re.compile(r"[，,、;；/\s]+")


def interest_links(case: Case, user: User) -> list[str]:
    """What links `user` to the case: same name as the accused person, same phone or ID number as a
    petitioner, or a declared relation. Names of petitioners are shown; numbers never are."""
    links: list[str] = []
    name = (user.full_name or "").strip()
    accused = {n for n in _NAME_SEPARATORS.split(case.accused_person or "") if n}
    if name and name in accused:
        links.append(f"与被反映人同名：{name}")
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
