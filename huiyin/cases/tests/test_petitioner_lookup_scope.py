"""The petitioner look-up at intake (issue 9, hole 3), attacked.

Before the fix any clerk, grid worker or leader of any unit typed a phone or a name and got every
petitioner's full ID number, phone and address in the fill button's attribute. Now the look-up finds
only people who are a party to a case the user may see (`visible_to`), shows them masked, writes an
audit row for every search, and unmasks one person only through an audited reveal (SPEC §1.3,
条例 §30¶3 and §46(五): identity is need-to-know; every view of it is audited).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from huiyin.cases import selectors
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core.models import AuditEntry
from huiyin.intake.services import case_register
from huiyin.org.choices import TerritoryLevel, UnitKind
from huiyin.org.models import Territory, Unit, User

ID = "11010519491231002X"
PHONE = "13800001234"
ADDRESS = "东城镇柳林村3组5号"


@pytest.fixture
def known(register_case):
    """刘群众's case, registered at the county petition office by clerk_li."""
    return register_case(
        petitioners=[PetitionerIn(name="刘群众", id_number=ID, phone=PHONE, address=ADDRESS)]
    )


@pytest.fixture
def neighbour(org):
    """邻县: another county of the same city, with its own petition office and township."""
    county = Territory.objects.create(
        code="430122", name="邻县", level=TerritoryLevel.COUNTY, parent=org.city
    )
    town = Territory.objects.create(
        code="430122100", name="西河镇", level=TerritoryLevel.TOWNSHIP, parent=county
    )
    office = Unit.objects.create(
        code="N-XF", name="邻县信访局", kind=UnitKind.PETITION_OFFICE, territory=county
    )
    township = Unit.objects.create(
        code="N-T", name="西河镇人民政府", kind=UnitKind.GOVERNMENT, territory=town
    )
    return {"office": office, "township": township}


def _user(username: str, unit: Unit, role: str) -> User:
    return User.objects.create_user(
        username=username, password="pw", full_name=username, unit=unit, role=role
    )


def lookup(client, user, q: str):
    client.force_login(user)
    return client.get(reverse("petitioner_lookup"), {"lookup": q}, HTTP_HX_REQUEST="true")


def test_the_clerk_of_the_office_finds_the_person_masked_and_the_search_is_audited(client, known, clerk_li):
    response = lookup(client, clerk_li, PHONE)
    html = response.content
    # the person and their earlier case are found …
    assert "刘群众".encode() in html and known.code.encode() in html
    # … masked: not one full ID number, phone or address in the bytes
    assert b"1101**********002X" in html and b"138****1234" in html
    for full in (ID, PHONE, ADDRESS):
        assert full.encode() not in html
    # and the search left exactly one audit row saying by what and whom it found
    rows = AuditEntry.objects.filter(kind="identity_search", actor=clerk_li)
    assert rows.count() == 1
    assert rows.get().detail == {
        "by": "phone",
        "query": "138****1234",
        "petitioners": [known.parties.get().petitioner_id],
    }


@pytest.mark.parametrize("q", [ID, PHONE, "刘群众"])
def test_a_clerk_of_another_countys_office_finds_nobody(client, known, neighbour, q):
    stranger = _user("clerk_far", neighbour["office"], "clerk")
    html = lookup(client, stranger, q).content
    assert b"lookup-none" in html and "刘群众".encode() not in html and ID.encode() not in html
    # the attempt is still on record: searching by someone's ID number or phone is audited
    assert AuditEntry.objects.get(kind="identity_search", actor=stranger).detail["petitioners"] == []


def test_a_clerk_of_the_city_office_above_finds_nobody_from_the_county_desk(client, known, org):
    city_clerk = _user("clerk_city", org.city_office, "clerk")
    assert b"lookup-none" in lookup(client, city_clerk, ID).content


def test_a_grid_worker_of_another_territory_finds_nobody(client, known, neighbour):
    grid = _user("grid_far", neighbour["township"], "grid_worker")
    assert b"lookup-none" in lookup(client, grid, PHONE).content


