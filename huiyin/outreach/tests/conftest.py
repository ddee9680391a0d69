"""The outreach cast, on top of the suite's org (conftest.py at the root):

东城镇 (township) ── 东城镇信访办 township_office (registers and routes found cases)
  └── 柳林村 (village) ── 柳林村民委员会 village_committee ── grid worker 网格员小马 (registers)
县住建局 unit_a: head 孙局长 (publishes commitments), handler 王承办 (reports progress)
"""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def township_office(org):
    from huiyin.org.models import Unit

    return Unit.objects.create(
        code="T-XF",
        name="东城镇信访办",
        kind="petition_office",
        territory=org.township,
        parent=org.township_gov,
    )


@pytest.fixture
def village_committee(org):
    from huiyin.org.models import Unit

    return Unit.objects.create(
        code="V-CW",
        name="柳林村民委员会",
        kind="village_committee",
        territory=org.village,
        parent=org.township_gov,
    )


@pytest.fixture
def grid_ma(village_committee):
    from huiyin.org.models import User

    return User.objects.create_user(
        username="grid_ma",
        password="pw-grid_ma",
        full_name="马网格",
        unit=village_committee,
        role="grid_worker",
    )


@pytest.fixture
def township_dispatcher(township_office):
    from huiyin.org.models import User

    return User.objects.create_user(
        username="town_disp",
        password="pw-town_disp",
        full_name="镇分办",
        unit=township_office,
        role="dispatcher",
    )


@pytest.fixture
def village_point(org):
    from huiyin.outreach.models import LiaisonPoint

    return LiaisonPoint.objects.create(kind="village", name="柳林村", territory=org.village)


@pytest.fixture
def pairing(village_point, village_committee, grid_ma):
    from django.utils import timezone

    from huiyin.outreach.models import Pairing

    return Pairing.objects.create(
        kind="cadre_household",
        point=village_point,
        unit=village_committee,
        cadre=grid_ma,
        starts_on=date(2025, 1, 1),
        created_at=timezone.now(),
    )


@pytest.fixture
def make_entry(pairing, grid_ma):
    from huiyin.outreach import services

    def make(visited_on=date(2025, 3, 3), problems=("村口道路塌陷无人修",), actor=None, pairing_=None, **kw):
        p = pairing_ or pairing
        entry, _ = services.diary_entry_create(
            data=services.EntryIn(
                point=p.point,
                pairing=p,
                visited_on=visited_on,
                place=kw.pop("place", "柳林村3组"),
                people_met=kw.pop("people_met", "张大爷一家"),
                heard=kw.pop("heard", "反映村口道路塌陷"),
                problems=list(problems),
            ),
            actor=actor or p.cadre or grid_ma,
            **kw,
        )
        return entry

    return make
