"""督办 (条例 §40): candidates from the sweep, orders, answers, escalation up the unit's chain; and the
immediate report of major/urgent matters (条例 §25)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from huiyin.cases.models import CaseEvent
from huiyin.core.errors import PermissionDenied, ValidationFailed
from huiyin.org.models import User
from huiyin.org.services import token_issue
from huiyin.supervision import services
from huiyin.supervision.choices import CandidateReason, CandidateState, OrderState
from huiyin.supervision.models import SupervisionCandidate, SupervisionOrder, UrgentReportRecipient
from huiyin.workflow import services as wf
from huiyin.workflow.clocks import sweep_clocks
from huiyin.workflow.tests.drive import REPLY

DAY = date(2025, 3, 3)


def bearer(user):
    _, raw = token_issue(user=user, name="测试")
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture
def assigned(register_case, clock, org, dispatcher_zhou):
    """A case assigned to unit A on 3 March with a 10-day deadline."""
    clock.set(DAY)
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    return wf.case_assign(
        case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=DAY + timedelta(days=10)
    )


def _events(case, prefix="supervision_"):
    return list(
        CaseEvent.objects.filter(case=case, event_type__startswith=prefix)
        .order_by("id")
        .values_list("event_type", flat=True)
    )


def test_from_an_overdue_case_to_a_second_level_order_to_the_units_superior(
    assigned, clock, org, supervisor_chen, handler_wang_unit_a, reviewer_qian, client
):
    # given the assignment deadline passed and the sweeper ran
    clock.set(DAY + timedelta(days=12))
    sweep_clocks()
    counts = services.sweep_supervision()
    # then the case is a 督办 candidate for unit A, found once however often the sweeper runs
    assert counts["candidate_overdue"] == 1
    assert services.sweep_supervision()["candidate_overdue"] == 0
    candidate = SupervisionCandidate.objects.get(case=assigned, reason=CandidateReason.OVERDUE)
    assert candidate.unit == org.unit_a

    # and the supervisor sees it on the 督办 page and issues an order from it (UI)
    client.force_login(supervisor_chen)
    page = client.get("/supervision/")
    assert [c.pk for c in page.context["candidates"]] == [candidate.pk]
    form_page = client.get(f"/cases/{assigned.code}/supervision/?candidate={candidate.pk}")
    assert 'data-testid="order-form"' in form_page.content.decode()
    assert form_page.context["order_form"].initial["candidate"] == str(candidate.pk)
    response = client.post(
        f"/cases/{assigned.code}/supervision/",
        {
            "op": "issue",
            "instructions": "请于5日内办结并报告",
            "due_on": "2025-03-20",
            "candidate": candidate.pk,
        },
    )
    assert response.status_code == 302
    order = SupervisionOrder.objects.get(case=assigned)
    assert (order.unit, order.level, order.state) == (org.unit_a, 1, OrderState.OPEN)
    assert SupervisionCandidate.objects.get(pk=candidate.pk).state == CandidateState.ORDERED
    issued = CaseEvent.objects.filter(case=assigned, event_type="supervision_order").get()
    assert (
        issued.data["unit_name"] == org.unit_a.name and handler_wang_unit_a.pk in issued.data["notify_users"]
    )

    # when unit A does not answer by the deadline and the sweeper runs again
    clock.set(date(2025, 3, 21))
    assert services.sweep_supervision()["order_escalated"] == 1
    assert services.sweep_supervision()["order_escalated"] == 0  # never twice

    # then a second-level order goes to unit A's superior, the county government
    order.refresh_from_db()
    assert order.state == OrderState.ESCALATED
    higher = SupervisionOrder.objects.get(escalated_from=order)
    assert (higher.unit, higher.level, higher.state) == (org.county_gov, 2, OrderState.OPEN)
    assert higher.due_on == date(2025, 3, 21) + timedelta(
        days=(date(2025, 3, 20) - DAY - timedelta(days=12)).days
    )
    escalated = CaseEvent.objects.filter(case=assigned, event_type="supervision_escalated").get()
    assert escalated.data["level"] == 2 and escalated.data["unit_name"] == "示范县人民政府"
    assert reviewer_qian.pk in escalated.data["notify_users"]
    assert _events(assigned) == ["supervision_order", "supervision_escalated"]

    # and unit A can no longer answer the escalated order; the county government answers its own
    with pytest.raises(Exception, match="已逾期未答复，已升级"):
        services.order_answer(order=order, actor=handler_wang_unit_a, answer="迟到的答复")
    client.force_login(reviewer_qian)
    response = client.post(
        f"/cases/{assigned.code}/supervision/",
        {"op": "answer", "order": higher.pk, "answer": "已责成住建局办结"},
    )
    assert response.status_code == 302
    higher.refresh_from_db()
    assert higher.state == OrderState.ANSWERED and higher.answered_by == reviewer_qian
    assert _events(assigned) == ["supervision_order", "supervision_escalated", "supervision_answer"]

    # and both orders are in the units' records
    client.force_login(supervisor_chen)
    record = client.get(f"/supervision/record/?unit={org.unit_a.pk}")
    assert [o.pk for o in record.context["orders"]] == [order.pk]
    assert record.context["counts"]["escalated"] == 1
    record = client.get(f"/supervision/record/?unit={org.county_gov.pk}")
    assert [o.pk for o in record.context["orders"]] == [higher.pk]


def test_the_unit_answers_in_time_and_nothing_escalates(
    assigned, clock, supervisor_chen, handler_wang_unit_a
):
    order = services.order_issue(
        case=assigned, actor=supervisor_chen, instructions="请加快办理", due_on=DAY + timedelta(days=5)
    )
    services.order_answer(order=order, actor=handler_wang_unit_a, answer="已约谈物业，本周维修")
    clock.set(DAY + timedelta(days=9))
    assert services.sweep_supervision()["order_escalated"] == 0
    answered = CaseEvent.objects.get(case=assigned, event_type="supervision_answer")
    assert answered.data["late"] is False and answered.data["notify_users"] == [supervisor_chen.pk]


def test_only_a_supervisor_issues_and_only_the_addressed_unit_answers(
    assigned, supervisor_chen, handler_wang_unit_a, handler_zhao_unit_b, dispatcher_zhou
):
    with pytest.raises(PermissionDenied):
        services.order_issue(
            case=assigned, actor=dispatcher_zhou, instructions="x", due_on=DAY + timedelta(days=3)
        )
    with pytest.raises(ValidationFailed, match="答复期限须晚于今天"):
        services.order_issue(case=assigned, actor=supervisor_chen, instructions="x", due_on=DAY)
    order = services.order_issue(
        case=assigned, actor=supervisor_chen, instructions="x", due_on=DAY + timedelta(days=3)
    )
    with pytest.raises(PermissionDenied):
        services.order_answer(order=order, actor=handler_zhao_unit_b, answer="不是我们")


def test_a_stalled_case_becomes_a_candidate_after_the_rule_days(register_case, clock, org):
    # given a case registered on 3 March and untouched (stalled_days: 15 by default)
    clock.set(DAY)
    case = register_case()
    clock.set(DAY + timedelta(days=14))
    sweep_clocks()  # clock events are not progress
    assert services.find_stalled(clock_day := DAY + timedelta(days=14)) == 0
    clock.set(DAY + timedelta(days=16))
    assert services.find_stalled(clock_day) == 1
    candidate = SupervisionCandidate.objects.get(case=case, reason=CandidateReason.STALLED)
    assert candidate.unit == org.county_office and candidate.detail == "15日无进展"


def test_a_case_returned_twice_becomes_a_candidate(assigned, org, dispatcher_zhou, handler_wang_unit_a):
    case = assigned
    for _ in range(2):
        case = wf.case_object(case=case, actor=handler_wang_unit_a, reason="不属本局")
        case = wf.case_return(case=case, actor=dispatcher_zhou)
        assert services.find_returned_twice() == (0 if _ == 0 else 1)
        if _ == 0:
            case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    assert SupervisionCandidate.objects.get(case=case).detail == "已退回2次"


def test_a_case_rated_dissatisfied_twice_becomes_a_candidate(
    assigned, dispatcher_zhou, clerk_li, handler_wang_unit_a
):
    case = wf.case_accept_assignment(case=assigned, actor=handler_wang_unit_a)  # 条例 §23¶3
    case = wf.case_reply(case=case, actor=handler_wang_unit_a, **REPLY)
    for round_ in range(2):
        case = wf.case_deliver(case=case, actor=clerk_li, method="in_person")
        case = wf.case_rate(case=case, actor=clerk_li, rating="dissatisfied", solved=False)
        if round_ == 0:
            assert services.find_dissatisfied_twice() == 0
            case = wf.case_reopen(case=case, actor=dispatcher_zhou, reason="支持意见未落实")
            case = wf.case_reply(case=case, actor=handler_wang_unit_a, **REPLY)
    assert services.find_dissatisfied_twice() == 1


def test_a_major_urgent_case_is_reported_to_the_configured_leaders_at_registration(
    register_case, org, django_capture_on_commit_callbacks
):
    leader = User.objects.create_user(username="ld", full_name="马县长", unit=org.county_gov, role="leader")
    UrgentReportRecipient.objects.create(territory=org.county, leader=leader)
    with django_capture_on_commit_callbacks(execute=True):
        case = register_case(major_urgent=True)
    report = CaseEvent.objects.get(case=case, event_type="major_urgent_report")
    assert report.data["recipients"] == [leader.pk] and report.data["notify_users"] == [leader.pk]
    # and the sweeper does not report it twice
    assert services.sweep_supervision()["major_urgent_reported"] == 0


def test_the_sweeper_reports_a_major_urgent_case_that_was_missed(register_case, org):
    leader = User.objects.create_user(username="ld2", full_name="牛书记", unit=org.county_gov, role="leader")
    case = register_case(major_urgent=True)  # on-commit receivers never ran in this test transaction
    assert services.sweep_supervision()["major_urgent_reported"] == 1
    # (nobody configured: the county's leaders receive it)
    assert CaseEvent.objects.get(case=case, event_type="major_urgent_report").data["recipients"] == [
        leader.pk
    ]


def test_the_api_lists_issues_and_answers_orders(
    assigned, clock, supervisor_chen, handler_wang_unit_a, django_assert_max_num_queries
):
    clock.set(DAY + timedelta(days=12))
    sweep_clocks()
    services.sweep_supervision()
    api = bearer(supervisor_chen)
    with django_assert_max_num_queries(4):
        candidates = api.get("/api/supervision/candidates").json()
    assert [c["reason"] for c in candidates] == ["overdue"]
    issued = api.post(
        "/api/supervision/orders",
        {
            "case": assigned.code,
            "instructions": "请办结",
            "due_on": "2025-03-20",
            "candidate": candidates[0]["id"],
        },
        content_type="application/json",
    )
    assert issued.status_code == 200, issued.json()
    unit_api = bearer(handler_wang_unit_a)
    with django_assert_max_num_queries(4):
        mine = unit_api.get("/api/supervision/orders").json()
    assert [o["id"] for o in mine] == [issued.json()["id"]]
    answered = unit_api.post(
        "/api/supervision/answers",
        {"order": mine[0]["id"], "answer": "已办结"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    # an outsider learns nothing of the order
    assert (
        bearer(handler_wang_unit_a)
        .post(
            "/api/supervision/orders",
            {"case": assigned.code, "instructions": "x", "due_on": "2025-03-20"},
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_the_supervision_pages_cost_a_bounded_number_of_queries(
    assigned, clock, supervisor_chen, client, django_assert_max_num_queries
):
    clock.set(DAY + timedelta(days=12))
    sweep_clocks()
    services.sweep_supervision()
    services.order_issue(
        case=assigned, actor=supervisor_chen, instructions="x", due_on=DAY + timedelta(days=20)
    )
    client.force_login(supervisor_chen)
    # a fixed number, with one query per module that declares 督办 candidates (mediation, reception)
    with django_assert_max_num_queries(11):
        assert client.get("/supervision/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/supervision/record/").status_code == 200


def test_a_report_made_after_later_steps_records_the_status_the_case_has_then(
    register_case, org, dispatcher_zhou, django_capture_on_commit_callbacks
):
    """The on-commit report holds the case as registered; by the time it runs (a demo or an import in
    one transaction) the case may be accepted: the event records the stored status, not the stale one."""
    User.objects.create_user(username="ld3", full_name="马县长", unit=org.county_gov, role="leader")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = register_case(major_urgent=True)
        wf.case_accept(case=case, actor=dispatcher_zhou)
    for callback in callbacks:
        callback()
    report = CaseEvent.objects.get(case=case, event_type="major_urgent_report")
    assert (report.from_status, report.to_status) == ("accepted", "accepted")


def test_a_supervisor_dismisses_a_candidate_with_a_reason_on_the_record_and_it_is_not_proposed_again(
    assigned, clock, supervisor_chen, dispatcher_zhou, client
):
    clock.set(DAY + timedelta(days=12))
    sweep_clocks()
    services.sweep_supervision()
    candidate = SupervisionCandidate.objects.get(case=assigned)
    # only a supervisor, and only with a reason
    with pytest.raises(PermissionDenied):
        services.candidate_dismiss(candidate=candidate, actor=dispatcher_zhou, reason="已在办")
    client.force_login(supervisor_chen)
    client.post(f"/supervision/candidates/{candidate.pk}/dismiss/", {"reason": "  "})
    assert SupervisionCandidate.objects.get(pk=candidate.pk).state == CandidateState.OPEN
    # with a reason: gone from the list, kept on the case's record
    response = client.post(
        f"/supervision/candidates/{candidate.pk}/dismiss/", {"reason": "已延期获批，不属拖延"}
    )
    assert response.status_code == 302
    assert SupervisionCandidate.objects.get(pk=candidate.pk).state == CandidateState.DISMISSED
    assert client.get("/supervision/").context["candidates"] == []
    event = CaseEvent.objects.get(case=assigned, event_type="supervision_dismissed")
    assert (event.actor, event.reason, event.data["candidate_reason"]) == (
        supervisor_chen,
        "已延期获批，不属拖延",
        "overdue",
    )
    # the sweeper does not propose it again for the same reason
    assert services.sweep_supervision()["candidate_overdue"] == 0
    # and it cannot be dismissed twice (the API answers with the same rule)
    response = bearer(supervisor_chen).post(
        "/api/supervision/candidates/dismiss",
        {"candidate": candidate.pk, "reason": "再次"},
        content_type="application/json",
    )
    assert response.status_code == 404  # no longer an open candidate
    with pytest.raises(Exception, match="该督办线索已处理"):
        services.candidate_dismiss(candidate=candidate, actor=supervisor_chen, reason="再次")
