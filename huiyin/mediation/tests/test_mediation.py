"""Mediation by the rules of 人民调解法: consent (§17, §23), work records (§27), the written agreement
(§28–§30), follow-up (§31), 司法确认 within 30 days (§33), the routes told on failure (§26); 三调联动; the
level where a dispute ended derived from the organ."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.choices import Status
from huiyin.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.mediation import selectors, services
from huiyin.mediation.choices import (
    AgreementForm,
    Consent,
    CourtOutcome,
    ItemStatus,
    MediationKind,
    Performance,
    ResolutionLevel,
)
from huiyin.mediation.models import Mediation
from huiyin.mediation.tests.conftest import add_session, people_mediation
from huiyin.mediation.transitions import State
from huiyin.workflow import services as wf
from huiyin.workflow.tests.drive import drive_to

TODAY = date(2025, 12, 10)


def _written(m, actor, **kw):
    args = dict(form=AgreementForm.WRITTEN, facts="滴水檐越界三十厘米", obligations="李四于月底前改建滴水檐",
                performance_terms="2025年12月31日前自行改建", signed_on=TODAY, follow_up_on=date(2026, 1, 5),
                parties_signed=True, sealed=True)  # fmt: skip
    args.update(kw)
    return services.agreement_sign(mediation=m, actor=actor, **args)


def test_mediation_cannot_start_while_a_party_has_not_consented_law_17(world, clock):
    clock.set(TODAY)
    m = people_mediation(world, consent=Consent.PENDING)
    with pytest.raises(TransitionNotAllowed, match="第十七条"):
        services.mediation_start(mediation=m, actor=world.mediator)
    for party in m.parties.all():
        services.party_consent(party=party, actor=world.mediator, consent=Consent.GIVEN)
    assert services.mediation_start(mediation=m, actor=world.mediator).state == State.IN_PROGRESS


def test_a_party_who_withdraws_stops_sessions_and_agreement_law_23(world, clock):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    add_session(m, world.mediator)
    services.party_consent(
        party=m.parties.last(), actor=world.mediator, consent=Consent.WITHDRAWN, note="想起诉"
    )
    with pytest.raises(TransitionNotAllowed):
        services.session_record(
            mediation=m, actor=world.mediator, held_on=TODAY, place="村部", attendees="x", record="y"
        )
    with pytest.raises(TransitionNotAllowed):
        _written(m, world.mediator)
    m = services.mediation_terminate(mediation=m, actor=world.mediator, reason="李四要求终止调解",
                                     routes_told=services.DEFAULT_ROUTES)  # fmt: skip
    assert m.state == State.TERMINATED and "人民法院提起诉讼" in m.routes_told


def test_termination_without_the_legal_routes_is_refused_law_26(world, clock):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    with pytest.raises(ValidationFailed, match="第二十六条"):
        services.mediation_terminate(mediation=m, actor=world.mediator, reason="不成", routes_told=" ")
    m.refresh_from_db()
    assert m.state == State.IN_PROGRESS


def test_an_agreement_needs_a_recorded_session_law_27(world, clock):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    with pytest.raises(TransitionNotAllowed, match="第二十七条"):
        _written(m, world.mediator)


def test_a_written_agreement_must_be_signed_and_sealed_and_state_performance_law_28_29(world, clock):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    add_session(m, world.mediator)
    with pytest.raises(ValidationFailed, match="第二十九条"):
        _written(m, world.mediator, sealed=False)
    with pytest.raises(ValidationFailed):
        _written(m, world.mediator, performance_terms="")
    m.refresh_from_db()
    assert m.state == State.IN_PROGRESS and not hasattr(m, "agreement")
    agreement = _written(m, world.mediator)
    assert agreement.copies == 3  # §30: one for each of the two parties and one for the committee


def test_an_oral_agreement_is_recorded_without_signatures(world, clock):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    add_session(m, world.mediator)
    agreement = services.agreement_sign(mediation=m, actor=world.mediator, form=AgreementForm.ORAL, facts="",
                                        obligations="当场赔偿50元", performance_terms="", signed_on=TODAY,
                                        follow_up_on=TODAY)  # fmt: skip
    assert agreement.copies == 0 and agreement.mediation.resolution_level == ResolutionLevel.VILLAGE


def test_judicial_confirmation_may_be_asked_within_30_days_over_the_year_end_law_33():
    # signed 2025-12-15; 30 calendar days: 16 remain in December (16th–31st), 14 more in January → 2026-01-14
    agreement = services.Agreement(signed_on=date(2025, 12, 15))
    assert services.confirmation_deadline(agreement) == date(2026, 1, 14)


def test_an_agreement_at_the_village_committee_ends_at_village_level_and_settles_the_item(world, clock):
    clock.set(TODAY)
    item = services.item_report(actor=world.grid_worker, territory=world.grid, kind="neighbour",
                                summary="滴水檐", parties="张三、李四", risk="ordinary")  # fmt: skip
    m = services.mediation_from_item(item=item, actor=world.grid_worker)
    assert (m.organ, m.kind, m.item, [p.name for p in m.parties.all()]) == (
        world.committee,
        MediationKind.PEOPLE,
        item,
        ["张三", "李四"],
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_MEDIATION
    for p in m.parties.all():
        services.party_consent(party=p, actor=world.mediator, consent=Consent.GIVEN)
    services.mediation_start(mediation=m, actor=world.mediator)
    services.session_record(mediation=m, actor=world.mediator, held_on=date(2025, 12, 8), place="村部",
                            attendees="张三、李四、郑调解", record="第一次调解")  # fmt: skip
    services.session_record(mediation=m, actor=world.mediator, held_on=TODAY, place="现场",
                            attendees="张三、李四、郑调解", record="现场查看")  # fmt: skip
    _written(m, world.mediator)
    m.refresh_from_db()
    item.refresh_from_db()
    assert (m.state, m.resolution_level, item.status, item.settled_on) == (
        State.AGREED,
        ResolutionLevel.VILLAGE,
        ItemStatus.SETTLED,
        TODAY,
    )
    assert [a.mediation_id for a in selectors.follow_ups_due(world.grid_worker)] == [m.pk]
    services.follow_up_record(
        mediation=m, actor=world.grid_worker, performance=Performance.PERFORMED, note="已改建"
    )
    m.refresh_from_db()
    assert m.state == State.PERFORMED and m.agreement.performance == Performance.PERFORMED


def test_a_failed_people_mediation_goes_to_a_department_and_ends_at_its_level(world, clock):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    services.mediation_terminate(
        mediation=m, actor=world.mediator, reason="分歧大", routes_told=services.DEFAULT_ROUTES
    )
    nxt = services.mediation_hand_off(mediation=m, actor=world.mediator, kind=MediationKind.ADMINISTRATIVE,
                                      organ=world.department_handler.unit)  # fmt: skip
    assert (nxt.kind, nxt.previous, nxt.state, [p.consent for p in nxt.parties.all()]) == (
        MediationKind.ADMINISTRATIVE,
        m,
        State.PENDING,
        [Consent.PENDING, Consent.PENDING],
    )  # a new mediation asks consent again
    handler = world.department_handler
    for p in nxt.parties.all():
        services.party_consent(party=p, actor=handler, consent=Consent.GIVEN)
    services.mediation_start(mediation=nxt, actor=handler)
    add_session(nxt, handler)
    _written(nxt, handler)
    nxt.refresh_from_db()
    assert nxt.resolution_level == ResolutionLevel.COUNTY  # 住建局 sits in the county
    assert services.chain_of(nxt) == [m, nxt] == services.chain_of(m)


def test_guided_to_the_court_the_outcome_is_entered_and_counts_at_the_courts_level(world, clock, org):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    services.mediation_terminate(
        mediation=m, actor=world.mediator, reason="不成", routes_told=services.DEFAULT_ROUTES
    )
    court = services.mediation_hand_off(mediation=m, actor=world.mediator, kind=MediationKind.JUDICIAL,
                                        court_name="示范县人民法院")  # fmt: skip
    assert (court.state, court.court_territory) == (State.WITH_COURT, org.county)
    services.court_outcome_record(
        mediation=court, actor=world.mediator, outcome=CourtOutcome.MEDIATED, on=TODAY
    )
    court.refresh_from_db()
    assert (court.state, court.resolution_level) == (State.COURT_CONCLUDED, ResolutionLevel.COUNTY)


def test_a_judgment_is_no_mediated_resolution(world, clock):
    clock.set(TODAY)
    m = people_mediation(world, state=State.TERMINATED)
    court = services.mediation_hand_off(
        mediation=m, actor=world.mediator, kind=MediationKind.JUDICIAL, court_name="法院"
    )
    services.court_outcome_record(
        mediation=court, actor=world.mediator, outcome=CourtOutcome.JUDGED, on=TODAY
    )
    court.refresh_from_db()
    assert court.resolution_level == ""


def test_a_petition_goes_to_mediation_and_the_agreement_answers_it_through_the_workflow(
    world, clock, register_case, cast_all
):
    clock.set(TODAY)
    case = drive_to(register_case(), Status.IN_HANDLING, cast_all)  # handled by unit A (住建局)
    handler = world.department_handler
    case = wf.case_accept_assignment(case=case, actor=handler)  # the unit accepts (条例 §23¶3)
    m = services.mediation_from_case(case=case, actor=handler, organ=handler.unit,
                                     kind=MediationKind.ADMINISTRATIVE, respondents=["某物业公司"])  # fmt: skip
    assert [p.name for p in m.parties.all()] == ["刘群众", "某物业公司"]
    assert case.events.filter(event_type="mediation_opened").exists()
    for p in m.parties.all():
        services.party_consent(party=p, actor=handler, consent=Consent.GIVEN)
    services.mediation_start(mediation=m, actor=handler)
    add_session(m, handler)
    _written(m, handler)
    case = services.mediation_answer_petition(mediation=m, actor=handler)
    assert case.status == Status.REPLIED
    assert "李四于月底前改建滴水檐" in case.opinions.get().agreement
    with pytest.raises(TransitionNotAllowed):  # once only
        services.mediation_answer_petition(mediation=m, actor=handler)


def test_an_outsider_cannot_send_a_petition_to_mediation(world, clock, register_case, cast_all):
    clock.set(TODAY)
    case = drive_to(register_case(), Status.IN_HANDLING, cast_all)
    with pytest.raises(Exception) as exc:
        services.mediation_from_case(case=case, actor=world.mediator, organ=world.committee,
                                     kind=MediationKind.PEOPLE, respondents=[])  # fmt: skip
    assert exc.type.__name__ in ("NotFound", "PermissionDenied")


def test_an_accusations_mediation_never_reaches_the_accused_side_cf1(
    world, clock, register_case, cast_all, org
):
    """条例 §30¶3: an accusation against 东城镇人民政府 is mediated at the county; the township's staff and
    its village committee (the accused side) never see the mediation, and may not hold it."""
    clock.set(TODAY)
    case = drive_to(register_case(petition_type="accusation", accused_unit_id=org.township_gov.pk, territory_id=org.village.pk), Status.IN_HANDLING,
                    cast_all)  # fmt: skip
    handler = world.department_handler
    with pytest.raises(ValidationFailed, match="第三十条"):
        services.mediation_from_case(case=case, actor=handler, organ=world.committee, kind=MediationKind.PEOPLE,
                                     respondents=["东城镇"])  # fmt: skip
    m = services.mediation_from_case(case=case, actor=handler, organ=handler.unit,
                                     kind=MediationKind.ADMINISTRATIVE, respondents=["东城镇"])  # fmt: skip
    # the mediation's territory is the case's; still the accused side does not see it
    assert m in selectors.mediations_for(handler)
    for accused_side in (world.township_handler, world.mediator, world.grid_worker):
        assert m not in selectors.mediations_for(accused_side), accused_side.username


def test_the_mediators_workbench_lists_this_weeks_sessions(world, clock):
    clock.set(date(2025, 12, 10))  # a Wednesday: the week is Mon 8th – Sun 14th
    m = people_mediation(world, state=State.IN_PROGRESS)
    this_week = add_session(m, world.mediator, date(2025, 12, 8))
    add_session(m, world.mediator, date(2025, 12, 7))  # the Sunday before
    assert list(selectors.week_sessions(world.mediator)) == [this_week]


def test_another_committee_may_not_record_a_session(world, clock):
    clock.set(TODAY)
    m = people_mediation(world, state=State.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.session_record(
            mediation=m, actor=world.other_mediator, held_on=TODAY, place="x", attendees="x", record="x"
        )


def _api(user):
    from django.test import Client

    from huiyin.org.services import token_issue

    _, raw = token_issue(user=user, name="测试")
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_the_workflow_mediate_action_starts_the_linked_mediation_that_later_answers_the_case(
    world, clock, register_case, cast_all
):
    # issue 13 item 3: the existing 调解和解 becomes the start of a linked mediation case (API)
    clock.set(TODAY)
    case = drive_to(register_case(), Status.IN_HANDLING, cast_all)
    handler = world.department_handler
    case = wf.case_accept_assignment(case=case, actor=handler)
    api = _api(handler)
    url = f"/api/cases/{case.pk}/actions/mediate"
    # an old client's agreement text is refused: the body is who mediates and the other party
    old = api.post(
        url, {"agreement": "双方同意", "facts_reasons": "协商一致"}, content_type="application/json"
    )
    assert old.status_code == 422 and "message" in old.json()
    bad = api.post(url, {"organ": 999999, "kind": "administrative"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["extra"]["fields"] == {
        "organ": "调解组织（id=999999）不存在或已停用"
    }
    response = api.post(
        url,
        {"organ": handler.unit_id, "kind": "administrative", "respondents": ["某物业公司"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.IN_HANDLING  # nothing answered yet
    m = Mediation.objects.get(case=case)
    assert (m.kind, m.organ_id) == (MediationKind.ADMINISTRATIVE, handler.unit_id)
    # asked again while it is under way: 409, one mediation per petition
    again = api.post(url, {"organ": handler.unit_id, "kind": "people"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["message"] == services.MSG_ALREADY_MEDIATING
    assert [p.name for p in m.parties.all()] == ["刘群众", "某物业公司"]
    # and the agreement answers the petition through the workflow (条例 §33)
    for p in m.parties.all():
        services.party_consent(party=p, actor=handler, consent=Consent.GIVEN)
    services.mediation_start(mediation=m, actor=handler)
    add_session(m, handler)
    _written(m, handler)
    case = services.mediation_answer_petition(mediation=m, actor=handler)
    assert case.status == Status.REPLIED and case.opinions.get().decision == "mediated"


def test_the_mediate_action_keeps_the_workflow_rules(world, clock, register_case, cast_all):
    # who may (the handling unit's handler or head, 条例 §33), in which status (办理中), after acceptance
    clock.set(TODAY)
    case = drive_to(register_case(), Status.IN_HANDLING, cast_all)
    handler = world.department_handler
    body = {"organ": handler.unit_id, "kind": "administrative", "respondents": ["某物业公司"]}
    url = f"/api/cases/{case.pk}/actions/mediate"
    # not yet accepted by the unit (条例 §23¶3): refused, nothing opened
    assert _api(handler).post(url, body, content_type="application/json").status_code == 409
    case = wf.case_accept_assignment(case=case, actor=handler)
    # the township's handler is not the handling unit: 403 (or 404 when it cannot see the case)
    assert _api(world.township_handler).post(url, body, content_type="application/json").status_code in (
        403,
        404,
    )
    assert not Mediation.objects.filter(case=case).exists()


def test_without_the_mediation_module_the_mediate_action_is_refused(
    world, clock, register_case, cast_all, monkeypatch
):
    from huiyin.core import registry

    clock.set(TODAY)
    case = drive_to(register_case(), Status.IN_HANDLING, cast_all)
    handler = world.department_handler
    case = wf.case_accept_assignment(case=case, actor=handler)
    monkeypatch.setattr(registry, "aid", lambda name: None)
    response = _api(handler).post(
        f"/api/cases/{case.pk}/actions/mediate",
        {"organ": handler.unit_id, "kind": "administrative"},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["message"] == wf.MSG_NO_MEDIATION
