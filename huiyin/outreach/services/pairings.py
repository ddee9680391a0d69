"""Liaison points and pairings (部门联村联企、领导联点联项、干部联户联人; SPEC §3.6)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from huiyin.core import timeutil
from huiyin.core.errors import PermissionDenied
from huiyin.org.choices import Role, TerritoryLevel
from huiyin.org.models import Territory, Unit, User
from huiyin.outreach.choices import (
    PairingKind,
    PointKind,
)
from huiyin.outreach.models import (
    LiaisonPoint,
    Pairing,
)
from huiyin.outreach.services.common import (
    _fail,
)

MANAGE_PAIRINGS: frozenset[str] = frozenset({Role.LEADER, Role.UNIT_HEAD, Role.SUPERVISOR, Role.ADMIN})


@transaction.atomic
def point_create(*, kind: str, name: str, territory: Territory, actor: User) -> LiaisonPoint:
    if actor.role not in MANAGE_PAIRINGS:
        raise PermissionDenied("您的岗位不能维护联系点")
    if kind not in PointKind.values:
        raise _fail("kind", "请选择有效的联系点类型")
    if not name.strip():
        raise _fail("name", "请填写名称")
    if territory.level < TerritoryLevel.VILLAGE:
        raise _fail("territory", "联系点须落到村（社区）")
    return LiaisonPoint.objects.create(kind=kind, name=name.strip()[:100], territory=territory)


@transaction.atomic
def pairing_create(
    *,
    kind: str,
    point: LiaisonPoint,
    unit: Unit,
    cadre: User | None,
    starts_on: date,
    ends_on: date | None,
    actor: User,
) -> Pairing:
    """部门联村联企、领导联点联项、干部联户联人: a leader or cadre pairing names the person; a department
    pairing may name only the unit. The cadre must belong to the unit."""
    if actor.role not in MANAGE_PAIRINGS:
        raise PermissionDenied("您的岗位不能维护联系结对")
    if kind not in PairingKind.values:
        raise _fail("kind", "请选择有效的联系方式")
    named = (PairingKind.LEADER_POINT, PairingKind.LEADER_PROJECT, PairingKind.CADRE_HOUSEHOLD)
    if kind in named and cadre is None:
        raise _fail("cadre", "领导联点联项、干部联户联人须写明联系人")
    if cadre is not None and cadre.unit_id != unit.pk:
        raise _fail("cadre", "联系人须为该单位的工作人员")
    if ends_on is not None and ends_on < starts_on:
        raise _fail("ends_on", "结束日期不能早于起始日期")
    return Pairing.objects.create(
        kind=kind,
        point=point,
        unit=unit,
        cadre=cadre,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
        created_at=timeutil.now(),
    )
