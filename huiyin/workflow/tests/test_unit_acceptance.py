"""The competent organ accepts and notifies on its own clock (条例 §23¶3, §34), and limits that cannot
exceed the law (§22¶1(三), §34): issue 10, items 1 and 5.

Every expected date is counted by hand in the comment beside it: day 0 is the trigger day, the count
starts the next day (ADR 0004); 日 are calendar days, 工作日 working days on the holiday calendar.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from huiyin.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from huiyin.notify.choices import MessageKind
from huiyin.notify.models import Notification, StaffNotice
from huiyin.org.choices import RuleKey, ValueUnit
from huiyin.org.models import RuleProfile, RuleValue
from huiyin.org.selectors import rules_for_profile
from huiyin.org.services import token_issue
from huiyin.portal.selectors import citizen_clocks, citizen_timeline
from huiyin.workflow import clocks
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind, ClockState, ExtensionState
from huiyin.workflow.clocks import sweep_clocks
from huiyin.workflow.models import Clock, ExtensionRequest

REPLY = {"facts_reasons": "经查属实", "decision": "support", "legal_basis": "《物业管理条例》第三十五条"}


def _clock(case, kind):
    return Clock.objects.filter(case=case, kind=kind).latest("id")


def _live(case, kind):
    return Clock.objects.filter(case=case, kind=kind, state__in=clocks.LIVE_STATES).first()


@pytest.fixture
def routed(clock, register_case, dispatcher_zhou, org):
    """A complaint the office accepts and routes to unit A on `day` (交办 with `deadline`, else 转送)."""

    def make(day, *, deadline=None, territory=None):
        clock.set(day)
        extra = {"territory_id": territory.pk} if territory is not None else {}
        case = wf.case_accept(case=register_case(**extra), actor=dispatcher_zhou)
        if deadline is None:
            return wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
        return wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=deadline)

    return make


# --- item 1: the receiving unit's own clocks (条例 §23¶3, §34) -------------------------------------


def test_unit_acceptance_notice_due_15_days_after_receipt_over_the_year_end_cond_23_3(routed, org):
    # given a matter assigned to unit A on Saturday 20 Dec 2025
    case = routed(date(2025, 12, 20), deadline=date(2026, 1, 30))
    # then unit A owes the petitioner its written notice within 15 days of receipt:
    # 21–31 Dec are 11 days, 1–4 Jan 4 more → Sunday 4 Jan 2026 (a calendar-day limit, no roll-over)
    acceptance = _clock(case, ClockKind.UNIT_ACCEPTANCE)
    assert (acceptance.unit, acceptance.started_on, acceptance.due_on) == (
        org.unit_a,
        date(2025, 12, 20),
        date(2026, 1, 4),
    )
    assert (acceptance.rule_days, acceptance.rule_unit) == (15, ValueUnit.CALENDAR_DAY)
    assert "第二十三条第三款" in acceptance.rule_article
    # and no 60-day clock runs yet: it starts at the unit's acceptance (§34 "自受理之日起")
    assert not Clock.objects.filter(case=case, kind=ClockKind.HANDLING).exists()


def test_handling_60_days_run_from_the_units_acceptance_not_the_offices_cond_34(
    routed, clock, handler_wang_unit_a, org
):
    # given the office accepted on Mon 1 Dec 2025 and forwarded on Wed 3 Dec
    clock.set(date(2025, 12, 1))
    case = routed(date(2025, 12, 3))
    # when unit A accepts on Wed 10 Dec 2025 and tells the petitioner by post
    clock.set(date(2025, 12, 10))
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a, notice_method="mail")
    # then its 60 days start that day: 11–31 Dec are 21 days, January 31 more (52), 1–8 Feb 8 → 8 Feb 2026
    handling = _clock(case, ClockKind.HANDLING)
    assert (handling.unit, handling.started_on, handling.due_on) == (
        org.unit_a,
        date(2025, 12, 10),
        date(2026, 2, 8),
    )
    # yellow at two thirds, rounded down: day 40 = 19 Jan 2026 (21 days of December, 19 of January)
    assert handling.warn_on == date(2026, 1, 19)
    # and the acceptance was on time (due 18 Dec: 4–18 Dec are 15 days); the objection window closed
    assert _clock(case, ClockKind.UNIT_ACCEPTANCE).state == ClockState.MET
    assert _clock(case, ClockKind.OBJECTION).state == ClockState.CANCELLED
    event = case.events.latest("id")
    assert event.event_type == "accept_assignment"
    assert (event.data["received_on"], event.data["notice_due_on"], event.data["due_on"]) == (
        "2025-12-03",
        "2025-12-18",
        "2026-02-08",
    )
    assert event.data["notice_on_time"] and event.data["notice_method"] == "mail"
    assert "60日内办结" in event.reason  # the procedure told to the petitioner, from the rule value


def test_a_late_acceptance_turns_its_clock_red_and_the_60_days_still_start_at_acceptance_cond_23_3(
    routed, clock, handler_wang_unit_a
):
    # given a matter assigned on Sat 20 Dec 2025: its notice is due Sun 4 Jan 2026 (see above)
    case = routed(date(2025, 12, 20), deadline=date(2026, 1, 30))
    # when nobody accepts it by then, the sweep of Mon 5 Jan turns the acceptance clock red
    sweep_clocks(today=date(2026, 1, 5))
    assert _clock(case, ClockKind.UNIT_ACCEPTANCE).state == ClockState.RED
    assert case.events.filter(event_type="clock_red", data__clock="unit_acceptance").count() == 1
    # and when unit A accepts on Tue 6 Jan 2026 the acceptance is recorded as late
    clock.set(date(2026, 1, 6))
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)
    assert _clock(case, ClockKind.UNIT_ACCEPTANCE).state == ClockState.LATE
    assert case.events.latest("id").data["notice_on_time"] is False
    # and the 60 days run from 6 Jan: 7–31 Jan 25 days, February 28 (53), 1–7 Mar 7 → 7 Mar 2026
    assert _clock(case, ClockKind.HANDLING).due_on == date(2026, 3, 7)


def test_a_province_may_state_the_acceptance_in_working_days_over_national_day_cond_23_3(routed, org):
    # given a profile stating the acceptance notice as 10 working days
    profile = RuleProfile.objects.create(code="wdaccept", name="工作日告知", based_on=RuleProfile.national())
    RuleValue.objects.create(
        profile=profile, key="unit_accept_days", value=10, unit="working_day", article="测试：十个工作日"
    )
    org.county.rule_profile = profile
    org.county.save()
    # when a matter is forwarded on Tue 30 Sep 2025
    case = routed(date(2025, 9, 30), territory=org.county)
    # then 1–8 Oct (National Day) are skipped; Thu 9 (1), Fri 10 (2), Sat 11 Oct — a 调休 working day —
    # (3), Mon 13 to Fri 17 (4–8), Mon 20 (9), Tue 21 Oct 2025 (10)
    acceptance = _clock(case, ClockKind.UNIT_ACCEPTANCE)
    assert (acceptance.due_on, acceptance.rule_unit) == (date(2025, 10, 21), ValueUnit.WORKING_DAY)


def test_zhejiang_and_shandong_keep_the_national_acceptance_and_sign_off_values_cond_23_3(db, org):
    # the provincial profiles add their own values and inherit these from the national baseline
    for code in ("zhejiang", "shandong"):
        rules = rules_for_profile(RuleProfile.objects.get(code=code))
        accept = rules[RuleKey.UNIT_ACCEPT_DAYS]
        assert (accept.value, accept.unit) == (15, ValueUnit.CALENDAR_DAY), code
        assert rules[RuleKey.OPINION_SIGNOFF].value == 0, code
        assert rules[RuleKey.HANDLING_DAYS].value == 60, code


def test_a_unit_that_has_not_accepted_may_neither_answer_nor_extend_cond_23_3(
    routed, handler_wang_unit_a, head_sun_unit_a
):
    case = routed(date(2025, 3, 3))
    for attempt in (
        lambda: wf.case_reply(case=case, actor=handler_wang_unit_a, **REPLY),
        lambda: wf.case_mediate(case=case, actor=handler_wang_unit_a, agreement="协议", facts_reasons="协商"),
        lambda: wf.case_extend(case=case, actor=head_sun_unit_a, days=10, reason="情况复杂"),
        lambda: wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=10, reason="复杂"),
    ):
        with pytest.raises(TransitionNotAllowed, match="请先受理并告知信访人"):
            attempt()
    # and the case page offers it acceptance or objection, not an answer
    allowed = wf.allowed_actions(case, handler_wang_unit_a)
    assert {wf.Action.ACCEPT_ASSIGNMENT, wf.Action.OBJECT} <= set(allowed)
    assert wf.Action.REPLY not in allowed
    assert case.events.filter(event_type__in=("reply", "mediate", "extend")).count() == 0


def test_a_unit_objects_instead_of_accepting_and_once_accepted_it_cannot_object_cond_23_3(
    routed, clock, handler_wang_unit_a, dispatcher_zhou
):
    # given a matter forwarded on Tue 30 Sep 2025 (objection window to Tue 14 Oct, see test_deadlines)
    case = routed(date(2025, 9, 30))
    # while its objection is pending it cannot accept
    clock.set(date(2025, 10, 9))
    case = wf.case_object(case=case, actor=handler_wang_unit_a, reason="属民政职责")
    with pytest.raises(TransitionNotAllowed, match="已提出异议"):
        wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)
    # the office does not agree: the unit keeps the matter, its 15 days still count from receipt
    # (30 Sep + 15: 1–15 Oct → Wed 15 Oct 2025)
    case = wf.case_dismiss_objection(case=case, actor=dispatcher_zhou, reason="属住建职责")
    assert _live(case, ClockKind.UNIT_ACCEPTANCE).due_on == date(2025, 10, 15)
    clock.set(date(2025, 10, 13))
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)
    # and once it has accepted, it has said the matter is its own: no objection any more
    clock.set(date(2025, 10, 14))  # still inside the 5 working days
    with pytest.raises(TransitionNotAllowed, match="已受理该事项，不能再提出异议"):
        wf.case_object(case=case, actor=handler_wang_unit_a, reason="改变主意")


def test_a_returned_matter_drops_the_units_clock_and_the_next_unit_gets_its_own_cond_23_3(
    routed, clock, handler_wang_unit_a, dispatcher_zhou, org
):
    case = routed(date(2025, 3, 3))
    case = wf.case_object(case=case, actor=handler_wang_unit_a, reason="属民政职责")
    clock.set(date(2025, 3, 5))
    case = wf.case_return(case=case, actor=dispatcher_zhou, reason="同意")
    assert _clock(case, ClockKind.UNIT_ACCEPTANCE).state == ClockState.CANCELLED
    # forwarded to unit B on Wed 5 Mar: 6–20 Mar are 15 days → Thu 20 Mar 2025
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_b)
    acceptance = _live(case, ClockKind.UNIT_ACCEPTANCE)
    assert (acceptance.unit, acceptance.due_on) == (org.unit_b, date(2025, 3, 20))
    # unit A takes no part any more
    with pytest.raises(PermissionDenied):
        wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)


def test_a_case_accepted_under_the_former_rule_keeps_its_60_days_cond_34(
    clock, register_case, dispatcher_zhou, handler_wang_unit_a, org
):
    # given a case the office accepted on Sat 1 Nov 2025 under the former rule, whose 60 days started
    # there: 2–30 Nov 29 days, 1–31 Dec 31 → Wed 31 Dec 2025
    clock.set(date(2025, 11, 1))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    old = clocks.start_clock(
        case=case, kind=ClockKind.HANDLING, unit=org.county_office, rules=wf.rules_for_case(case),
        trigger="accept", on=date(2025, 11, 1),
    )  # fmt: skip
    assert old.due_on == date(2025, 12, 31)
    # when it is forwarded on Mon 1 Dec and unit A accepts on Fri 5 Dec
    clock.set(date(2025, 12, 1))
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    clock.set(date(2025, 12, 5))
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)
    # then the case keeps its clock (a rule change applies to new cases only), now unit A's
    assert Clock.objects.filter(case=case, kind=ClockKind.HANDLING).count() == 1
    handling = _clock(case, ClockKind.HANDLING)
    assert (handling.pk, handling.unit, handling.due_on) == (old.pk, org.unit_a, date(2025, 12, 31))
    assert case.events.latest("id").data["handling_kept"] is True


def test_a_case_already_in_handling_under_the_former_rule_is_answered_without_a_new_step_cond_34(
    routed, handler_wang_unit_a, org
):
    # given a case routed before this change: a running 60-day clock and no acceptance clock
    case = routed(date(2025, 3, 3))
    Clock.objects.filter(case=case, kind=ClockKind.UNIT_ACCEPTANCE).delete()
    clocks.start_clock(
        case=case, kind=ClockKind.HANDLING, unit=org.unit_a, rules=wf.rules_for_case(case),
        trigger="accept", on=date(2025, 3, 3),
    )  # fmt: skip
    # then no acceptance is asked of it and it answers as before
    assert wf.Action.ACCEPT_ASSIGNMENT not in wf.allowed_actions(case, handler_wang_unit_a)
    case = wf.case_reply(case=case, actor=handler_wang_unit_a, **REPLY)
    assert case.status == "replied"


def test_the_petitioner_is_told_of_the_units_acceptance_and_its_60_days_cond_23_3(
    routed, clock, handler_wang_unit_a, dispatcher_zhou, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = routed(date(2025, 12, 3))
    clock.set(date(2025, 12, 10))
    with django_capture_on_commit_callbacks(execute=True):
        case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)
    # the SMS names the unit and the due date (10 Dec + 60 days = 8 Feb 2026, counted above)
    sms = Notification.objects.filter(case=case, kind=MessageKind.ACCEPT_ASSIGNMENT).get()
    assert org.unit_a.name in sms.body and "2026年2月8日" in sms.body and "60日" in sms.body
    assert "王承办" not in sms.body  # units, never staff names
    # the office that routed it has a work notice
    assert StaffNotice.objects.filter(user=dispatcher_zhou, kind="accept_assignment").exists()
    # the petitioner's timeline says who accepted and from when the 60 days run
    texts = [row["text"] for row in citizen_timeline(case)]
    assert any(
        org.unit_a.name in t and "2025-12-10" in t and "60日" in t and "2026-02-08" in t for t in texts
    ), texts
    handling = [c for c in citizen_clocks(case) if c.due_on == date(2026, 2, 8)]
    assert handling and handling[0].unit == org.unit_a.name


# --- item 5: limits that cannot exceed the law ----------------------------------------------------


def test_an_assignment_deadline_after_the_statutory_60_days_is_refused_with_the_article_cond_34(
    clock, register_case, dispatcher_zhou, org
):
    # given the office routes on Mon 1 Dec 2025: the latest lawful end is 60 days on, even if the unit
    # accepted that very day: 2–31 Dec 30 days, 1–30 Jan 30 → Fri 30 Jan 2026
    clock.set(date(2025, 12, 1))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    with pytest.raises(ValidationFailed, match="第三十四条") as refused:
        wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2026, 1, 31))
    assert "2026年1月30日" in refused.value.message
    assert refused.value.extra["limit"] == "2026-01-30" and "deadline" in refused.value.extra["fields"]
    case.refresh_from_db()
    assert case.status == "accepted" and not case.events.filter(event_type="assign").exists()
    # the last lawful day itself is accepted
    case = wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2026, 1, 30))
    assert _clock(case, ClockKind.ASSIGNMENT).due_on == date(2026, 1, 30)


def test_an_assignment_deadline_cannot_outrun_a_60_day_clock_already_running_cond_34(
    clock, register_case, dispatcher_zhou, org
):
    # given a case whose 60 days started at the office on Sat 1 Nov 2025 (former rule): due 31 Dec 2025
    clock.set(date(2025, 11, 1))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    clocks.start_clock(
        case=case, kind=ClockKind.HANDLING, unit=org.county_office, rules=wf.rules_for_case(case),
        trigger="accept", on=date(2025, 11, 1),
    )  # fmt: skip
    # when it is assigned on 1 Dec with a deadline of 1 Jan 2026, then the running clock is the limit
    clock.set(date(2025, 12, 1))
    with pytest.raises(ValidationFailed, match="2025年12月31日"):
        wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2026, 1, 1))


def test_the_api_refuses_an_unlawful_assignment_deadline_with_400_cond_34(
    clock, register_case, dispatcher_zhou, org
):
    clock.set(date(2025, 12, 1))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    _, raw = token_issue(user=dispatcher_zhou, name="测试")
    response = Client(headers={"authorization": f"Bearer {raw}"}).post(
        f"/api/cases/{case.pk}/actions/assign",
        {"unit": org.unit_a.pk, "deadline": "2026-01-31"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "第三十四条" in body["message"] and body["extra"]["limit"] == "2026-01-30"


def test_a_handler_asks_for_an_extension_and_the_head_approves_it_cond_34(
    routed, clock, handler_wang_unit_a, head_sun_unit_a, django_capture_on_commit_callbacks
):
    # given unit A accepted on Wed 10 Dec 2025: due 8 Feb 2026 (counted above)
    case = routed(date(2025, 12, 3))
    clock.set(date(2025, 12, 10))
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)
    # when the handler asks for 20 days on Tue 20 Jan 2026
    clock.set(date(2026, 1, 20))
    with django_capture_on_commit_callbacks(execute=True):
        case = wf.case_request_extension(
            case=case, actor=handler_wang_unit_a, days=20, reason="需现场勘验并协调自然资源局"
        )
    request = ExtensionRequest.objects.get(case=case)
    assert (request.state, request.days, request.requested_by) == (
        ExtensionState.PENDING,
        20,
        handler_wang_unit_a,
    )
    # then nothing moves yet; the head has a work notice; the handler cannot decide it
    assert _clock(case, ClockKind.HANDLING).due_on == date(2026, 2, 8)
    assert StaffNotice.objects.filter(user=head_sun_unit_a, kind="request_extension").exists()
    with pytest.raises(PermissionDenied):
        wf.case_approve_extension(case=case, actor=handler_wang_unit_a)
    with pytest.raises(TransitionNotAllowed, match="已有延期申请待单位负责人审批"):
        wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=5, reason="再延")
    # when the head approves, the 60 days move by 20 days: 9–28 Feb → Sat 28 Feb 2026
    with django_capture_on_commit_callbacks(execute=True):
        case = wf.case_approve_extension(case=case, actor=head_sun_unit_a, comment="同意")
    handling = _clock(case, ClockKind.HANDLING)
    assert (handling.due_on, handling.extended_days, case.extension_days) == (date(2026, 2, 28), 20, 20)
    request.refresh_from_db()
    assert (request.state, request.decided_by) == (ExtensionState.APPROVED, head_sun_unit_a)
    # and the petitioner is told the reason and the new date (§34 "告知信访人延期理由")
    sms = Notification.objects.filter(case=case, kind=MessageKind.EXTEND).get()
    assert "需现场勘验并协调自然资源局" in sms.body and "2026年2月28日" in sms.body and "延期20日" in sms.body
    assert any("2026-02-28" in row["text"] for row in citizen_timeline(case))
    assert StaffNotice.objects.filter(user=handler_wang_unit_a, kind="approve_extension").exists()


def test_extensions_asked_for_stay_within_thirty_days_and_the_head_may_refuse_cond_34(
    routed, clock, handler_wang_unit_a, head_sun_unit_a
):
    case = routed(date(2025, 12, 3))
    clock.set(date(2025, 12, 10))
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)  # due 8 Feb 2026
    # more than 30 days in one request is refused outright
    with pytest.raises(ValidationFailed, match="不得超过30日"):
        wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=31, reason="复杂")
    # the head extends 20 directly (9–28 Feb → 28 Feb 2026); 11 more would make 31
    case = wf.case_extend(case=case, actor=head_sun_unit_a, days=20, reason="需现场勘验")
    with pytest.raises(ValidationFailed, match="已延期20日"):
        wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=11, reason="再延")
    # a request of 10 that the head refuses, with a reason: the limit stays 28 Feb
    case = wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=10, reason="再延")
    with pytest.raises(ValidationFailed):
        wf.case_refuse_extension(case=case, actor=head_sun_unit_a, reason=" ")
    case = wf.case_refuse_extension(case=case, actor=head_sun_unit_a, reason="可在期限内办结")
    assert ExtensionRequest.objects.get(case=case).state == ExtensionState.REFUSED
    assert _clock(case, ClockKind.HANDLING).due_on == date(2026, 2, 28)
    assert case.extension_days == 20
    # a head extends directly; only a handler asks
    with pytest.raises(PermissionDenied):
        wf.case_request_extension(case=case, actor=head_sun_unit_a, days=5, reason="再延")


# --- item 5: the unit head signs off the 信访处理意见书 where the profile says so --------------------


def test_the_national_profile_lets_the_handler_issue_the_opinion_without_a_sign_off_cond_32(
    routed, handler_wang_unit_a
):
    # 条例 §32 has the organ issue the opinion; only an extension needs the head's approval (§34)
    case = wf.case_accept_assignment(case=routed(date(2025, 3, 3)), actor=handler_wang_unit_a)
    with pytest.raises(TransitionNotAllowed, match="未设单位负责人签发环节"):
        wf.case_submit_opinion(case=case, actor=handler_wang_unit_a, **REPLY)
    assert wf.case_reply(case=case, actor=handler_wang_unit_a, **REPLY).status == "replied"


def test_where_the_profile_asks_it_the_head_signs_off_the_handlers_opinion_cond_32(
    routed, handler_wang_unit_a, head_sun_unit_a, client
):
    from huiyin.cases.models import Opinion
    from huiyin.workflow.choices import DraftState
    from huiyin.workflow.models import OpinionDraft
    from huiyin.workflow.tests.drive import with_signoff

    case = wf.case_accept_assignment(case=routed(date(2025, 3, 3)), actor=handler_wang_unit_a)
    case = with_signoff(case)
    # the handler may not issue it; the refusal names the rule
    with pytest.raises(PermissionDenied, match="经单位负责人签发"):
        wf.case_reply(case=case, actor=handler_wang_unit_a, **REPLY)
    assert wf.Action.REPLY not in wf.allowed_actions(case, handler_wang_unit_a)
    # the handler submits the draft; the head is told
    case = wf.case_submit_opinion(case=case, actor=handler_wang_unit_a, **REPLY)
    assert case.status == "in_handling" and not Opinion.objects.filter(case=case).exists()
    draft = OpinionDraft.objects.get(case=case)
    assert (draft.state, draft.submitted_by) == (DraftState.PENDING, handler_wang_unit_a)
    # the head's answer form is the draft, ready to sign
    client.force_login(head_sun_unit_a)
    form = client.get(f"/cases/{case.code}/actions/reply/").context["form"]
    assert form.initial["facts_reasons"] == REPLY["facts_reasons"]
    # and issuing it signs the draft off: the opinion is the head's, the event names the drafter
    case = wf.case_reply(case=case, actor=head_sun_unit_a, **REPLY)
    opinion = Opinion.objects.get(case=case)
    assert (case.status, opinion.issued_by) == ("replied", head_sun_unit_a)
    draft.refresh_from_db()
    assert (draft.state, draft.opinion) == (DraftState.SIGNED, opinion)
    event = case.events.latest("id")
    assert (event.event_type, event.data["drafted_by"], event.data["signed_off"]) == (
        "reply",
        handler_wang_unit_a.pk,
        True,
    )


def test_the_unit_finds_what_waits_for_its_acceptance_and_the_head_what_waits_for_approval_cond_34(
    routed, clock, handler_wang_unit_a, head_sun_unit_a, handler_zhao_unit_b
):
    from huiyin.workflow.selectors import queue_extension_requests, queue_to_accept

    waiting = routed(date(2025, 3, 3))
    accepted = wf.case_accept_assignment(case=routed(date(2025, 3, 3)), actor=handler_wang_unit_a)
    # 条例 §23¶3: what unit A has not yet accepted is its 待受理告知 queue; not unit B's
    assert list(queue_to_accept(handler_wang_unit_a)) == [waiting]
    assert list(queue_to_accept(handler_zhao_unit_b)) == []
    # §34: a request the head has not decided is in the unit's 待审批延期 queue until decided
    wf.case_request_extension(case=accepted, actor=handler_wang_unit_a, days=10, reason="需现场勘验")
    assert list(queue_extension_requests(head_sun_unit_a)) == [accepted]
    wf.case_approve_extension(case=accepted, actor=head_sun_unit_a)
    assert list(queue_extension_requests(head_sun_unit_a)) == []
