"""The mediation state machine, one table-driven test over every (state, action) pair and who may take
it (the organ's own staff in the roles of transitions.MAY); a pair outside the table is refused."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from huiyin.core.errors import PermissionDenied, TransitionNotAllowed
from huiyin.mediation import services, transitions
from huiyin.mediation.choices import AgreementForm, CourtOutcome, MediationKind, Performance
from huiyin.mediation.models import Agreement, Mediation
from huiyin.mediation.tests.conftest import add_session, people_mediation
from huiyin.mediation.transitions import Action, State
from huiyin.org.choices import Role
from huiyin.org.models import User

TODAY = date(2025, 12, 10)


def _in_state(world, state: str) -> Mediation:
    m = people_mediation(world, state=state)
    add_session(m, world.mediator)
    if state in (State.AGREED, State.UNPERFORMED, State.PERFORMED):
        Agreement.objects.create(mediation=m, form=AgreementForm.ORAL, facts="", obligations="李四拆除滴水檐",
                                 performance_terms="", signed_on=date(2025, 12, 5), follow_up_on=date(2025, 12, 20),
                                 recorded_by=world.mediator)  # fmt: skip
    if state == State.WITH_COURT:
        Mediation.objects.filter(pk=m.pk).update(kind=MediationKind.JUDICIAL, court_name="示范县人民法院")
    m.refresh_from_db()
    return m


def _do(action: str, m: Mediation, actor: User, world) -> None:
    """Take `action` through its service with valid input."""
    if action == Action.CONSENT:
        services.party_consent(party=m.parties.first(), actor=actor, consent="given")
    elif action == Action.START:
        services.mediation_start(mediation=m, actor=actor)
    elif action == Action.SESSION:
        services.session_record(
            mediation=m, actor=actor, held_on=TODAY, place="村部", attendees="双方", record="调解"
        )
    elif action == Action.AGREE:
        services.agreement_sign(mediation=m, actor=actor, form=AgreementForm.ORAL, facts="", obligations="各让三尺",
                                performance_terms="", signed_on=TODAY, follow_up_on=TODAY)  # fmt: skip
    elif action == Action.TERMINATE:
        services.mediation_terminate(
            mediation=m, actor=actor, reason="分歧大", routes_told=services.DEFAULT_ROUTES
        )
    elif action == Action.HAND_OFF:
        services.mediation_hand_off(mediation=m, actor=actor, kind=MediationKind.ADMINISTRATIVE,
                                    organ=world.department_handler.unit)  # fmt: skip
    elif action in (Action.FOLLOW_UP_PERFORMED, Action.FOLLOW_UP_NOT_PERFORMED):
        perf = Performance.PERFORMED if action == Action.FOLLOW_UP_PERFORMED else Performance.NOT_PERFORMED
        services.follow_up_record(mediation=m, actor=actor, performance=perf, note="回访")
    elif action == Action.COURT_OUTCOME:
        services.court_outcome_record(mediation=m, actor=actor, outcome=CourtOutcome.MEDIATED, on=TODAY)
    else:  # pragma: no cover - a new action without a driver fails the test
        raise AssertionError(action)


def test_every_action_has_a_driver_and_a_permission():
    assert set(transitions.MAY) == set(Action.values)


@pytest.mark.parametrize("state,action", list(itertools.product(State.values, Action.values)))
def test_each_state_and_action_does_what_the_table_says_for_whom_it_says(state, action, world, clock):
    clock.set(TODAY)
    target = transitions.TRANSITIONS.get((state, action))
    allowed = transitions.MAY[action]
    for role in Role.values:
        m = _in_state(world, state)
        actor = User.objects.create_user(
            username=f"u-{role}-{m.pk}", password="x", unit=world.committee, role=role
        )
        if target is None:
            with pytest.raises(TransitionNotAllowed):
                _do(action, m, actor, world)
        elif role not in allowed:
            with pytest.raises(PermissionDenied):
                _do(action, m, actor, world)
            m.refresh_from_db()
            assert m.state == state  # nothing half-written
        else:
            _do(action, m, actor, world)
            m.refresh_from_db()
            assert m.state == target, (state, action, role)
    if target is not None:
        # staff of another village's committee in an allowed role are refused: the organ's own only
        m = _in_state(world, state)
        with pytest.raises(PermissionDenied):
            _do(action, m, world.other_mediator, world)
