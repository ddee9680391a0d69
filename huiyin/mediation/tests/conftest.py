"""The mediation world: 柳林村 (a village of 东城镇) with its committee, a grid worker and a mediator; the
township's handler; a county department that mediates administratively (unit A, 住建局)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from huiyin.mediation import services
from huiyin.mediation.choices import Consent, MediationKind, PartySide
from huiyin.mediation.models import Mediation, MediationParty, Session
from huiyin.org.choices import TerritoryLevel, UnitKind
from huiyin.org.models import Territory, Unit, User


def _user(username: str, name: str, unit: Unit, role: str) -> User:
    return User.objects.create_user(
        username=username, password="pw-" + username, full_name=name, unit=unit, role=role
    )


@dataclass
class World:
    village: Territory
    grid: Territory
    other_village: Territory
    committee: Unit
    other_committee: Unit
    grid_worker: User
    mediator: User
    other_mediator: User
    township_handler: User
    township_head: User
    department_handler: User


@pytest.fixture
def world(org, handler_wang_unit_a) -> World:
    return make_world(org, handler_wang_unit_a)


def make_world(org, handler_wang_unit_a) -> World:  # type: ignore[no-untyped-def]
    grid = Territory.objects.create(
        code="430121100201W01", name="柳林村第1网格", level=TerritoryLevel.GRID, parent=org.village
    )
    other = Territory.objects.create(
        code="430121100202", name="杨家村", level=TerritoryLevel.VILLAGE, parent=org.township
    )
    committee = Unit.objects.create(code="V-CW", name="柳林村民委员会", kind=UnitKind.VILLAGE_COMMITTEE,
                                    territory=org.village, parent=org.township_gov)  # fmt: skip
    other_committee = Unit.objects.create(code="V2-CW", name="杨家村民委员会", kind=UnitKind.VILLAGE_COMMITTEE,
                                          territory=other, parent=org.township_gov)  # fmt: skip
    return World(
        village=org.village,
        grid=grid,
        other_village=other,
        committee=committee,
        other_committee=other_committee,
        grid_worker=_user("grid_he", "何网格", committee, "grid_worker"),
        mediator=_user("med_zheng", "郑调解", committee, "mediator"),
        other_mediator=_user("med_yang", "杨调解", other_committee, "mediator"),
        township_handler=_user("town_lu", "陆镇干", org.township_gov, "handler"),
        township_head=_user("town_head", "镇长", org.township_gov, "unit_head"),
        department_handler=handler_wang_unit_a,
    )


def people_mediation(world: World, *, consent: str = Consent.GIVEN, state: str | None = None) -> Mediation:
    """A 人民调解 at 柳林村 between 张三 and 李四, both consenting (unless told otherwise)."""
    m = services.mediation_open(
        actor=world.mediator,
        kind=MediationKind.PEOPLE,
        organ=world.committee,
        territory=world.village,
        dispute_kind="neighbour",
        summary="宅基地滴水檐之争",
        parties=[services.PartyIn("张三"), services.PartyIn("李四", PartySide.RESPONDENT)],
        mediators=[world.mediator],
    )
    MediationParty.objects.filter(mediation=m).update(consent=consent)
    if state is not None:
        Mediation.objects.filter(pk=m.pk).update(state=state)
        m.refresh_from_db()
    return m


def add_session(m: Mediation, actor: User, day: date = date(2025, 12, 1)) -> Session:
    return Session.objects.create(mediation=m, held_on=day, place="村部", attendees="张三、李四", record="各自陈述",
                                  recorded_by=actor, recorded_at=m.opened_at)  # fmt: skip