def test_a_leader_of_another_county_finds_nobody(client, known, neighbour):
    leader = _user("leader_far", neighbour["office"], "leader")
    assert b"lookup-none" in lookup(client, leader, "刘群众").content


def test_a_grid_worker_finds_the_people_of_the_cases_they_registered(client, org, known):
    grid = _user("grid_here", org.township_gov, "grid_worker")
    assert b"lookup-none" in lookup(client, grid, PHONE).content  # the county desk's case is not theirs
    data = CaseIn(
        channel="found",
        petition_type="complaint",
        title="排查发现：村道塌陷",
        content="柳林村村道塌陷。",
        petitioners=[PetitionerIn(name="刘群众", id_number=ID)],
    )
    case_register(data=data, office=org.county_office, actor=grid)
    assert "刘群众".encode() in lookup(client, grid, ID).content


def test_a_half_typed_number_searches_nothing_and_writes_no_audit_row(client, known, clerk_li):
    html = lookup(client, clerk_li, PHONE[:7] + "12").content  # nine digits: not a whole ID, not found
    assert b"lookup-none" in html
    html = lookup(client, clerk_li, ID[:14]).content  # fourteen digits: neither an ID nor a phone
    assert b"lookup-incomplete" in html
    assert AuditEntry.objects.filter(kind="identity_search").count() == 1  # the nine digits only


def test_the_fill_button_reveals_one_person_in_scope_with_exactly_one_audit_row(client, known, clerk_li):
    person = known.parties.get().petitioner
    client.force_login(clerk_li)
    before = AuditEntry.objects.filter(kind="identity_view").count()
    response = client.post(reverse("petitioner_reveal", args=[person.pk]))
    assert response.status_code == 200
    assert response.json() == {
        "name": "刘群众",
        "kind": "person",
        "id_number": ID,
        "phone": PHONE,
        "address": ADDRESS,
    }
    reveal = AuditEntry.objects.filter(kind="identity_view").exclude(pk__in=[])
    assert reveal.count() == before + 1
    row = reveal.order_by("-id").first()
    assert row.actor == clerk_li and row.detail["petitioners"] == [person.pk]
    assert row.detail["revealed"] == ["id_number", "phone", "address"]


def test_the_reveal_is_a_post_and_a_get_reveals_nothing(client, known, clerk_li):
    person = known.parties.get().petitioner
    client.force_login(clerk_li)
    assert client.get(reverse("petitioner_reveal", args=[person.pk])).status_code == 405
    assert not AuditEntry.objects.filter(kind="identity_view").exists()


def test_a_clerk_of_another_county_cannot_reveal_by_guessing_the_id(client, known, neighbour):
    person = known.parties.get().petitioner
    stranger = _user("clerk_far", neighbour["office"], "clerk")
    client.force_login(stranger)
    outside = client.post(reverse("petitioner_reveal", args=[person.pk]))
    missing = client.post(reverse("petitioner_reveal", args=[person.pk + 1000]))
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert ID.encode() not in outside.content and PHONE.encode() not in outside.content
    assert not AuditEntry.objects.filter(kind="identity_view", actor=stranger).exists()


def test_a_handler_may_neither_search_nor_reveal(client, known, handler_wang_unit_a):
    person = known.parties.get().petitioner
    assert lookup(client, handler_wang_unit_a, PHONE).status_code == 403
    assert client.post(reverse("petitioner_reveal", args=[person.pk])).status_code == 403


def test_the_scope_is_the_visibility_rule_itself(known, neighbour, clerk_li):
    stranger = _user("clerk_far", neighbour["office"], "clerk")
    assert [p.name for p in selectors.find_petitioners(clerk_li, ID)] == ["刘群众"]
    assert selectors.find_petitioners(stranger, ID) == []
    assert not selectors.petitioners_in_scope(stranger).exists()
