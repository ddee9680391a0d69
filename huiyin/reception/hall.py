"""The joint reception hall (一站式接待, seeds/003 §二(一)、(三); 条例 §18¶3, regulations.md LD-2).

The functional departments station officers in the petition office's hall, each at a window on the
days it is staffed. The hall's clerk sends a walk-in to a department's window; the department's
officer registers it there as a petition their unit received directly (条例 §23¶1,
`cases.services.case_register` with the unit as the registering office) and handles it as the
competent organ (`workflow.services.case_direct_handle`): one case record, through the ordinary
workflow, never a parallel hall record. An accusation is never sent to a window (条例 §30¶3: it is
registered by the petition office, which keeps the accuser away from the accused side).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from huiyin.cases.choices import Channel, PetitionType
from huiyin.cases.confidentiality import on_accused_side
from huiyin.cases.models import Case
from huiyin.cases.selectors import visible_to
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core import timeutil
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.intake.services import case_register
from huiyin.org.choices import UnitKind
from huiyin.org.models import Territory, Unit, User
from huiyin.reception import permissions
from huiyin.reception.choices import ReferralAction
from huiyin.reception.models import HallReferral, HallWindow
from huiyin.reception.services import checked_visitor
from huiyin.reception.transitions import REFERRAL_TABLE

MSG_ACCUSATION = "检举控告类事项由信访部门登记，不分流到部门窗口（《信访工作条例》第三十条第三款）"


def _in_office_territory(actor: User, office: Unit) -> bool:
    return actor.unit is not None and office.territory.path.startswith(actor.unit.territory.path)


@transaction.atomic
def window_save(
    *, office: Unit, unit: Unit, number: str, weekdays: str, matters: str, actor: User
) -> HallWindow:
    """Station a department in the hall (or change its window and staffing days)."""
    if not permissions.may(actor, permissions.MANAGE) or not _in_office_territory(actor, office):
        raise PermissionDenied("您的岗位不能设置信访大厅窗口")
    if office.kind != UnitKind.PETITION_OFFICE:
        raise ValidationFailed("信访大厅设在信访部门")
    if (
        not unit.is_active
        or unit.kind in (UnitKind.PETITION_OFFICE, UnitKind.JOINT_CONFERENCE)
        or not unit.territory.path.startswith(office.territory.path)
    ):
        raise ValidationFailed("请选择本辖区的职能部门", extra={"fields": {"unit": "请选择本辖区的职能部门"}})
    number = (number or "").strip()[:10]
    days = "".join(sorted({c for c in (weekdays or "") if c in "01234"}))
    if not number or not days:
        message = "请填写窗口号并至少选择一个坐班日"
        raise ValidationFailed(message, extra={"fields": {"number": message}})
    if HallWindow.objects.filter(office=office, number=number).exclude(unit=unit).exists():
        raise ValidationFailed("该窗口号已有部门入驻", extra={"fields": {"number": "该窗口号已有部门入驻"}})
    window, _created = HallWindow.objects.update_or_create(
        office=office,
        unit=unit,
        defaults={
            "number": number,
            "weekdays": days,
            "matters": (matters or "").strip()[:200],
            "is_active": True,
        },
    )
    return window


def windows_open(office: Unit, day: object) -> list[HallWindow]:
    """The windows of the hall staffed on `day`."""
    return [
        w
        for w in HallWindow.objects.filter(office=office, is_active=True).select_related("unit")
        if w.staffed_on(day)
    ]


@dataclass
class ReferralIn:
    name: str
    phone: str
    title: str
    content: str
    id_number: str = ""
    petition_type: str = PetitionType.COMPLAINT
    territory: Territory | None = None
    case: Case | None = None  # the person's existing case, found by the clerk (visible to them)


def _new_code() -> str:
    return "FL" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8))


@transaction.atomic
def referral_send(
    *, window: HallWindow, data: ReferralIn, actor: User, idempotency_key: str | None = None
) -> HallReferral:
    """The hall's clerk sends a walk-in to a department's window staffed today."""
    if idempotency_key:
        done = HallReferral.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            return done
    if not permissions.may(actor, permissions.SEND) or actor.unit_id != window.office_id:
        raise PermissionDenied("由信访大厅的接待人员分流来访群众")
    if not window.is_active or not window.staffed_on(timeutil.today()):
        raise ValidationFailed(
            "该窗口今天无人坐班，请选择其他窗口", extra={"fields": {"window": "今天无人坐班"}}
        )
    if data.petition_type == PetitionType.ACCUSATION:
        raise ValidationFailed(MSG_ACCUSATION, extra={"fields": {"petition_type": MSG_ACCUSATION}})
    if data.petition_type not in PetitionType.values:
        raise ValidationFailed("请选择反映类型", extra={"fields": {"petition_type": "请选择反映类型"}})
    name, phone, id_number = checked_visitor(data)
    case = data.case
    if case is not None:
        if not visible_to(actor).filter(pk=case.pk).exists():
            raise ValidationFailed(
                "未找到该事项，或您无权查看", extra={"fields": {"case_code": "未找到该事项"}}
            )
        # 条例 §30¶3: never to the window of the accused side
        if case.accused_unit_id and on_accused_side(window.unit_id, case.accused_unit_id):
            raise ValidationFailed(MSG_ACCUSATION, extra={"fields": {"window": MSG_ACCUSATION}})
    try:
        with transaction.atomic():
            return HallReferral.objects.create(
                window=window,
                code=_new_code(),
                name=name[:50],
                phone=phone,
                id_number=id_number,
                petition_type=data.petition_type,
                title=data.title.strip()[:100],
                content=data.content.strip()[:5000],
                territory=data.territory,
                case=case,
                sent_by=actor,
                sent_at=timeutil.now(),
                idempotency_key=idempotency_key or None,
            )
    except IntegrityError:
        done = (
            HallReferral.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        )
        if done is None:
            raise
        return done


def _step(referral: HallReferral, action: str, actor: User) -> str:
    side_ok = actor.unit_id is not None and actor.unit_id == referral.window.unit_id
    return REFERRAL_TABLE.step(referral.status, action, actor.role, side_ok=side_ok)


@transaction.atomic
def referral_take(*, referral: HallReferral, actor: User, guidance: str) -> Case:
    """The department's officer registers the walk-in at the window as a petition their unit received
    directly (条例 §23¶1) and takes it as the competent organ, telling the person the route and
    procedure (case_direct_handle). A walk-in who already has a case of this unit is received on it."""
    referral = HallReferral.objects.select_for_update().select_related("window__unit").get(pk=referral.pk)
    target = _step(referral, ReferralAction.TAKE, actor)
    guidance = (guidance or "").strip()
    if not guidance:
        message = "请填写向来访人告知的受理情况及办理途径和程序"
        raise ValidationFailed(message, extra={"fields": {"guidance": message}})
    from huiyin.workflow import services as wf

    if referral.case_id is not None:
        case = visible_to(actor).filter(pk=referral.case_id).first()
        if case is None:
            raise ValidationFailed("该事项由其他单位办理，请退回大厅分流")
    else:
        case, _created = case_register(
            data=CaseIn(
                channel=Channel.VISIT,
                petition_type=referral.petition_type,
                title=referral.title,
                content=referral.content,
                territory_id=referral.territory_id,
                petitioners=[
                    PetitionerIn(name=referral.name, id_number=referral.id_number, phone=referral.phone)
                ],
            ),
            office=referral.window.unit,
            actor=actor,
            idempotency_key=f"hall:{referral.code}",
        )
        case = wf.case_direct_handle(case=case, actor=actor, guidance=guidance)
    referral.status = target
    referral.case = case
    referral.taken_by = actor
    referral.taken_at = timeutil.now()
    referral.note = guidance[:300]
    referral.save(update_fields=["status", "case", "taken_by", "taken_at", "note"])
    return case


@transaction.atomic
def referral_return(*, referral: HallReferral, actor: User, note: str) -> HallReferral:
    """The window sends the walk-in back to the clerk (not this department's matter), saying why."""
    referral = HallReferral.objects.select_for_update().select_related("window").get(pk=referral.pk)
    target = _step(referral, ReferralAction.RETURN, actor)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请说明退回原因", extra={"fields": {"note": "请说明退回原因"}})
    referral.status = target
    referral.taken_by = actor
    referral.taken_at = timeutil.now()
    referral.note = note[:300]
    referral.save(update_fields=["status", "taken_by", "taken_at", "note"])
    return referral


def referrals_for(user: User) -> list[HallReferral]:
    """What a user sees of the hall's referrals: a window's officer, those sent to their unit's window;
    the hall's staff, those of their office. Nobody else (the walk-in's name stays in the hall)."""
    qs = HallReferral.objects.select_related("window__unit", "case", "sent_by")
    if user.unit_id is None:
        return []
    if user.role in permissions.WINDOW:
        return list(qs.filter(window__unit_id=user.unit_id)[:100])
    if user.role in permissions.SEND | permissions.MANAGE:
        return list(qs.filter(window__office_id=user.unit_id)[:100])
    return []
