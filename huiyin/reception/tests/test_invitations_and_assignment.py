"""The session's invited heads (现场办公, seeds/002 rule 4) — told by a work notice whatever the bookings,
never of a matter their agenda withholds (条例 §30¶3) — their attendance, recorded by the arranging
office; and 交办 at a session only through the workflow's own actions (条例 §22¶1(三))."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from huiyin.cases.models import Case, CaseEvent
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.notify.models import StaffNotice
from huiyin.reception import services
from huiyin.reception.choices import EVENT_INVITE, EVENT_VISIT, Outcome
from huiyin.reception.models import Session
from huiyin.workflow import services as wf

pytestmark = pytest.mark.django_db


@pytest.fixture
def township(org, township_leader, clock):
    clock.set(date(2025, 9, 1))
    services.sessions_generate(
        territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 30), actor=None
    )
    return Session.objects.filter(leader=township_leader).order_by("date").first()  # Tue 2 Sep


def matter(**kw):
    base = dict(name="刘群众", phone="13800001234", title="屋顶漏水", content="安置房屋顶漏水三年")
    return services.BookingIn(**{**base, **kw})


def assigned_to_unit_a(register_case, dispatcher_zhou, org, **kw):
    case = register_case(**kw)
    case = wf.case_accept(case=case, actor=dispatcher_zhou, reason="受理")
    return wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2025, 10, 15))


# --- (a) every invitation reaches the head ------------------------------------------------------


def test_rule4_a_head_invited_before_any_booking_has_a_case_is_told_by_a_staff_notice(
    township, township_dispatcher, head_sun_unit_a
):
    services.booking_create(session=township, data=matter(), actor=None)  # a walk-in, not yet a case
    services.invitation_create(session=township, user=head_sun_unit_a, actor=township_dispatcher)
    notice = StaffNotice.objects.get(user=head_sun_unit_a)
    assert notice.case_id is None and notice.kind == "reception_invite"
    assert "现场办公" in notice.text and "2025年09月02日" in notice.text and township.place in notice.text
    assert notice.due_on == township.date
    # the notice names no person and no matter
    assert "刘群众" not in notice.text and "屋顶漏水" not in notice.text
    # it opens the session's agenda
    c = Client()
    c.force_login(head_sun_unit_a)
    opened = c.get(f"/notices/{notice.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/reception/agenda/?session={township.pk}"
    StaffNotice.objects.get(pk=notice.pk, read_at__isnull=False)
    # inviting again tells nobody twice
    services.invitation_create(session=township, user=head_sun_unit_a, actor=township_dispatcher)
    assert StaffNotice.objects.filter(user=head_sun_unit_a).count() == 1


def test_rule4_a_head_invited_to_a_session_with_no_booking_is_told(
    township, township_dispatcher, head_sun_unit_a
):
    services.invitation_create(session=township, user=head_sun_unit_a, actor=township_dispatcher)
    assert StaffNotice.objects.filter(user=head_sun_unit_a, kind="reception_invite").count() == 1


def test_rule4_the_head_is_told_of_a_matter_only_when_their_agenda_shows_it(
    township, township_dispatcher, head_sun_unit_a, register_case, dispatcher_zhou, org
):
    theirs = assigned_to_unit_a(register_case, dispatcher_zhou, org, title="住建局承办的漏水")
    others = register_case(title="别人的事项")  # registered, not the head's unit's
    services.booking_create(session=township, data=matter(case=theirs), actor=None)
    services.booking_create(session=township, data=matter(case=others, phone="13800004321"), actor=None)
    services.invitation_create(session=township, user=head_sun_unit_a, actor=township_dispatcher)
    # their unit's item: named on its case (the agenda shows it to them)
    assert CaseEvent.objects.filter(case=theirs, event_type=EVENT_INVITE).count() == 1
    # another unit's matter (the agenda says 非本单位承办的事项): not named to them at all
    assert not CaseEvent.objects.filter(case=others, event_type=EVENT_INVITE).exists()
    assert not any("别人的事项" in t for t in StaffNotice.objects.values_list("text", flat=True))


def test_art30_an_accused_side_head_invited_is_told_of_the_session_never_of_the_accusation(
    township, township_dispatcher, head_sun_unit_a, org, clerk_li
):
    from huiyin.cases.services import CaseIn, PetitionerIn
    from huiyin.intake.services import case_register

    # given an accusation against 住建局 booked on the session, and 住建局's head invited
    accusation, _ = case_register(
        data=CaseIn(
            channel="visit", petition_type="accusation", title="举报住建局某干部", content="x",
            accused_person="住建局某干部", accused_unit_id=org.unit_a.pk,
            petitioners=[PetitionerIn(name="举报人甲", phone="13700000000")],
        ),
        office=org.county_office, actor=clerk_li,
    )  # fmt: skip
    services.booking_create(session=township, data=matter(name="举报人甲", case=accusation), actor=None)
    services.invitation_create(session=township, user=head_sun_unit_a, actor=township_dispatcher)
    # then the head is told of the session (one notice, about no case) …
    notices = list(StaffNotice.objects.filter(user=head_sun_unit_a))
    assert [n.case_id for n in notices] == [None]
    # … and nothing names the accusation or the accuser to them
    assert not CaseEvent.objects.filter(case=accusation, event_type=EVENT_INVITE).exists()
    assert "举报人甲" not in notices[0].text and "举报" not in notices[0].text


def test_art30_the_eve_agenda_names_to_an_invited_head_only_the_matters_their_agenda_shows(
    township, township_dispatcher, head_sun_unit_a, register_case, dispatcher_zhou, org
):
    theirs = assigned_to_unit_a(register_case, dispatcher_zhou, org, title="住建局承办的漏水")
    others = register_case(title="别人的事项")
    services.booking_create(session=township, data=matter(case=theirs), actor=None)
    services.booking_create(session=township, data=matter(case=others, phone="13800004321"), actor=None)
    services.invitation_create(session=township, user=head_sun_unit_a, actor=township_dispatcher)
    assert services.agendas_send(today=date(2025, 9, 1)) == 1
    told = {
        e.case_id: e.data["notify_users"] for e in CaseEvent.objects.filter(event_type="reception_agenda")
    }
    assert told[theirs.pk] == sorted([township.leader_id, head_sun_unit_a.pk])
    assert told[others.pk] == [township.leader_id]


# --- (b) attendance ------------------------------------------------------------------------------


def test_rule4_attendance_is_recorded_by_the_arranging_office_on_or_after_the_day(
    township, township_dispatcher, dispatcher_zhou, head_sun_unit_a, clock
):
    invitation = services.invitation_create(session=township, user=head_sun_unit_a, actor=township_dispatcher)
    assert invitation.attended is None
    with pytest.raises(ValidationFailed):  # the day before the session
        services.invitation_attendance(invitation=invitation, attended=True, actor=township_dispatcher)
    clock.set(township.date)
    with pytest.raises(PermissionDenied):  # the session's leader: the office records it
        services.invitation_attendance(invitation=invitation, attended=True, actor=township.leader)
    with pytest.raises(PermissionDenied):  # another office (the county's)
        services.invitation_attendance(invitation=invitation, attended=True, actor=dispatcher_zhou)
    with pytest.raises(PermissionDenied):  # the head themself
        services.invitation_attendance(invitation=invitation, attended=True, actor=head_sun_unit_a)
    services.invitation_attendance(invitation=invitation, attended=False, actor=township_dispatcher)
    invitation.refresh_from_db()
    assert invitation.attended is False and invitation.attendance_by_id == township_dispatcher.pk
    clock.set(date(2025, 9, 3))  # corrected the day after
    services.invitation_attendance(invitation=invitation, attended=True, actor=township_dispatcher)
    invitation.refresh_from_db()
    assert invitation.attended is True


def test_rule4_attendance_on_the_agenda_page_and_bad_input_is_refused_without_error(
    township, township_dispatcher, head_sun_unit_a, clock
):
    invitation = services.invitation_create(session=township, user=head_sun_unit_a, actor=township_dispatcher)
    clock.set(township.date)
    c = Client()
    c.force_login(township_dispatcher)
    page = c.get(f"/reception/agenda/?session={township.pk}").content.decode()
    assert "到场情况未记录" in page and 'data-testid="attended-yes"' in page
    for bad in ({"invitation": "x", "attended": "1"}, {"invitation": "999999", "attended": "1"}, {}):
        assert c.post("/reception/attendance/", bad).status_code == 404
    c.post("/reception/attendance/", {"invitation": invitation.pk, "attended": "maybe"})
    invitation.refresh_from_db()
    assert invitation.attended is None
    r = c.post("/reception/attendance/", {"invitation": invitation.pk, "attended": "1"})
    assert r.status_code == 302
    invitation.refresh_from_db()
    assert invitation.attended is True
    page = c.get(f"/reception/agenda/?session={township.pk}").content.decode()
    assert "已到场" in page
    # the head sees it on the agenda, without the buttons; and cannot record it
    c.force_login(head_sun_unit_a)
    page = c.get(f"/reception/agenda/?session={township.pk}").content.decode()
    assert "已到场" in page and 'data-testid="attended-yes"' not in page
    assert c.post("/reception/attendance/", {"invitation": invitation.pk, "attended": "0"}).status_code == 403
    invitation.refresh_from_db()
    assert invitation.attended is True


# --- (c) 交办 only through the workflow ---------------------------------------------------------


def test_art22_an_assigned_visit_on_a_case_already_with_that_unit_is_refused_never_written_around(
    township, township_dispatcher, register_case, dispatcher_zhou, org, clock
):
    case = assigned_to_unit_a(register_case, dispatcher_zhou, org)
    booking = services.booking_create(session=township, data=matter(case=case), actor=None)
    clock.set(township.date)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationFailed) as refused:
        services.visit_record(
            booking=booking, actor=township_dispatcher, outcome=Outcome.ASSIGNED,
            unit=org.unit_a, deadline=date(2025, 9, 20), note="领导要求提前办结",
        )  # fmt: skip
    assert "已交示范县住房和城乡建设局办理" in refused.value.message and "领导批示" in refused.value.message
    after = Case.objects.get(pk=case.pk)
    assert after.assignment_deadline == date(2025, 10, 15) and after.handling_unit_id == org.unit_a.pk
    booking.refresh_from_db()
    assert booking.outcome == "" and booking.outcome_deadline is None and booking.outcome_unit_id is None
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not CaseEvent.objects.filter(case=case, event_type=EVENT_VISIT).exists()


def test_art22_an_assigned_visit_to_another_unit_on_a_case_in_handling_is_refused(
    township, township_dispatcher, register_case, dispatcher_zhou, org, clock
):
    case = assigned_to_unit_a(register_case, dispatcher_zhou, org)
    booking = services.booking_create(session=township, data=matter(case=case), actor=None)
    clock.set(township.date)
    with pytest.raises(ValidationFailed) as refused:
        services.visit_record(
            booking=booking, actor=township_dispatcher, outcome=Outcome.ASSIGNED,
            unit=org.township_gov, deadline=date(2025, 9, 30),
        )  # fmt: skip
    assert "办理中" in refused.value.message
    assert Case.objects.get(pk=case.pk).handling_unit_id == org.unit_a.pk
    # the other outcomes stay open for the visit
    services.visit_record(
        booking=booking, actor=township_dispatcher, outcome=Outcome.EXPLAINED, note="解释办理进度"
    )
    booking.refresh_from_db()
    assert booking.outcome == Outcome.EXPLAINED


def test_art22_an_assigned_visit_page_shows_the_refusal(township, township_dispatcher, org, clock):
    # given a walk-in registered at the township office and already 交办 to the township government
    booking = services.booking_create(session=township, data=matter(), actor=township_dispatcher)
    case = services.booking_register(booking=booking, actor=township_dispatcher)
    case = wf.case_accept(case=case, actor=township_dispatcher, reason="受理")
    wf.case_assign(case=case, actor=township_dispatcher, unit=org.township_gov, deadline=date(2025, 10, 15))
    clock.set(township.date)
    c = Client()
    c.force_login(township_dispatcher)
    r = c.post(
        "/reception/outcome/",
        {
            "booking": booking.code,
            "outcome": "assigned",
            "unit": org.township_gov.pk,
            "deadline": "2025-09-20",
        },
        follow=True,
    )
    assert r.status_code == 200 and "领导批示" in r.content.decode()
    booking.refresh_from_db()
    assert booking.outcome == ""
    assert Case.objects.get(pk=case.pk).assignment_deadline == date(2025, 10, 15)
