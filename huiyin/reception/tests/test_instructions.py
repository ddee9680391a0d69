"""领导批示 (条例 §18¶2, LD-1): the instruction reaches the unit as a work notice, shows on the citizen's
timeline without the leader's words, is answered by the unit and tracked against its deadline."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.models import CaseEvent
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.notify.staff import notices_for_event
from huiyin.portal.selectors import citizen_timeline
from huiyin.reception import instructions as ins

pytestmark = pytest.mark.django_db


def assigned(register_case, dispatcher_zhou, org):
    from huiyin.workflow import services as wf

    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    return wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2025, 10, 31))


def test_a_leaders_instruction_tells_the_unit_and_the_citizen_sees_it_without_the_text(
    register_case, county_leader, org, handler_wang_unit_a, head_sun_unit_a, clock, dispatcher_zhou
):
    clock.set(date(2025, 9, 1))
    case = assigned(register_case, dispatcher_zhou, org)
    i = ins.instruction_issue(
        case=case,
        actor=county_leader,
        text="内部：请住建局核查维修基金使用",
        deadline=date(2025, 9, 15),
        unit=org.unit_a,
    )
    event = CaseEvent.objects.get(case=case, event_type=ins.EVENT_ISSUED)
    notices, _ = notices_for_event(event)
    assert {n.user_id for n in notices} == {handler_wang_unit_a.pk, head_sun_unit_a.pk}
    assert "请住建局核查维修基金使用" in notices[0].text
    shown = " ".join(str(r) for r in citizen_timeline(case))
    assert "马县长对您的事项作出批示" in shown and "维修基金" not in shown
    assert i.state(date(2025, 9, 16)) == "逾期未落实" and i.state(date(2025, 9, 15)) == "落实中"
    clock.set(date(2025, 9, 10))
    ins.instruction_answer(instruction=i, actor=handler_wang_unit_a, answer="已维修完毕")
    i.refresh_from_db()
    assert i.state(date(2025, 9, 20)) == "已落实"
    answered = CaseEvent.objects.get(case=case, event_type=ins.EVENT_ANSWERED)
    assert [n.user_id for n in notices_for_event(answered)[0]] == [county_leader.pk]


def test_only_a_leader_instructs_and_only_the_named_unit_answers(
    register_case, county_leader, org, dispatcher_zhou, handler_zhao_unit_b, clock
):
    clock.set(date(2025, 9, 1))
    case = assigned(register_case, dispatcher_zhou, org)
    with pytest.raises(ValidationFailed):  # 民政局 is not on this case
        ins.instruction_issue(
            case=case, actor=county_leader, text="x", deadline=date(2025, 9, 15), unit=org.unit_b
        )
    with pytest.raises(PermissionDenied):
        ins.instruction_issue(
            case=case, actor=dispatcher_zhou, text="x", deadline=date(2025, 9, 15), unit=org.unit_a
        )
    i = ins.instruction_issue(
        case=case, actor=county_leader, text="x", deadline=date(2025, 9, 15), unit=org.unit_a
    )
    with pytest.raises(PermissionDenied):
        ins.instruction_answer(instruction=i, actor=handler_zhao_unit_b, answer="不是我们的")


def test_art30_an_accusation_is_never_instructed_to_the_accused_unit(org, clerk_li, county_leader, clock):
    from huiyin.cases.services import CaseIn, PetitionerIn
    from huiyin.intake.services import case_register

    clock.set(date(2025, 9, 1))
    case, _ = case_register(
        data=CaseIn(
            channel="visit", petition_type="accusation", title="举报住建局", content="x", accused_person="某科长",
            accused_unit_id=org.unit_a.pk, petitioners=[PetitionerIn(name="举报人甲", phone="13700000000")],
        ),
        office=org.county_office, actor=clerk_li,
    )  # fmt: skip
    with pytest.raises(ValidationFailed):
        ins.instruction_issue(
            case=case, actor=county_leader, text="x", deadline=date(2025, 9, 15), unit=org.unit_a
        )


def test_the_instruction_page_issues_and_the_unit_answers_there(
    client, register_case, county_leader, org, handler_wang_unit_a, clock, dispatcher_zhou
):
    from huiyin.reception.models import Instruction

    clock.set(date(2025, 9, 1))
    case = assigned(register_case, dispatcher_zhou, org)
    client.force_login(county_leader)
    r = client.post(
        f"/cases/{case.code}/instructions/",
        {"op": "issue", "text": "限期解决", "unit": org.unit_a.pk, "deadline": "2025-09-15"},
    )
    assert r.status_code == 302
    bad = client.post(
        f"/cases/{case.code}/instructions/", {"op": "issue", "text": "x", "unit": "", "deadline": "nope"}
    )
    assert bad.status_code == 400 and Instruction.objects.count() == 1
    client.force_login(handler_wang_unit_a)
    i = Instruction.objects.get()
    page = client.get(f"/cases/{case.code}/instructions/").content.decode()
    assert "限期解决" in page and "报告落实情况" in page
    client.post(
        f"/cases/{case.code}/instructions/", {"op": "answer", "instruction": i.pk, "answer": "已办结"}
    )
    i.refresh_from_db()
    assert i.answer == "已办结" and i.answered_by_id == handler_wang_unit_a.pk
