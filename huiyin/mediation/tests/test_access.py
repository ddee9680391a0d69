"""The mediation's own sweep of its record routes (access rule RECORD, huiyin/core/access.py): for each,
one who may see the record opens it, and staff of another village get the same 404 as for a missing
record, on GET and on POST. A new record route without a row here fails the first test."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.core import access
from huiyin.mediation import services
from huiyin.mediation.choices import AgreementForm
from huiyin.mediation.models import ScreeningRound
from huiyin.mediation.tests.conftest import add_session, people_mediation
from huiyin.mediation.transitions import State
from huiyin.org.choices import TerritoryLevel, UnitKind
from huiyin.org.models import Territory, Unit, User

TODAY = date(2025, 12, 10)

# route name -> (which record its pk is, an action for routes that take one)
RECORD_ROUTES = {
    "mediation_item": ("item", None),
    "mediation_item_act": ("item", "note"),
    "mediation_round": ("round", None),
    "mediation_detail": ("mediation", None),
    "mediation_dispute": ("mediation", None),
    "mediation_agreement_docx": ("mediation", None),
    "mediation_agreement_print": ("mediation", None),
    "mediation_act": ("mediation", "session"),
}


def test_every_record_route_of_the_mediation_is_swept():
    import huiyin.mediation.urls  # noqa: F401  (declares the rules)

    declared = {
        n for n, rule in access.declared().items() if rule == access.RECORD and n.startswith("mediation_")
    }
    assert declared == set(RECORD_ROUTES)


@pytest.fixture
def records(world, clock, org):
    clock.set(TODAY)
    item = services.item_report(actor=world.grid_worker, territory=world.grid, kind="land", summary="x",
                                parties="甲、乙", risk="ordinary")  # fmt: skip
    m = people_mediation(world, state=State.IN_PROGRESS)
    add_session(m, world.mediator)
    services.agreement_sign(mediation=m, actor=world.mediator, form=AgreementForm.ORAL, facts="", obligations="各让三尺",
                            performance_terms="", signed_on=TODAY, follow_up_on=TODAY)  # fmt: skip
    rnd = services.round_open(township=org.township, period=TODAY, actor=world.township_handler)
    # outsiders: 杨家村's committee (same township: the round is theirs too) and 西城镇's
    west = Territory.objects.create(
        code="430121200", name="西城镇", level=TerritoryLevel.TOWNSHIP, parent=org.county
    )
    west_village = Territory.objects.create(
        code="430121200201", name="西村", level=TerritoryLevel.VILLAGE, parent=west
    )
    west_committee = Unit.objects.create(code="W-CW", name="西村民委员会", kind=UnitKind.VILLAGE_COMMITTEE,
                                         territory=west_village)  # fmt: skip
    far = User.objects.create_user(username="med_west", password="x", unit=west_committee, role="mediator")
    return {"item": item.pk, "mediation": m.pk, "round": rnd.pk, "far": far}


def _url(name: str, records) -> str:
    kind, action = RECORD_ROUTES[name]
    return reverse(name, args=[records[kind], action] if action else [records[kind]])


@pytest.mark.parametrize("name", sorted(RECORD_ROUTES))
def test_a_record_route_opens_for_its_organ_and_is_missing_for_another_village(name, records, client, world):
    url = _url(name, records)
    # another township's committee never; 杨家村's (same township) shares only the township's round
    outsiders = [records["far"]] + ([] if name == "mediation_round" else [world.other_mediator])
    for outsider in outsiders:
        client.force_login(outsider)
        got = (client.get(url).status_code, client.post(url).status_code)
        assert set(got) <= {404, 405} and 404 in got, (outsider.username, got)
    # 柳林村's mediator (her committee mediates, her village reported the item; the round is her township's)
    client.force_login(world.mediator)
    got = client.get(url).status_code
    if got == 405:  # an action: the record is found and the bad input refused, never a 404 or a 500
        assert client.post(url).status_code in (302, 400, 409)
    else:
        assert got == 200
    assert ScreeningRound.objects.count() == 1
