"""A portal booking never takes over another person's case by their ID number (the portal identity rule
of docs/security.md): knowing an ID number does not open someone's base-level answer for the
eligibility rule (seeds/002 rule 2), write on their timeline or put their case on a leader's agenda."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.models import CaseEvent, Opinion
from huiyin.reception import services
from huiyin.reception.models import Booking, Session

pytestmark = pytest.mark.django_db

VICTIM_ID = "11010519491231002X"  # 刘群众, phone 13800001234 on record (register_case)


@pytest.fixture
def county_session(org, county_leader, township_leader, clock):
    clock.set(date(2025, 9, 1))
    services.sessions_generate(
        territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 30), actor=None
    )
    return Session.objects.filter(leader=county_leader).order_by("date").first()


def _answered_by_a_department(case, session):
    """刘群众's case has a base-level answer (a county department's opinion): the county leader may
    receive it."""
    Opinion.objects.create(
        case=case, stage="handling", request_summary="x", facts_reasons="x", decision="support", legal_basis="x",
        issued_by=case.registered_by, issued_unit=session.office.parent.children.get(code="X-ZJ"),
        issued_at=case.registered_at,
    )  # fmt: skip


def _stranger(**kw):
    base = dict(name="冒名者", phone="13999990000", title="屋顶漏水", content="安置房屋顶漏水三年")
    return services.BookingIn(**{**base, **kw})


def test_a_portal_booking_with_someone_elses_id_number_links_nothing(county_session, register_case, org):
    victim = register_case()
    _answered_by_a_department(victim, county_session)
    before = list(CaseEvent.objects.filter(case=victim).values_list("pk", flat=True))
    # the stranger's matter has no base-level answer of its own: the victim's does not lend it one
    with pytest.raises(services.BookingRefused):
        services.booking_create(
            session=county_session, data=_stranger(id_number=VICTIM_ID, territory=org.village), actor=None
        )
    assert Booking.objects.count() == 0
    assert list(CaseEvent.objects.filter(case=victim).values_list("pk", flat=True)) == before


def test_with_the_phone_on_record_the_portal_booking_links_the_persons_own_case(
    county_session, register_case
):
    case = register_case()
    _answered_by_a_department(case, county_session)
    booking = services.booking_create(
        session=county_session,
        data=_stranger(name="刘群众", phone="13800001234", id_number=VICTIM_ID),
        actor=None,
    )
    assert booking.case_id == case.pk


def test_at_the_office_the_clerk_who_saw_the_id_card_links_the_case(
    county_session, register_case, dispatcher_zhou
):
    case = register_case()
    _answered_by_a_department(case, county_session)
    booking = services.booking_create(
        session=county_session, data=_stranger(name="刘群众", id_number=VICTIM_ID), actor=dispatcher_zhou
    )
    assert booking.case_id == case.pk and booking.channel == "office"
