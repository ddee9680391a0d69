from __future__ import annotations

from datetime import date

import pytest

from huiyin.org.choices import UnitKind
from huiyin.org.models import Unit, User
from huiyin.reception import services
from huiyin.reception.choices import Level
from huiyin.reception.models import ReceptionLeader, Session


def leader(username: str, name: str, unit: Unit, level: str, title: str, **extra: object) -> User:
    user = User.objects.create_user(
        username=username, password="pw-" + username, full_name=name, unit=unit, role="leader"
    )
    ReceptionLeader.objects.create(
        user=user, level=level, title=title, portfolio=extra.pop("portfolio", "城乡建设"), **extra
    )  # type: ignore[arg-type]
    return user


@pytest.fixture
def township_office(org):
    """东城镇信访办: the township's own petition office (its matters are registered there)."""
    return Unit.objects.create(
        code="T-XF",
        name="东城镇信访办",
        kind=UnitKind.PETITION_OFFICE,
        territory=org.township,
        parent=org.township_gov,
    )


@pytest.fixture
def county_leader(org):
    return leader("leader_ma", "马县长", org.county_gov, Level.COUNTY, "县长", portfolio="城乡建设、住房保障")


@pytest.fixture
def county_deputy(org):
    return leader(
        "leader_niu", "牛副县长", org.county_gov, Level.COUNTY, "副县长", portfolio="民政、社会保障"
    )


@pytest.fixture
def township_leader(org, township_office):
    return leader("leader_he", "何镇长", org.township_gov, Level.TOWNSHIP, "镇长", portfolio="全镇信访事项")


@pytest.fixture
def township_dispatcher(org, township_office):
    return User.objects.create_user(
        username="disp_t", password="pw-disp_t", full_name="镇分办", unit=township_office, role="dispatcher"
    )


@pytest.fixture
def sessions(org, county_leader, township_leader, clock):
    """September 2025's generated sessions: the county leader's first (Wed 3 Sep) and the township
    leader's first (Tue 2 Sep)."""
    clock.set(date(2025, 9, 1))
    services.sessions_generate(
        territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 30), actor=None
    )
    return (
        Session.objects.filter(leader=county_leader).order_by("date").first(),
        Session.objects.filter(leader=township_leader).order_by("date").first(),
    )
