"""下访 and 约访 (条例 §18¶2 定期下访; seeds/000 大下访, seeds/004 约访), the notifications of leader
reception (booking confirmation, the eve reminder, the leader's agenda the evening before, a cancelled
session), and the case page's links to the module's records (Module.case_links)."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.urls import reverse

from huiyin.cases.choices import PetitionType
from huiyin.cases.models import CaseEvent
from huiyin.core import registry
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.notify.models import Notification, OutboxMessage
from huiyin.portal.selectors import citizen_timeline
from huiyin.reception import services
from huiyin.reception.choices import BookingChannel, Outcome, SessionKind
from huiyin.reception.models import Session

pytestmark = pytest.mark.django_db


def _visit_in(org, **extra):
    data = {
        "kind": SessionKind.DOWN,
        "territory": org.township,
        "day": date(2025, 9, 10),
        "start_time": time(14),
        "end_time": time(17),
        "place": "东城镇柳林村村委会",
        "purpose": "安置小区房屋质量问题",
    }
    return services.VisitIn(**{**data, **extra})


def test_a_leader_schedules_a_visit_down_invites_a_petitioner_and_records_the_outcome(
    org, county_leader, clock, register_case
):
    clock.set(date(2025, 9, 1))
    session = services.visit_schedule(leader=county_leader, data=_visit_in(org), actor=county_leader)
    assert (session.kind, session.territory_id, session.office_id) == (
        SessionKind.DOWN,
        org.township.pk,
        org.county_office.pk,
    )
    case = register_case()
    booking = services.booking_create(
        session=session,
        data=services.BookingIn(
            name="刘群众", phone="13800001234", title="安置房漏水", content="约谈", case=case
        ),
        actor=county_leader,
    )
    assert booking.channel == BookingChannel.INVITED
    sms = Notification.objects.get(dedupe_key=f"reception:booked:{booking.pk}")
    assert "约请您于2025年09月10日" in sms.body and "东城镇柳林村村委会" in sms.body
    # the same outcome recording as a reception day: the leader takes it as 包案
    clock.set(date(2025, 9, 10))
    services.visit_record(booking=booking, actor=county_leader, outcome=Outcome.LEADER_CASE)
    case.refresh_from_db()
    assert case.leader_id == county_leader.pk


def test_a_visit_never_double_books_the_leader_and_the_generator_moves_around_it(org, county_leader, clock):
    clock.set(date(2025, 9, 1))
    # Wednesday 3 Sep is the county leader's reception day by rule; a visit down takes it first
    services.visit_schedule(
        leader=county_leader, data=_visit_in(org, day=date(2025, 9, 3)), actor=county_leader
    )
    with pytest.raises(ValidationFailed, match="已有接待安排"):
        services.visit_schedule(
            leader=county_leader, data=_visit_in(org, day=date(2025, 9, 3)), actor=county_leader
        )
    services.sessions_generate(territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 5), actor=None)
    day = Session.objects.get(leader=county_leader, kind=SessionKind.DAY)
    assert day.date == date(2025, 9, 4)  # the next free working day


def test_only_the_leader_or_the_office_of_the_territory_arranges_a_visit(
    org, county_leader, county_deputy, handler_wang_unit_a, clock
):
    clock.set(date(2025, 9, 1))
    for actor in (county_deputy, handler_wang_unit_a):
        with pytest.raises(PermissionDenied):
            services.visit_schedule(leader=county_leader, data=_visit_in(org), actor=actor)
    with pytest.raises(ValidationFailed, match="乡镇"):  # a 下访 goes down to a township or village
        services.visit_schedule(
            leader=county_leader, data=_visit_in(org, territory=org.county), actor=county_leader
        )


def test_a_visit_is_not_booked_online_and_an_appointment_is_not_published(org, county_leader, clock):
    from huiyin.reception.selectors import bookable_session, public_sessions

    clock.set(date(2025, 9, 1))
    down = services.visit_schedule(leader=county_leader, data=_visit_in(org), actor=county_leader)
    appointment = services.visit_schedule(
        leader=county_leader, data=_visit_in(org, kind=SessionKind.APPOINTMENT, day=date(2025, 9, 11)),
        actor=county_leader,
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.booking_create(
            session=down,
            data=services.BookingIn(name="x", phone="13800001234", title="t", content="c"),
            actor=None,
        )
    assert bookable_session(down.pk) is None
    assert {s.pk for s in public_sessions()} == {down.pk}  # the announced 下访; the 约访 stays private
    assert appointment.pk not in {s.pk for s in public_sessions()}


@pytest.fixture
def booked(org, township_leader, township_office, clock, register_case):
    clock.set(date(2025, 9, 1))
    services.sessions_generate(territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 5), actor=None)
    session = Session.objects.get(leader=township_leader)  # Tuesday 2 Sep
    case = register_case()
    booking = services.booking_create(
        session=session,
        data=services.BookingIn(name="刘群众", phone="13800001234", title="漏水", content="c", case=case),
        actor=None,
    )
    return session, booking, case


def test_the_citizen_is_told_on_booking_and_the_day_before(booked):
    _session, booking, _case = booked
    assert Notification.objects.filter(dedupe_key=f"reception:booked:{booking.pk}").exists()
    assert services.reminders_send(today=date(2025, 9, 1)) == 1
    assert services.reminders_send(today=date(2025, 9, 1)) == 0  # once
    eve = Notification.objects.get(dedupe_key=f"reception:eve:{booking.pk}")
    assert "明天（2025年09月02日）" in eve.body and eve.recipient == "13800001234"


def test_the_leader_gets_the_agenda_the_evening_before(booked, township_leader):
    session, _booking, case = booked
    township_leader.phone = "13900009999"
    township_leader.save()
    assert services.agendas_send(today=date(2025, 8, 31)) == 0  # not yet the eve
    assert services.agendas_send(today=date(2025, 9, 1)) == 1
    assert services.agendas_send(today=date(2025, 9, 1)) == 0  # once per session
    event = CaseEvent.objects.get(case=case, event_type="reception_agenda")
    assert event.data["notify_users"] == [township_leader.pk]
    assert OutboxMessage.objects.filter(event=event).exists()  # delivered as a work notice by the outbox
    sms = Notification.objects.get(dedupe_key=f"reception:agenda:{session.pk}")
    assert sms.recipient == "13900009999" and "已预约1人" in sms.body
    # a work notice: never on the citizen's timeline
    texts = [str(row["text"]) for row in citizen_timeline(case)]
    assert texts and all("议程" not in t and "明天" not in t for t in texts)


def test_a_cancelled_session_tells_everyone_booked_and_the_timeline_says_so(booked, dispatcher_zhou):
    session, booking, case = booked
    services.session_cancel(session=session, actor=dispatcher_zhou, reason="防汛紧急任务")
    sms = Notification.objects.get(dedupe_key=f"reception:cancel:{session.pk}:{booking.pk}")
    assert "防汛紧急任务" in sms.body
    event = CaseEvent.objects.get(case=case, event_type="reception_cancelled")
    text = registry.event_type("reception_cancelled").citizen(event)
    assert "防汛紧急任务" in text and "另行预约" in text


def test_the_case_page_lists_the_bookings_and_instructions_for_those_who_may_see_them(
    booked, client, township_dispatcher, handler_zhao_unit_b, org, clerk_li
):
    session, booking, case = booked
    links = registry.case_links(case, township_dispatcher)
    assert [link.url for link in links] == [f"{reverse('reception_agenda')}?session={session.pk}"]
    assert booking.code in links[0].label
    # a reader who does not work with the session (another township's staff) gets no link to its agenda
    from huiyin.org.models import Territory, Unit, User

    west = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    west_gov = Unit.objects.create(code="W-GOV", name="西城镇人民政府", kind="government", territory=west)
    outsider = User.objects.create_user(username="west_h", password="x", unit=west_gov, role="handler")
    assert registry.case_links(case, outsider) == []
    client.force_login(clerk_li)
    html = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert booking.code in html


def test_an_accusations_booking_link_never_reaches_the_accused_side(
    org, township_leader, township_office, clock, register_case, handler_wang_unit_a
):
    clock.set(date(2025, 9, 1))
    services.sessions_generate(territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 5), actor=None)
    session = Session.objects.get(leader=township_leader)
    case = register_case(petition_type=PetitionType.ACCUSATION, accused_unit_id=org.unit_a.pk)
    services.booking_create(
        session=session,
        data=services.BookingIn(name="刘群众", phone="13800001234", title="检举", content="c", case=case),
        actor=None,
    )
    # the accused unit's handler cannot open the case at all, and its agenda row hides the matter
    from huiyin.reception.selectors import agenda

    rows = agenda(session, handler_wang_unit_a)
    assert rows[0].case is None and rows[0].hidden
