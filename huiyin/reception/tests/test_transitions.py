"""Every (state, action) pair of the booking and session tables, for every role: the services do
exactly what the tables and the capabilities say (huiyin/reception/transitions.py)."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.org.choices import Role
from huiyin.org.models import User
from huiyin.reception import services
from huiyin.reception.choices import BookingStatus, Outcome, SessionStatus
from huiyin.reception.models import Session
from huiyin.reception.transitions import BOOKING, SESSION, WHO, Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, township_leader, township_office, clock, register_case):
    clock.set(date(2025, 9, 1))
    services.sessions_generate(territory=org.county, start=date(2025, 9, 1), end=date(2025, 9, 5), actor=None)
    session = Session.objects.get(leader=township_leader)  # Tue 2 Sep
    people = {}
    for role in Role.values:
        if role == Role.LEADER:
            people[role] = township_leader
            continue
        unit = township_office if role in (Role.DISPATCHER, Role.CLERK, Role.ADMIN) else org.township_gov
        people[role] = User.objects.create_user(username=f"r_{role}", password="x", unit=unit, role=role)
    return session, people


def actor_for(people, role):
    return people[role]


@pytest.mark.parametrize("status", BookingStatus.values)
@pytest.mark.parametrize("role", Role.values)
def test_recording_an_outcome_follows_the_booking_table(world, status, role, clock, register_case, org):
    session, people = world
    case = register_case()
    booking = services.booking_create(
        session=session,
        data=services.BookingIn(name="刘群众", phone="13800001234", title="t", content="c", case=case),
        actor=None,
    )
    booking.status = status
    booking.save()
    clock.set(session.date)
    allowed = (status, Action.RECORD) in BOOKING and role in WHO[Action.RECORD]
    try:
        services.visit_record(
            booking=booking, actor=actor_for(people, role), outcome=Outcome.EXPLAINED, note="解释"
        )
    except (PermissionDenied, TransitionNotAllowed, ValidationFailed):
        assert not allowed, (status, role)
    else:
        assert allowed, (status, role)
        booking.refresh_from_db()
        assert booking.status == BOOKING[(status, Action.RECORD)]


@pytest.mark.parametrize("status", SessionStatus.values)
@pytest.mark.parametrize("role", Role.values)
def test_cancelling_follows_the_session_table(world, status, role):
    session, people = world
    Session.objects.filter(pk=session.pk).update(status=status)
    session.refresh_from_db()
    allowed = (status, Action.CANCEL) in SESSION and role in WHO[Action.CANCEL]
    try:
        services.session_cancel(session=session, actor=actor_for(people, role), reason="临时任务")
    except (PermissionDenied, TransitionNotAllowed, ValidationFailed):
        assert not allowed, (status, role)
    else:
        assert allowed, (status, role)
        session.refresh_from_db()
        assert session.status == SESSION[(status, Action.CANCEL)]


def test_another_territorys_dispatcher_may_not_cancel(world, dispatcher_zhou, org):
    from huiyin.org.models import Territory

    session, _ = world
    other = Territory.objects.create(code="430121200", name="西城镇", level=4, parent=org.county)
    Session.objects.filter(pk=session.pk).update(territory=other)
    session.refresh_from_db()
    outsider = User.objects.create_user(
        username="west", password="x", unit=org.township_gov, role=Role.DISPATCHER
    )
    with pytest.raises(PermissionDenied):
        services.session_cancel(session=session, actor=outsider, reason="x")
    services.session_cancel(session=session, actor=dispatcher_zhou, reason="x")  # the county office above may


def test_the_tables_say_what_seeds_002_rule3_says_the_office_arranges_and_records():
    # 由信访部门统一安排和协调: the office records (and the leader at their own session); the office plans
    assert WHO[Action.RECORD] == {Role.DISPATCHER, Role.LEADER}
    assert WHO[Action.CANCEL] == {Role.DISPATCHER, Role.ADMIN}
    assert (BookingStatus.RECEIVED, Action.RECORD) not in BOOKING  # one outcome per visit
