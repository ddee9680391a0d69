"""山东 profile: the 复查/复核 organ decides within 3 working days whether to accept a request
(《山东省信访条例》§43, §44); the national rules have no such step. New cases only."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.choices import Status
from huiyin.cases.models import CaseEvent
from huiyin.core.errors import PermissionDenied, TransitionNotAllowed
from huiyin.notify.models import Notification, StaffNotice
from huiyin.org.models import RuleProfile
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind, ClockState
from huiyin.workflow.clocks import sweep_clocks
from huiyin.workflow.models import Clock
from huiyin.workflow.tests.drive import REPLY, drive_to
from huiyin.workflow.transitions import Action

OPINION = {k: v for k, v in REPLY.items() if k != "completion_report"}


def _shandong(org):
    org.county.rule_profile = RuleProfile.objects.get(code="shandong")
    org.county.save()


def _delivered(register_case, cast_all, clock):
    """A case replied and delivered on 15 September 2025 (the 复查 window runs 30 days)."""
    clock.set(date(2025, 9, 15))
    case = drive_to(register_case(), Status.REPLIED, cast_all)
    return wf.case_deliver(case=case, actor=cast_all.person("clerk"), method="in_person")


def _acceptance(case):
    return Clock.objects.filter(case=case, kind=ClockKind.REVIEW_ACCEPTANCE).order_by("id")


def test_a_shandong_review_request_must_be_accepted_within_three_working_days_before_any_answer(
    org, register_case, cast_all, clock, reviewer_qian, django_capture_on_commit_callbacks
):
    _shandong(org)
    case = _delivered(register_case, cast_all, clock)
    # the request comes on Tuesday 30 September 2025, the eve of the National Day holiday (1–8 Oct)
    clock.set(date(2025, 9, 30))
    with django_capture_on_commit_callbacks(execute=True):
        case = wf.case_request_review(case=case, actor=cast_all.person("clerk"), reason="不服处理意见")
    acceptance = _acceptance(case).get()
    # 3 working days: Thu 9, Fri 10 and the 调休 Saturday 11 October
    assert (acceptance.unit, acceptance.due_on) == (org.county_gov, date(2025, 10, 11))
    assert acceptance.rule_article.startswith("《山东省信访条例》第四十三条")
    # the organ's 30 days still run from the request (条例 §35)
    assert Clock.objects.get(case=case, kind=ClockKind.REVIEW).due_on == date(2025, 10, 30)
    # the 复查 organ is told, with the decision's deadline
    notice = StaffNotice.objects.get(user=reviewer_qian, kind=Action.REQUEST_REVIEW)
    assert notice.due_on == date(2025, 10, 11)

    # before the decision, no answer is possible
    assert Action.REVIEW_REPLY not in wf.allowed_actions(case, reviewer_qian)
    with pytest.raises(
        TransitionNotAllowed, match="请先作出是否受理复查（复核）请求的决定（《山东省信访条例》"
    ):
        wf.case_review_reply(case=case, actor=reviewer_qian, **OPINION)

    # the organ decides on Thursday 9 October: the acceptance clock is met and the answer may follow
    clock.set(date(2025, 10, 9))
    assert Action.ACCEPT_REVIEW in wf.allowed_actions(case, reviewer_qian)
    with django_capture_on_commit_callbacks(execute=True):
        case = wf.case_accept_review(case=case, actor=reviewer_qian)
    assert _acceptance(case).get().state == ClockState.MET
    # the petitioner is told it was accepted and when the answer is due
    told = Notification.objects.filter(case=case, kind="accept_review").get()
    assert "已由示范县人民政府受理，将在2025年10月30日前书面答复" in told.body
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.event_type, event.from_status, event.to_status) == (
        "accept_review",
        "under_review",
        "under_review",
    )
    with pytest.raises(TransitionNotAllowed, match="没有待决定受理的复查（复核）请求"):
        wf.case_accept_review(case=case, actor=reviewer_qian)
    case = wf.case_review_reply(case=case, actor=reviewer_qian, **OPINION)
    assert case.status == Status.REVIEW_REPLIED


def test_an_undecided_request_turns_red_and_the_rereview_organ_alone_decides_a_rereview(
    org, register_case, cast_all, clock, reviewer_qian, rereviewer_wu
):
    _shandong(org)
    case = _delivered(register_case, cast_all, clock)
    clock.set(date(2025, 9, 16))
    case = wf.case_request_review(case=case, actor=cast_all.person("clerk"), reason="不服")
    # nobody decides: after the due day (Fri 19 Sept) the clock is red, like any missed deadline
    clock.set(date(2025, 9, 22))
    sweep_clocks()
    assert _acceptance(case).get().state == ClockState.RED
    case = wf.case_accept_review(case=case, actor=reviewer_qian)
    case = wf.case_review_reply(case=case, actor=reviewer_qian, **OPINION)
    case = wf.case_deliver(case=case, actor=reviewer_qian, method="in_person")

    # a 复核 request opens the 复核 organ's own decision step; the 复查 organ may not take it
    case = wf.case_request_rereview(case=case, actor=cast_all.person("clerk"), reason="仍不服")
    assert _acceptance(case).last().unit == case.rereview_unit
    assert Action.ACCEPT_REVIEW not in wf.allowed_actions(case, reviewer_qian)
    assert Action.ACCEPT_REVIEW in wf.allowed_actions(case, rereviewer_wu)
    with pytest.raises(PermissionDenied, match="应由示范市人民政府决定是否受理该请求"):
        wf.case_accept_review(case=case, actor=reviewer_qian)
    with pytest.raises(TransitionNotAllowed, match="请先作出是否受理"):
        wf.case_hearing_start(case=case, actor=rereviewer_wu)
    case = wf.case_accept_review(case=case, actor=rereviewer_wu)
    case = wf.case_rereview_reply(case=case, actor=rereviewer_wu, **OPINION)
    assert case.status == Status.FINAL


def test_switching_to_shandong_adds_the_step_to_new_cases_only(
    org, register_case, cast_all, clock, reviewer_qian
):
    clock.set(date(2025, 9, 15))
    before = register_case(title="切换前登记")
    _shandong(org)
    after = register_case(title="切换后登记")
    for case in (before, after):
        case = drive_to(case, Status.REPLIED, cast_all)
        case = wf.case_deliver(case=case, actor=cast_all.person("clerk"), method="in_person")
        wf.case_request_review(case=case, actor=cast_all.person("clerk"), reason="不服")
    # the case registered under the national rules keeps them: no decision step, answer at once
    assert not _acceptance(before).exists()
    assert Action.ACCEPT_REVIEW not in wf.allowed_actions(before, reviewer_qian)  # no button either
    with pytest.raises(TransitionNotAllowed, match="本辖区规则未设受理决定环节"):
        wf.case_accept_review(case=before, actor=reviewer_qian)
    assert wf.case_review_reply(case=before, actor=reviewer_qian, **OPINION).status == Status.REVIEW_REPLIED
    # the case registered after the switch has the step
    assert _acceptance(after).get().due_on == date(2025, 9, 18)
    with pytest.raises(TransitionNotAllowed):
        wf.case_review_reply(case=after, actor=reviewer_qian, **OPINION)
