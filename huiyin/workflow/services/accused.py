"""The accused side (条例 §30¶3, ADR 0005): 核定被反映人 and clearing a namesake's bar."""

from __future__ import annotations

from typing import Any

from huiyin.cases.confidentiality import office_above
from huiyin.cases.models import Case
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.org.models import Unit, User
from huiyin.workflow.actors import MSG_NO_BAR_TO_CLEAR, bars_clearable_by
from huiyin.workflow.choices import LIVE_STATES
from huiyin.workflow.models import Clock
from huiyin.workflow.services.core import Context, _require, _transition
from huiyin.workflow.transitions import (
    Action,
)

# --- the accused side (ADR 0005) -----------------------------------------------------------------

MSG_ACCUSED_UNIT_REQUIRED = "请选择被反映单位，或确认被反映人不属于本系统任何单位"
MSG_ACCUSED_UNIT_CONFLICT = "已选择被反映单位，不能同时确认其不属于本系统单位"
MSG_ACCUSED_USER_UNIT = "被反映人的账号属于{unit}，与所选被反映单位不一致"
MSG_NO_OFFICE_ABOVE = (
    "登记单位属被反映单位一方，且没有可受理本件的上级信访部门（《信访工作条例》第三十条第三款）"
)


def case_set_accused(
    *,
    case: Case,
    actor: User,
    accused_unit: Unit | None,
    accused_person: str = "",
    accused_user: User | None = None,
    no_unit: bool = False,
    reason: str,
) -> Case:
    """核定被反映人: the petition office sets or corrects who an accusation is against, before routing
    (a portal or Open311 accusation names them only in words). If the office itself turns out to be
    on the accused side, the case goes up to the petition office above (条例 §30¶3; ADR 0005)."""
    reason = _require(reason, "请说明核定依据")
    if accused_unit is None and accused_user is not None:
        accused_unit = accused_user.unit
    if accused_unit is None and not no_unit:
        raise ValidationFailed(
            MSG_ACCUSED_UNIT_REQUIRED, extra={"fields": {"accused_unit": MSG_ACCUSED_UNIT_REQUIRED}}
        )
    if accused_unit is not None and no_unit:
        raise ValidationFailed(
            MSG_ACCUSED_UNIT_CONFLICT, extra={"fields": {"no_unit": MSG_ACCUSED_UNIT_CONFLICT}}
        )
    if accused_user is not None and accused_unit is not None and accused_user.unit_id != accused_unit.pk:
        unit_name = accused_user.unit.name if accused_user.unit else "无单位"
        message = MSG_ACCUSED_USER_UNIT.format(unit=unit_name)
        raise ValidationFailed(message, extra={"fields": {"accused_user": message}})
    person = (accused_person or "").strip()[:100]

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        previous = {
            "previous_accused_unit": case.accused_unit_id,
            "previous_accused_person": case.accused_person,
            "previous_accused_user": case.accused_user_id,
        }
        case.accused_unit = accused_unit
        case.accused_unit_none = no_unit
        case.accused_user = accused_user
        if person:
            case.accused_person = person
        data: dict[str, Any] = {
            **previous,
            "accused_unit": accused_unit.pk if accused_unit else None,
            "accused_unit_name": accused_unit.name if accused_unit else "",
            "accused_person": case.accused_person,
            "accused_user": accused_user.pk if accused_user else None,
            "no_unit": no_unit,
        }
        office = case.office
        above = office_above(office, accused_unit.pk) if accused_unit else office
        if above is None:
            raise ValidationFailed(
                MSG_NO_OFFICE_ABOVE, extra={"fields": {"accused_unit": MSG_NO_OFFICE_ABOVE}}
            )
        if above.pk != office.pk:
            # the accused office never holds the case: its clocks run on at the office above
            case.office = above
            Clock.objects.filter(case=case, unit=office, state__in=LIVE_STATES).update(unit=above)
            data |= {"from_office": office.pk, "to_office": above.pk, "to_office_name": above.name}
        return data

    return _transition(case=case, action=Action.SET_ACCUSED, actor=actor, reason=reason, body=body)


def case_clear_conflict_bar(*, case: Case, actor: User, staff: User, reason: str) -> Case:
    """解除同名限制: a supervisor of another unit has checked that a staff member who bears the accused
    person's name is someone else; that member may then work on the case. The accused person's own
    account is never cleared, and nobody clears their own bar (ADR 0005)."""
    reason = _require(reason, "请说明核实情况")

    def body(case: Case, ctx: Context) -> dict[str, Any]:
        if staff.pk not in {u.pk for u in bars_clearable_by(case, actor)}:
            raise PermissionDenied(MSG_NO_BAR_TO_CLEAR, extra={"fields": {"staff": MSG_NO_BAR_TO_CLEAR}})
        return {
            "staff": staff.pk,
            "staff_name": str(staff),
            "staff_unit": staff.unit_id,
            "name": (staff.full_name or "").strip(),
            "notify_users": [staff.pk],
        }

    return _transition(case=case, action=Action.CLEAR_CONFLICT_BAR, actor=actor, reason=reason, body=body)
