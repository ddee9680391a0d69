"""Who reads the bookings on a session's agenda (seeds/002 rule 3, SPEC §3.4, 条例 §30¶3).

The session's page opens for the staff of its territory (sessions_for), but a booking's name, matter and
history only for the session's leader and the petition office that arranges it, and — for their own
items — for the unit the matter is assigned to. The accused side never sees an accusation booked for a
reception day; the accused's superior sees it without the accuser's name.
"""

from __future__ import annotations

import pytest
from django.test import Client

from huiyin.cases.choices import PetitionType, Status
from huiyin.reception import selectors, services
from huiyin.workflow.tests.drive import drive_to

pytestmark = pytest.mark.django_db


def book(session, **kw):
    base = dict(name="刘群众", phone="13800001234", title="屋顶漏水", content="安置房屋顶漏水三年")
    return services.booking_create(session=session, data=services.BookingIn(**{**base, **kw}), actor=None)


def page(user, session) -> str:
    c = Client()
    c.force_login(user)
    response = c.get(f"/reception/agenda/?session={session.pk}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_county_unit_opening_a_township_agenda_reads_no_names_nor_matters(
    sessions, handler_zhao_unit_b, head_sun_unit_a, supervisor_chen
):
    _, township = sessions
    book(township, name="刘群众", title="屋顶漏水", content="安置房屋顶漏水三年")
    # 民政局, 住建局 and the county's supervisor all work in the county: the page opens, the booking does not
    for outsider in (handler_zhao_unit_b, head_sun_unit_a, supervisor_chen):
        rows = selectors.agenda(township, outsider)
        assert [r.withheld for r in rows] == [selectors.NOT_YOURS]
        html = page(outsider, township)
        assert "刘群众" not in html and "屋顶漏水" not in html and "安置房" not in html
        assert "非本单位承办的事项" in html


def test_the_leader_and_the_arranging_office_read_every_booking(
    sessions, township_leader, township_dispatcher
):
    _, township = sessions
    book(township)
    for reader in (township_leader, township_dispatcher):
        html = page(reader, township)
        assert "刘群众" in html and "屋顶漏水" in html and "安置房屋顶漏水三年" in html


def test_the_assigned_unit_reads_its_own_item_and_nothing_else(
    sessions, register_case, cast_all, handler_wang_unit_a, handler_zhao_unit_b
):
    _, township = sessions
    assigned = drive_to(register_case(title="住建局的事"), Status.IN_HANDLING, cast_all)  # 交办 to 住建局
    book(township, name="张三", title="住建局的事", content="交给住建局的", case=assigned)
    book(township, name="李四", phone="13900005678", title="别的事", content="与住建局无关")
    html = page(handler_wang_unit_a, township)
    assert "张三" in html and "交给住建局的" in html and assigned.code in html
    assert "李四" not in html and "与住建局无关" not in html
    # 民政局 is given neither
    html = page(handler_zhao_unit_b, township)
    assert "张三" not in html and "李四" not in html and assigned.code not in html


def test_art30_an_accusation_on_a_reception_day_never_reaches_the_accused_units_staff(
    sessions, org, register_case, handler_wang_unit_a, head_sun_unit_a, county_leader, dispatcher_zhou
):
    county, _ = sessions
    accusation = register_case(
        petition_type=PetitionType.ACCUSATION, title="举报住建局", content="某科长收受好处",
        accused_unit_id=org.unit_a.pk, accused_person="某科长",
    )  # fmt: skip
    services.booking_create(
        session=county,
        data=services.BookingIn(
            name="举报人甲", phone="13700000000", title="举报住建局", content="某科长收受好处",
            petition_type=PetitionType.ACCUSATION, case=accusation, urgent=True,
        ),
        actor=dispatcher_zhou,
    )  # fmt: skip
    # the accused unit's head, even invited to the session's 现场办公, and its handler: nothing of it
    services.invitation_create(session=county, user=head_sun_unit_a, actor=dispatcher_zhou)
    for accused in (head_sun_unit_a, handler_wang_unit_a):
        row = selectors.agenda(county, accused)[0]
        assert row.hidden and row.case is None and row.events == [] and row.clocks == []
        html = page(accused, county)
        assert "举报人甲" not in html and "某科长" not in html and accusation.code not in html
        assert "按规定回避" in html
    # the county leader (county government: the accused's superior) sees the matter, not the accuser
    row = selectors.agenda(county, county_leader)[0]
    assert not row.hidden and not row.identity
    html = page(county_leader, county)
    assert "举报人甲" not in html and "信访人身份不予显示" in html
    # the arranging office routes it, so it knows who accuses
    assert "举报人甲" in page(dispatcher_zhou, county)


def test_art30_an_accusation_not_yet_registered_is_only_the_arranging_offices(
    sessions, township_leader, township_dispatcher
):
    _, township = sessions
    book(township, name="举报人乙", title="举报镇政府", content="镇里挪用补偿款", petition_type="accusation")
    # its accused unit is unknown until registered: the township leader may be the accused side
    html = page(township_leader, township)
    assert "举报人乙" not in html and "挪用补偿款" not in html and "登记后按规定显示" in html
    assert "举报人乙" in page(township_dispatcher, township)


def test_art30_the_accused_side_leader_cannot_record_a_withheld_booking_by_its_code(
    sessions, org, clerk_li, clock, township_leader
):
    from huiyin.cases.services import CaseIn, PetitionerIn
    from huiyin.intake.services import case_register

    _, township = sessions
    accusation, _ = case_register(
        data=CaseIn(
            channel="visit", petition_type="accusation", title="举报镇政府", content="x", accused_person="某干部",
            accused_unit_id=org.township_gov.pk, petitioners=[PetitionerIn(name="举报人丙", phone="13700000001")],
        ),
        office=org.county_office, actor=clerk_li,
    )  # fmt: skip
    booking = book(township, name="举报人丙", phone="13700000001", case=accusation)
    clock.set(township.date)
    c = Client()
    c.force_login(township_leader)  # the township government is accused: its leader is the accused side
    response = c.post("/reception/outcome/", {"booking": booking.code, "outcome": "explained", "note": "x"})
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == "booked" and not booking.outcome
