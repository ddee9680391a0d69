"""The whole statutory chain through the services, with the clocks it runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from huiyin.cases.choices import Status
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind, ClockState
from huiyin.workflow.models import Clock
from huiyin.workflow.tests.drive import drive_to


def _clock(case, kind):
    return Clock.objects.filter(case=case, kind=kind).latest("id")


def test_a_complaint_goes_from_registration_to_final_after_rereview(
    register_case, clock, dispatcher_zhou, clerk_li, handler_wang_unit_a, reviewer_qian, rereviewer_wu, org
):
    # given a complaint registered on Monday 2025-03-03
    clock.set(date(2025, 3, 3))
    case = register_case()
    assert _clock(case, ClockKind.ROUTING).due_on == date(2025, 3, 18)

    # when the office accepts and assigns it to unit A with a deadline
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    assert not Clock.objects.filter(case=case, kind=ClockKind.HANDLING).exists()  # not the office's (§34)
    case = wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2025, 4, 3))
    assert case.status == Status.IN_HANDLING
    assert _clock(case, ClockKind.OBJECTION).due_on == date(2025, 3, 10)  # 5 working days
    assert _clock(case, ClockKind.UNIT_ACCEPTANCE).due_on == date(2025, 3, 18)  # 15 days (条例 §23¶3)
    assert _clock(case, ClockKind.ROUTING).state == ClockState.MET

    # and unit A accepts two days later: its 60 days run from its own acceptance (条例 §34):
    # 5 Mar + 60 days = 4 May (26 days left in March, 30 in April, 4 in May)
    clock.set(date(2025, 3, 5))
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)
    assert _clock(case, ClockKind.HANDLING).due_on == date(2025, 5, 4)
    assert _clock(case, ClockKind.UNIT_ACCEPTANCE).state == ClockState.MET

    # and unit A replies with a completion report; the clerk delivers it
    clock.set(date(2025, 3, 20))
    case = wf.case_reply(
        case=case,
        actor=handler_wang_unit_a,
        facts_reasons="经查属实，已督促物业维修。",
        decision="support",
        legal_basis="《物业管理条例》第三十五条",
        completion_report="已办结",
    )
    assert case.status == Status.REPLIED
    case = wf.case_deliver(case=case, actor=clerk_li, method="in_person")
    assert _clock(case, ClockKind.REVIEW_WINDOW).due_on == date(2025, 4, 19)
    case = wf.case_rate(case=case, actor=clerk_li, rating="dissatisfied", solved=False)

    # then 复查 goes to the county government, 复核 to the city government, with a paused hearing
    clock.set(date(2025, 4, 1))
    case = wf.case_request_review(case=case, actor=clerk_li, reason="维修不彻底")
    assert case.review_unit == org.county_gov
    case = wf.case_review_reply(
        case=case,
        actor=reviewer_qian,
        facts_reasons="复查维持。",
        decision="support",
        legal_basis="《信访工作条例》第三十五条",
    )
    case = wf.case_deliver(case=case, actor=clerk_li, method="mail")
    case = wf.case_request_rereview(case=case, actor=clerk_li, reason="仍不服")
    assert case.rereview_unit == org.city_gov
    rereview = _clock(case, ClockKind.REREVIEW)
    assert rereview.due_on == date(2025, 5, 1)
    case = wf.case_hearing_start(case=case, actor=rereviewer_wu)
    clock.set(date(2025, 4, 11))
    case = wf.case_hearing_end(case=case, actor=rereviewer_wu)
    # 条例 §36¶2: the hearing days, first and last included (1–11 April = 11 days), do not count
    assert _clock(case, ClockKind.REREVIEW).due_on == date(2025, 5, 1) + timedelta(days=11)
    case = wf.case_rereview_reply(
        case=case,
        actor=rereviewer_wu,
        facts_reasons="复核维持。",
        decision="support",
        legal_basis="《信访工作条例》第三十六条",
    )
    assert case.status == Status.FINAL and case.is_final
    assert list(case.events.values_list("event_type", flat=True)) == [
        "register",
        "accept",
        "assign",
        "accept_assignment",
        "reply",
        "deliver",
        "rate",
        "request_review",
        "review_reply",
        "deliver",
        "request_rereview",
        "hearing_start",
        "hearing_end",
        "rereview_reply",
    ]


def test_the_petitioner_can_rate_and_ask_for_review_but_nothing_else(register_case, cast_all, clock):
    from huiyin.core.errors import PermissionDenied

    # given a case whose answer has been delivered
    clock.set(date(2025, 3, 3))
    case = drive_to(register_case(), Status.REPLIED, cast_all)
    case = wf.case_deliver(case=case, actor=cast_all.person("clerk"), method="mail")
    petitioner = wf.CitizenActor(via="portal", petitioner_id=case.parties.get().petitioner_id)
    # when the petitioner rates and asks for review through the portal
    case = wf.case_rate(case=case, actor=petitioner, rating="dissatisfied", solved=False)
    case = wf.case_request_review(case=case, actor=petitioner, reason="问题没有解决")
    # then both are recorded as the petitioner's own acts, and staff actions stay closed to them
    rate, review = case.events.filter(event_type__in=["rate", "request_review"]).order_by("id")
    assert rate.actor is None and rate.data["by"] == "petitioner" and review.data["via"] == "portal"
    assert case.status == Status.UNDER_REVIEW
    with pytest.raises(PermissionDenied):
        wf.case_review_reply(
            case=case, actor=petitioner, facts_reasons="自己复查", decision="support", legal_basis="无"
        )
