"""Booking with the eligibility rule (seeds/002 党政领导信访接待日制度 rule 2, 分级负责、属地管理), the
representatives' limit (条例 §20¶3), and the session's outcomes through the workflow services."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.models import CaseEvent
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.notify.models import StaffNotice
from huiyin.portal.selectors import citizen_timeline
from huiyin.reception import services
from huiyin.reception.choices import EVENT_INVITE, EVENT_VISIT, BookingStatus, Outcome, SessionStatus
from huiyin.reception.models import Session
from huiyin.reception.selectors import agenda

pytestmark = pytest.mark.django_db


def matter(**kw):
    base = dict(name="刘群众", phone="13800001234", title="屋顶漏水", content="安置房屋顶漏水三年")
    return services.BookingIn(**{**base, **kw})


def test_rule2_a_matter_without_a_base_level_answer_is_refused_for_the_county_leader_with_the_township_sessions(
    sessions, org
):
    county, township = sessions
    with pytest.raises(services.BookingRefused) as refused:
        services.booking_create(session=county, data=matter(territory=org.village), actor=None)
    refusal = refused.value.refusal
    assert "分级负责、属地管理" in refusal.reason and "乡镇（街道）或有关部门" in refusal.reason
    assert refusal.first_level == "乡镇（街道）或有关部门"
    assert township in refusal.sessions
    assert county.bookings.count() == 0  # nothing half-written


def test_rule2_the_township_leader_receives_it_first(sessions):
    _county, township = sessions
    booking = services.booking_create(session=township, data=matter(), actor=None)
    assert booking.status == BookingStatus.BOOKED and booking.channel == "portal"


def test_rule2_an_urgent_matter_marked_by_the_office_goes_to_the_county_leader_at_once(
    sessions, dispatcher_zhou
):
    county, _ = sessions
    booking = services.booking_create(session=county, data=matter(urgent=True), actor=dispatcher_zhou)
    assert booking.urgent and booking.channel == "office"


def test_a_citizen_cannot_mark_a_matter_urgent(sessions):
    county, _ = sessions
    with pytest.raises(ValidationFailed):
        services.booking_create(session=county, data=matter(urgent=True), actor=None)


def test_rule2_a_case_answered_by_a_base_level_unit_may_go_to_the_county_leader(
    sessions, register_case, clock
):
    from huiyin.cases.models import Opinion

    county, _ = sessions
    case = register_case()
    Opinion.objects.create(
        case=case, stage="handling", request_summary="x", facts_reasons="x", decision="support", legal_basis="x",
        issued_by=case.registered_by, issued_unit=case.office.children.first() or case.office, issued_at=case.registered_at,
    )  # fmt: skip
    # the county office is not a base-level organ; an opinion of 住建局 (a county department) is
    Opinion.objects.filter(case=case).update(issued_unit=county.office.parent.children.get(code="X-ZJ"))
    booking = services.booking_create(session=county, data=matter(case=case), actor=None)
    assert booking.case_id == case.pk
    assert CaseEvent.objects.filter(case=case, event_type="reception_booked").exists()


def test_rule2_a_base_level_leader_reception_opens_the_county_leader(
    sessions, register_case, township_dispatcher, clock, org
):
    county, township = sessions
    case = register_case()
    booking = services.booking_create(session=township, data=matter(case=case), actor=None)
    clock.set(township.date)
    services.visit_record(
        booking=booking, actor=township_dispatcher, outcome=Outcome.EXPLAINED, note="解释政策"
    )
    again = services.booking_create(session=county, data=matter(case=case, phone="13800001235"), actor=None)
    assert again.case_id == case.pk


def test_a_booking_links_the_persons_open_case_by_id_number(sessions, register_case):
    _, township = sessions
    case = register_case()  # 刘群众 11010519491231002X
    booking = services.booking_create(
        session=township, data=matter(id_number="11010519491231002X"), actor=None
    )
    assert booking.case_id == case.pk


def test_collective_matters_send_at_most_five_representatives_art20(sessions):
    _, township = sessions
    with pytest.raises(ValidationFailed) as refused:
        services.booking_create(
            session=township, data=matter(is_collective=True, headcount=30, representatives=6), actor=None
        )
    assert "不超过5名代表" in refused.value.message
    ok = services.booking_create(
        session=township, data=matter(is_collective=True, headcount=30, representatives=5), actor=None
    )
    assert ok.representatives == 5


def test_a_full_session_takes_no_more_bookings(sessions):
    _, township = sessions
    township.capacity = 1
    township.save()
    services.booking_create(session=township, data=matter(), actor=None)
    with pytest.raises(ValidationFailed):
        services.booking_create(session=township, data=matter(phone="13900000000"), actor=None)


def test_leader_takes_the_visit_as_baoan_through_case_attach_leader_and_the_citizen_sees_it(
    sessions, township_leader, township_dispatcher, clock
):
    _, township = sessions
    booking = services.booking_create(session=township, data=matter(), actor=None)
    clock.set(township.date)
    # when the office records 包案 for a visit without a case
    services.visit_record(
        booking=booking, actor=township_dispatcher, outcome=Outcome.LEADER_CASE, note="内部：涉及历史遗留"
    )
    booking.refresh_from_db()
    case = booking.case
    # then the visit became a case at the township office (case_register) and the leader owns it
    assert case.office.code == "T-XF" and case.channel == "visit"
    assert case.leader_id == township_leader.pk
    assert list(case.events.values_list("event_type", flat=True)) == [
        "register",
        "attach_leader",
        EVENT_VISIT,
    ]
    texts = [row["text"] if isinstance(row, dict) else str(row) for row in citizen_timeline(case)]
    joined = " ".join(map(str, texts))
    assert "包案" in joined and "何镇长" in joined
    assert "内部" not in joined  # the office's note stays internal
    assert Session.objects.get(pk=township.pk).status == SessionStatus.HELD


def test_assigned_visit_goes_through_accept_and_assign(sessions, township_dispatcher, clock, org):
    _, township = sessions
    booking = services.booking_create(session=township, data=matter(), actor=None)
    clock.set(township.date)
    services.visit_record(
        booking=booking,
        actor=township_dispatcher,
        outcome=Outcome.ASSIGNED,
        unit=org.township_gov,
        deadline=date(2025, 9, 30),
        note="限期维修",
    )
    case = booking.case
    case.refresh_from_db()
    assert case.status == "in_handling" and case.handling_unit_id == org.township_gov.pk
    assert case.assignment_deadline == date(2025, 9, 30)


def test_an_outcome_cannot_be_recorded_before_the_day_nor_by_another_office(
    sessions, township_dispatcher, dispatcher_zhou, clock
):
    _, township = sessions
    booking = services.booking_create(session=township, data=matter(), actor=None)
    clock.set(date(2025, 9, 1))
    with pytest.raises(ValidationFailed):
        services.visit_record(booking=booking, actor=township_dispatcher, outcome=Outcome.EXPLAINED, note="x")
    clock.set(township.date)
    with pytest.raises(PermissionDenied):
        services.visit_record(booking=booking, actor=dispatcher_zhou, outcome=Outcome.EXPLAINED, note="x")


def test_an_invited_department_head_gets_a_work_notice(
    sessions, township_dispatcher, register_case, org, head_sun_unit_a, clock
):
    _, township = sessions
    case = register_case()
    services.booking_create(session=township, data=matter(case=case), actor=None)
    services.invitation_create(session=township, user=head_sun_unit_a, actor=township_dispatcher)
    # the head is told of the session; the booked matter is not their unit's (their agenda withholds
    # it, selectors.agenda), so it is not named to them (test_invitations_and_assignment.py)
    notice = StaffNotice.objects.get(user=head_sun_unit_a)
    assert "现场办公" in notice.text and notice.case_id is None
    assert not CaseEvent.objects.filter(case=case, event_type=EVENT_INVITE).exists()


def test_art30_the_accused_units_leader_never_sees_the_accuser_on_the_agenda(
    sessions, org, clerk_li, clock, register_case
):
    from huiyin.cases.services import CaseIn, PetitionerIn
    from huiyin.intake.services import case_register

    _, township = sessions
    # given an accusation against the township government, at the township leader's session
    accusation, _ = case_register(
        data=CaseIn(
            channel="visit", petition_type="accusation", title="举报镇政府", content="x", accused_person="镇政府某干部",
            accused_unit_id=org.township_gov.pk, petitioners=[PetitionerIn(name="举报人甲", phone="13700000000")],
        ),
        office=org.county_office, actor=clerk_li,
    )  # fmt: skip
    booking = services.booking_create(
        session=township, data=matter(name="举报人甲", case=accusation), actor=None
    )
    he = township.leader
    rows = agenda(township, he)
    row = next(r for r in rows if r.booking.pk == booking.pk)
    # then the township leader (the accused side) sees neither the case nor its history
    assert row.hidden and row.case is None and row.events == []
    # and the agenda page does not show the accuser's name
    from django.test import Client

    c = Client()
    c.force_login(he)
    page = c.get(f"/reception/agenda/?session={township.pk}").content.decode()
    assert "举报人甲" not in page and "按规定回避" in page


def test_the_citizen_is_reminded_the_day_before_once(sessions, clock):
    from huiyin.notify.models import Notification

    _, township = sessions  # Tue 2 Sep 2025
    booking = services.booking_create(session=township, data=matter(), actor=None)
    assert services.reminders_send(today=date(2025, 8, 31)) == 0  # two days before: not yet
    assert services.reminders_send(today=date(2025, 9, 1)) == 1
    assert services.reminders_send(today=date(2025, 9, 1)) == 0  # the sweep runs again: no second SMS
    eve = Notification.objects.filter(recipient=booking.phone, body__contains="明天").get()
    assert "2025年09月02日" in eve.body and booking.code in eve.body


def test_a_cancelled_session_tells_everyone_booked_and_frees_the_leaders_day(
    sessions, dispatcher_zhou, county_leader
):
    from huiyin.notify.models import Notification

    _, township = sessions
    booking = services.booking_create(session=township, data=matter(), actor=None)
    services.session_cancel(session=township, actor=dispatcher_zhou, reason="防汛紧急任务")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert Notification.objects.filter(recipient=booking.phone, body__contains="因防汛紧急任务取消").exists()
    # the day is free again: a new session of the same leader on that day is allowed
    Session.objects.create(
        leader=township.leader, level=township.level, territory=township.territory, office=township.office, date=township.date,
        planned_date=township.date, start_time=township.start_time, end_time=township.end_time, place="x", capacity=1,
    )  # fmt: skip
