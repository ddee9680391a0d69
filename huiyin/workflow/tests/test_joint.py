"""一揽子解决: a lead unit and co-handling units, each with a task, a clock and a report; one reply."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from huiyin.cases.models import CaseEvent
from huiyin.core.errors import TransitionNotAllowed, ValidationFailed
from huiyin.core.models import AuditEntry
from huiyin.org.services import token_issue
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind, ClockState, CoTaskState
from huiyin.workflow.models import Clock, CoHandling
from huiyin.workflow.tests.drive import REPLY
from huiyin.workflow.transitions import Action

DAY = date(2025, 3, 3)


def bearer(user):
    _, raw = token_issue(user=user, name="测试")
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture
def joint_case(register_case, clock, org, dispatcher_zhou):
    """A case assigned to unit A (lead) with unit B (same deadline) and the township (its own)."""
    clock.set(DAY)
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    return wf.case_assign(
        case=case,
        actor=dispatcher_zhou,
        unit=org.unit_a,
        deadline=DAY + timedelta(days=30),
        instructions="请会同民政局、东城镇一并解决",
        co_units=[wf.CoUnit(org.unit_b), wf.CoUnit(org.township_gov, DAY + timedelta(days=10))],
    )


def test_each_co_unit_gets_its_own_task_and_clock(joint_case, org):
    tasks = {t.unit: t for t in CoHandling.objects.filter(case=joint_case)}
    assert set(tasks) == {org.unit_b, org.township_gov}
    assert tasks[org.unit_b].deadline == DAY + timedelta(days=30)  # the lead's deadline by default
    assert tasks[org.township_gov].deadline == DAY + timedelta(days=10)  # its own
    co_clocks = {c.unit: c.due_on for c in Clock.objects.filter(case=joint_case, kind=ClockKind.CO_HANDLING)}
    assert co_clocks == {org.unit_b: DAY + timedelta(days=30), org.township_gov: DAY + timedelta(days=10)}
    assign = CaseEvent.objects.get(case=joint_case, event_type=Action.ASSIGN)
    assert [c["unit_name"] for c in assign.data["co_units"]] == [org.unit_b.name, org.township_gov.name]


def test_the_lead_cannot_reply_until_every_co_unit_has_reported_and_the_case_replies_once(
    joint_case, org, handler_wang_unit_a, handler_zhao_unit_b, co_handler_he, client
):
    # the lead unit has accepted the matter (条例 §23¶3)
    joint_case = wf.case_accept_assignment(case=joint_case, actor=handler_wang_unit_a)
    # when the lead tries to reply before the co-units report, then it is refused and says who is missing
    with pytest.raises(TransitionNotAllowed, match="示范县民政局、东城镇人民政府"):
        wf.case_reply(case=joint_case, actor=handler_wang_unit_a, **REPLY)
    assert Action.REPLY not in wf.allowed_actions(joint_case, handler_wang_unit_a)

    # when unit B reports through the case page (UI)
    client.force_login(handler_zhao_unit_b)
    assert Action.CO_REPORT in wf.allowed_actions(joint_case, handler_zhao_unit_b)
    response = client.post(f"/cases/{joint_case.code}/actions/co_report/", {"report": "低保资格已复核"})
    assert response.status_code == 302
    # then only the township is still awaited
    with pytest.raises(TransitionNotAllowed, match="东城镇人民政府"):
        wf.case_reply(case=joint_case, actor=handler_wang_unit_a, **REPLY)

    # when the township reports through the API
    response = bearer(co_handler_he).post(
        f"/api/cases/{joint_case.pk}/actions/co_report",
        {"report": "已协调物业维修"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["events"][-1]["event_type"] == "co_report"

    # then each co-task is reported and its clock met; the lead replies, once
    assert set(CoHandling.objects.filter(case=joint_case).values_list("state", flat=True)) == {
        CoTaskState.REPORTED
    }
    assert set(
        Clock.objects.filter(case=joint_case, kind=ClockKind.CO_HANDLING).values_list("state", flat=True)
    ) == {ClockState.MET}
    case = wf.case_reply(case=joint_case, actor=handler_wang_unit_a, **REPLY)
    assert case.status == "replied"
    assert case.opinions.count() == 1
    events = list(CaseEvent.objects.filter(case=case).values_list("event_type", flat=True))
    assert events.count("co_report") == 2 and events.count("reply") == 1


def test_a_co_unit_sees_the_case_in_its_co_handling_queue_and_cannot_reply(
    joint_case, handler_zhao_unit_b, django_assert_max_num_queries
):
    from huiyin.workflow.selectors import queue_co_handling

    with django_assert_max_num_queries(1):
        assert list(queue_co_handling(handler_zhao_unit_b)) == [joint_case]
    assert set(wf.allowed_actions(joint_case, handler_zhao_unit_b)) == {
        Action.CO_REPORT,
        Action.RECUSE,
    }


def test_the_accused_unit_can_never_be_a_co_unit(register_case, org, dispatcher_zhou):
    case = register_case(petition_type="accusation", accused_unit_id=org.unit_b.pk)
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    with pytest.raises(ValidationFailed, match="第三十条第三款"):
        wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.township_gov, co_units=[org.unit_b])
    assert AuditEntry.objects.filter(case=case, kind=AuditEntry.Kind.ACCESS_DENIED).count() == 1
    assert not CoHandling.objects.filter(case=case).exists()


def test_a_return_cancels_the_open_co_tasks(joint_case, handler_wang_unit_a, dispatcher_zhou):
    case = wf.case_object(case=joint_case, actor=handler_wang_unit_a, reason="不属本局职责")
    wf.case_return(case=case, actor=dispatcher_zhou)
    assert set(CoHandling.objects.filter(case=case).values_list("state", flat=True)) == {
        CoTaskState.CANCELLED
    }
    assert not Clock.objects.filter(
        case=case, kind=ClockKind.CO_HANDLING, state__in=("running", "yellow", "red")
    ).exists()
