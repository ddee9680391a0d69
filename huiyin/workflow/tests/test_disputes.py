"""Competence disputes (条例 §24): the common superior (or the 联席会议) decides, on a clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from huiyin.cases.models import CaseEvent
from huiyin.core.errors import PermissionDenied, TransitionNotAllowed
from huiyin.org.choices import RuleKey, UnitKind, ValueUnit
from huiyin.org.models import RuleProfile, RuleValue, Unit
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind, DisputeState
from huiyin.workflow.models import Clock, CompetenceDispute
from huiyin.workflow.tests.drive import REPLY
from huiyin.workflow.transitions import Action

DAY = date(2025, 3, 3)  # a Monday


@pytest.fixture
def objected(register_case, clock, org, dispatcher_zhou, handler_wang_unit_a):
    """Unit A objects to a case forwarded to it: it says 民政 (unit B) is competent."""
    clock.set(DAY)
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    return wf.case_object(case=case, actor=handler_wang_unit_a, reason="属民政局低保职责")


def test_a_dispute_goes_to_the_common_superior_and_its_decision_reroutes_the_case(
    objected, org, dispatcher_zhou, reviewer_qian, handler_wang_unit_a, handler_zhao_unit_b
):
    # when the dispatcher refers the dispute between unit A and unit B
    case = wf.case_refer_dispute(
        case=objected, actor=dispatcher_zhou, units=[org.unit_b], reason="住建局、民政局均认为不属本单位"
    )
    # then their common superior, the county government, must decide within 10 working days
    dispute = CompetenceDispute.objects.get(case=case)
    assert dispute.decider == org.county_gov and set(dispute.units.all()) == {org.unit_a, org.unit_b}
    clock = Clock.objects.get(case=case, kind=ClockKind.DISPUTE)
    assert (clock.unit, clock.due_on) == (org.county_gov, date(2025, 3, 17))
    refer = CaseEvent.objects.filter(case=case).latest("id")
    assert (refer.event_type, refer.data["decider_name"]) == ("refer_dispute", "示范县人民政府")
    # and nobody replies while the dispute is open
    with pytest.raises(TransitionNotAllowed, match="管辖争议正待示范县人民政府决定"):
        wf.case_reply(case=case, actor=handler_wang_unit_a, **REPLY)
    # and only the superior decides
    with pytest.raises(PermissionDenied):
        wf.case_decide_dispute(case=case, actor=handler_zhao_unit_b, unit=org.unit_b, reason="我们办")

    # when the county government decides that unit B is competent
    assert Action.DECIDE_DISPUTE in wf.allowed_actions(case, reviewer_qian)
    case = wf.case_decide_dispute(case=case, actor=reviewer_qian, unit=org.unit_b, reason="属低保审核职责")

    # then the decision is an event, the case is unit B's, and the clocks follow it
    decided = CaseEvent.objects.filter(case=case).latest("id")
    assert (decided.event_type, decided.data["unit_name"]) == ("decide_dispute", "示范县民政局")
    assert case.handling_unit == org.unit_b and not case.objection_pending
    assert CompetenceDispute.objects.get(pk=dispute.pk).state == DisputeState.DECIDED
    assert Clock.objects.get(case=case, kind=ClockKind.DISPUTE).state == "met"
    # (unit A objected instead of accepting, so no 60 days run yet: unit B now owes the acceptance, §23¶3)
    assert not Clock.objects.filter(case=case, kind=ClockKind.HANDLING).exists()
    assert Clock.objects.get(case=case, kind=ClockKind.UNIT_ACCEPTANCE).unit == org.unit_b
    # and the decided unit cannot object again: the decision settles competence
    assert Action.OBJECT not in wf.allowed_actions(case, handler_zhao_unit_b)
    # and it accepts the matter and tells the petitioner (条例 §23¶3) before it answers
    assert Action.ACCEPT_ASSIGNMENT in wf.allowed_actions(case, handler_zhao_unit_b)
    case = wf.case_accept_assignment(case=case, actor=handler_zhao_unit_b)
    assert Action.REPLY in wf.allowed_actions(case, handler_zhao_unit_b)


def test_units_without_a_common_superior_go_to_the_joint_conference(objected, org, dispatcher_zhou):
    # given a city bureau with no parent and the county's 联席会议
    city_bureau = Unit.objects.create(
        code="C-MZ", name="示范市民政局", kind=UnitKind.CIVIL_AFFAIRS, territory=org.city
    )
    conference = Unit.objects.create(
        code="C-LX", name="示范市信访工作联席会议", kind=UnitKind.JOINT_CONFERENCE, territory=org.city
    )
    case = wf.case_refer_dispute(case=objected, actor=dispatcher_zhou, units=[city_bureau], reason="市县争议")
    assert CompetenceDispute.objects.get(case=case).decider == conference


def test_the_dispute_clock_follows_the_rule_profile(objected, org, dispatcher_zhou):
    # given the case's profile sets 5 calendar days for a dispute decision
    profile = RuleProfile.objects.create(code="test-dispute", name="测试", based_on=RuleProfile.national())
    RuleValue.objects.create(
        profile=profile, key=RuleKey.DISPUTE_DAYS, value=5, unit=ValueUnit.CALENDAR_DAY, article="测试"
    )
    type(objected).objects.filter(pk=objected.pk).update(rule_profile=profile)
    objected.refresh_from_db()
    case = wf.case_refer_dispute(case=objected, actor=dispatcher_zhou, units=[org.unit_b], reason="争议")
    assert Clock.objects.get(case=case, kind=ClockKind.DISPUTE).due_on == DAY + timedelta(days=5)
