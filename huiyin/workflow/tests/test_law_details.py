"""The remaining statutory details of issue 10 (t10-law), each test named after its article.

- §29: a suggestion's 意见书 drafted for the head's sign-off carries its adoption (采纳/部分采纳/不予采纳),
  and the head's sign-off issues it with it;
- §22¶1(三), §24, §34 (一揽子解决): a co-unit's deadline never exceeds the lead unit's 交办 deadline or its
  statutory handling clock (the petition type's own value);
- §34, §29, §30¶1: an extension asked for or approved never takes the handling limit past the type's
  ceiling (申诉求决 60+30 days; a suggestion's and an accusation's own values in the profile);
- §23¶1, §34: a 交办 by a unit of a petition it received directly is held to the same statutory limit.

Every expected date is counted by hand in the comment beside it: day 0 is the trigger day, the count
starts the next day (ADR 0004); 日 are calendar days, 工作日 working days on the holiday calendar
(National Day 2025: 1–8 Oct off, Sun 28 Sep and Sat 11 Oct worked).
"""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.cases.choices import Adoption, Decision, PetitionType, Status
from huiyin.cases.models import Case, Opinion
from huiyin.cases.services import CaseIn, PetitionerIn
from huiyin.core.errors import TransitionNotAllowed, ValidationFailed
from huiyin.intake.services import case_register
from huiyin.notify.choices import MessageKind
from huiyin.notify.models import Notification, StaffNotice
from huiyin.org.choices import Role, UnitKind, ValueUnit
from huiyin.org.models import RuleProfile, RuleValue, Unit, User
from huiyin.portal.selectors import citizen_timeline
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind, DraftState, ExtensionState
from huiyin.workflow.models import Clock, CoHandling, ExtensionRequest, OpinionDraft
from huiyin.workflow.services import CoUnit
from huiyin.workflow.tests.drive import with_signoff

pytestmark = pytest.mark.django_db

SUGGESTION_ANSWER = {"facts_reasons": "经研究论证，增设站点可行，纳入明年线路调整。"}


def _profile(org, **values):
    """A province's profile over the national baseline, selected for the county (new cases only)."""
    profile = RuleProfile.objects.create(code="t10law", name="测试省", based_on=RuleProfile.national())
    for key, (value, unit) in values.items():
        RuleValue.objects.create(profile=profile, key=key, value=value, unit=unit, article=f"测试省：{key}")
    org.county.rule_profile = profile
    org.county.save()
    return profile


def _handling(case):
    return Clock.objects.filter(case=case, kind=ClockKind.HANDLING).latest("id")


def _accepted(case, day, clock, dispatcher, unit):
    """受理 and 转送 on `day`, and the unit's own acceptance the same day (条例 §23¶3, §34)."""
    clock.set(day)
    case = wf.case_accept(case=case, actor=dispatcher)
    case = wf.case_forward(case=case, actor=dispatcher, unit=unit)
    handler = User.objects.filter(unit=unit, role=Role.HANDLER, is_active=True).order_by("pk").first()
    return wf.case_accept_assignment(case=case, actor=handler)


# --- 条例 §29: the adoption travels with the draft to the head's sign-off ---------------------------


def test_a_suggestion_draft_carries_its_adoption_and_the_heads_sign_off_issues_it_cond_29(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a, client
):
    # given a suggestion unit A accepted on Tue 30 Dec 2025, in a province where the head signs off
    suggestion = register_case(petition_type=PetitionType.SUGGESTION, title="建议增设公交站点")
    case = with_signoff(_accepted(suggestion, date(2025, 12, 30), clock, dispatcher_zhou, org.unit_a))
    # when the handler drafts the answer on Fri 2 Jan 2026 as partly adopted
    clock.set(date(2026, 1, 2))
    case = wf.case_submit_opinion(
        case=case, actor=handler_wang_unit_a, adoption=Adoption.PARTLY_ADOPTED, **SUGGESTION_ANSWER
    )
    # then the draft carries the adoption and the decision it maps to, and the event records it
    draft = OpinionDraft.objects.get(case=case)
    assert (draft.adoption, draft.decision) == (Adoption.PARTLY_ADOPTED, Decision.SUPPORT)
    assert case.events.get(event_type="submit_opinion").data["adoption"] == "partly_adopted"
    assert case.adoption == ""  # nothing is answered before the head signs
    # and the head's form is the draft, its adoption chosen
    client.force_login(head_sun_unit_a)
    form = client.get(f"/cases/{case.code}/actions/reply/").context["form"]
    assert form.initial["adoption"] == Adoption.PARTLY_ADOPTED
    # when the head signs it off without restating the adoption
    case = wf.case_reply(case=case, actor=head_sun_unit_a, **SUGGESTION_ANSWER)
    # then the opinion is issued with the draft's adoption, counted for the §41 report
    opinion = Opinion.objects.get(case=case)
    assert (case.status, case.adoption, opinion.decision) == (
        Status.REPLIED,
        Adoption.PARTLY_ADOPTED,
        Decision.SUPPORT,
    )
    draft.refresh_from_db()
    assert (draft.state, draft.opinion) == (DraftState.SIGNED, opinion)
    reply = case.events.get(event_type="reply")
    assert (reply.data["adoption"], reply.data["signed_off"]) == ("partly_adopted", True)
    assert "draft_adoption" not in reply.data
    # and the petitioner reads the adoption on the timeline
    assert any("部分采纳" in row["text"] for row in citizen_timeline(case))


def test_the_head_may_sign_off_a_suggestion_with_another_adoption_and_the_draft_is_recorded_cond_29(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a
):
    suggestion = register_case(petition_type=PetitionType.SUGGESTION, title="建议延长图书馆开放时间")
    case = with_signoff(_accepted(suggestion, date(2025, 9, 26), clock, dispatcher_zhou, org.unit_a))
    # a draft without an adoption is refused, nothing written (§29: a suggestion says whether it is adopted)
    with pytest.raises(ValidationFailed) as refused:
        wf.case_submit_opinion(case=case, actor=handler_wang_unit_a, **SUGGESTION_ANSWER)
    assert "adoption" in refused.value.extra["fields"] and "第二十九条" in refused.value.message
    assert not OpinionDraft.objects.filter(case=case).exists()
    case = wf.case_submit_opinion(
        case=case, actor=handler_wang_unit_a, adoption=Adoption.ADOPTED, **SUGGESTION_ANSWER
    )
    # the head signs it off as not adopted: the head's word is issued, the draft's is kept on the event
    case = wf.case_reply(case=case, actor=head_sun_unit_a, adoption=Adoption.NOT_ADOPTED, **SUGGESTION_ANSWER)
    assert (case.adoption, case.opinions.get().decision) == (Adoption.NOT_ADOPTED, Decision.NOT_SUPPORT)
    assert case.events.get(event_type="reply").data["draft_adoption"] == "adopted"


# --- 条例 §22¶1(三), §24, §34: a co-unit's deadline within the lead's ------------------------------------


def test_a_co_unit_deadline_after_the_leads_statutory_clock_is_refused_with_the_reason_cond_24_34(
    clock, register_case, dispatcher_zhou, org
):
    # given the office forwards on Mon 1 Dec 2025 with 东城镇 as co-unit: the lead's 60 days can end at
    # the latest on 2–31 Dec (30) + 1–30 Jan (30) → Fri 30 Jan 2026, even if it accepts that very day
    clock.set(date(2025, 12, 1))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    with pytest.raises(ValidationFailed) as refused:
        wf.case_forward(
            case=case,
            actor=dispatcher_zhou,
            unit=org.unit_a,
            co_units=[CoUnit(org.township_gov, date(2026, 1, 31))],
        )
    message = refused.value.message
    assert "东城镇人民政府" in message and "2026年1月30日" in message and "第三十四条" in message
    assert "co_deadline" in refused.value.extra["fields"]
    # and nothing is written
    case.refresh_from_db()
    assert (case.status, case.handling_unit) == (Status.ACCEPTED, None)
    assert not CoHandling.objects.filter(case=case).exists()
    # the last lawful day itself is accepted
    case = wf.case_forward(
        case=case,
        actor=dispatcher_zhou,
        unit=org.unit_a,
        co_units=[CoUnit(org.township_gov, date(2026, 1, 30))],
    )
    assert CoHandling.objects.get(case=case).deadline == date(2026, 1, 30)


def test_a_co_unit_deadline_after_the_leads_assignment_deadline_is_refused_cond_22_1_3(
    clock, register_case, dispatcher_zhou, org
):
    # given a 交办 on Tue 30 Dec 2025 with a deadline of Thu 15 Jan 2026 (within the 60 days)
    clock.set(date(2025, 12, 30))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    # a co-unit due the day after the lead's deadline is refused: the lead answers once, after its report
    with pytest.raises(ValidationFailed, match="不得晚于主办单位的交办期限2026年1月15日"):
        wf.case_assign(
            case=case,
            actor=dispatcher_zhou,
            unit=org.unit_a,
            deadline=date(2026, 1, 15),
            co_units=[CoUnit(org.township_gov, date(2026, 1, 16))],
        )
    assert not case.events.filter(event_type="assign").exists()
    case = wf.case_assign(
        case=case,
        actor=dispatcher_zhou,
        unit=org.unit_a,
        deadline=date(2026, 1, 15),
        co_units=[CoUnit(org.township_gov, date(2026, 1, 15))],
    )
    assert CoHandling.objects.get(case=case).deadline == date(2026, 1, 15)


def test_a_suggestions_co_unit_and_assignment_deadlines_follow_its_own_limit_over_the_tiaoxiu_cond_29(
    clock, register_case, dispatcher_zhou, org
):
    # given a province that answers suggestions within 10 working days (§29 sets no limit of its own)
    _profile(org, suggestion_days=(10, ValueUnit.WORKING_DAY))
    case = register_case(petition_type=PetitionType.SUGGESTION, title="建议增设公交站点")
    # when the office routes it on Fri 26 Sep 2025, the latest lawful end is 10 working days on:
    #   Sun 28 Sep (调休) 1, Mon 29 2, Tue 30 3, 1–8 Oct off, Thu 9 Oct 4, Fri 10 5, Sat 11 (调休) 6,
    #   Mon 13 7, Tue 14 8, Wed 15 9, Thu 16 Oct 10 → 16 Oct 2025 (not the 60 days of §34)
    clock.set(date(2025, 9, 26))
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    with pytest.raises(ValidationFailed, match="2025年10月16日") as refused:
        wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2025, 10, 17))
    assert "测试省：suggestion_days" in refused.value.message and "10个工作日" in refused.value.message
    with pytest.raises(ValidationFailed, match="2025年10月16日"):
        wf.case_forward(
            case=case,
            actor=dispatcher_zhou,
            unit=org.unit_a,
            co_units=[CoUnit(org.township_gov, date(2025, 10, 17))],
        )
    # and a co-unit given no date of its own gets that same limit
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a, co_units=[org.township_gov])
    assert CoHandling.objects.get(case=case).deadline == date(2025, 10, 16)


# --- 条例 §34 (and §29, §30¶1): each type's extension ceiling ------------------------------------------


def test_a_complaint_is_never_extended_past_60_plus_30_days_cond_34(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a
):
    # given unit A accepted a complaint on Wed 10 Dec 2025: 21 days to 31 Dec, 31 in January, 8 Feb 2026
    case = _accepted(register_case(), date(2025, 12, 10), clock, dispatcher_zhou, org.unit_a)
    assert _handling(case).due_on == date(2026, 2, 8)
    clock.set(date(2026, 1, 20))
    # a request beyond 30 days is refused with the type, the figure and the article
    with pytest.raises(ValidationFailed) as refused:
        wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=31, reason="情况复杂")
    assert (
        refused.value.message == "申诉求决类事项延期合计不得超过30日（《信访工作条例》第三十四条；已延期0日）"
    )
    # 30 days asked and approved: 9–28 Feb (20) + 1–10 Mar (10) → Tue 10 Mar 2026, the ceiling itself
    case = wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=30, reason="需现场勘验")
    case = wf.case_approve_extension(case=case, actor=head_sun_unit_a)
    assert _handling(case).due_on == date(2026, 3, 10)
    # and no further extension may even be asked for
    with pytest.raises(TransitionNotAllowed, match="延期已达上限（30日，《信访工作条例》第三十四条）"):
        wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=1, reason="再延")
    assert wf.Action.REQUEST_EXTENSION not in wf.allowed_actions(case, handler_wang_unit_a)


def test_a_handling_clock_already_at_its_ceiling_is_not_extended_even_if_none_was_counted_cond_34(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a
):
    # given a complaint accepted on Wed 10 Dec 2025 (due 8 Feb 2026) whose clock, carried over from the
    # former system, already stands at 10 Mar 2026 with no extension counted on the case
    case = _accepted(register_case(), date(2025, 12, 10), clock, dispatcher_zhou, org.unit_a)
    Clock.objects.filter(pk=_handling(case).pk).update(due_on=date(2026, 3, 10))
    clock.set(date(2026, 1, 20))
    # then one more day (11 Mar) would pass 60 + 30 days from the acceptance: refused with the dates
    with pytest.raises(ValidationFailed) as refused:
        wf.case_extend(case=case, actor=head_sun_unit_a, days=1, reason="情况复杂")
    assert refused.value.message == (
        "申诉求决类事项延期后的办理期限2026年3月11日将超过法定上限2026年3月10日"
        "（《信访工作条例》第三十四条：自受理之日起60日内办结，延长不得超过30日）"
    )
    assert refused.value.extra["ceiling"] == "2026-03-10"
    assert _handling(case).due_on == date(2026, 3, 10)


def test_a_suggestion_is_extended_within_its_own_working_day_ceiling_over_national_day_cond_29(
    clock,
    org,
    register_case,
    dispatcher_zhou,
    handler_wang_unit_a,
    head_sun_unit_a,
    django_capture_on_commit_callbacks,
):
    # given a province answering suggestions within 3 working days, extendable by at most 5 working days
    _profile(
        org,
        suggestion_days=(3, ValueUnit.WORKING_DAY),
        suggestion_extension_days=(5, ValueUnit.WORKING_DAY),
    )
    suggestion = register_case(petition_type=PetitionType.SUGGESTION, title="建议增设公交站点")
    # when unit A accepts it on Fri 26 Sep 2025: Sun 28 Sep (调休) 1, Mon 29 2, Tue 30 Sep 3 → 30 Sep
    case = _accepted(suggestion, date(2025, 9, 26), clock, dispatcher_zhou, org.unit_a)
    assert _handling(case).due_on == date(2025, 9, 30)
    # and the acceptance notice describes the suggestion's own procedure and period (§29), not §31/§34's
    notice = case.events.get(event_type="accept_assignment").reason
    assert any(
        "自2025-09-26起3个工作日内办结，办理期限至2025-09-30" in r["text"] for r in citizen_timeline(case)
    )
    assert (
        notice
        == "本机关将依照《信访工作条例》第二十九条对您的建议认真研究论证，自受理之日起3个工作日内答复采纳情况。"
    )
    # then 6 working days are refused with the type's own value and article, nothing written
    with pytest.raises(ValidationFailed) as refused:
        wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=6, reason="需征求公交公司意见")
    assert refused.value.message == (
        "建议意见类事项延期合计不得超过5个工作日（测试省：suggestion_extension_days；已延期0个工作日）"
    )
    assert not ExtensionRequest.objects.filter(case=case).exists()
    # and 5 working days approved move the limit in working days, over the holiday and the 调休 Saturday:
    #   1–8 Oct off, Thu 9 Oct 1, Fri 10 2, Sat 11 (调休) 3, Mon 13 4, Tue 14 Oct 5 → 14 Oct 2025
    with django_capture_on_commit_callbacks(execute=True):
        case = wf.case_request_extension(
            case=case, actor=handler_wang_unit_a, days=5, reason="需征求公交公司意见"
        )
    assert "申请延期5个工作日" in StaffNotice.objects.get(user=head_sun_unit_a, kind="request_extension").text
    with django_capture_on_commit_callbacks(execute=True):
        case = wf.case_approve_extension(case=case, actor=head_sun_unit_a)
    assert ExtensionRequest.objects.get(case=case).state == ExtensionState.APPROVED
    assert (_handling(case).due_on, case.extension_days) == (date(2025, 10, 14), 5)
    # and the petitioner is told the period in its own unit, never "5日"
    sms = Notification.objects.get(case=case, kind=MessageKind.EXTEND)
    assert "经批准延期5个工作日，办理期限至2025年10月14日" in sms.body
    assert any("经批准延期5个工作日" in row["text"] for row in citizen_timeline(case))
    with pytest.raises(
        TransitionNotAllowed, match="延期已达上限（5个工作日，测试省：suggestion_extension_days）"
    ):
        wf.case_extend(case=case, actor=head_sun_unit_a, days=1, reason="再延")


def test_an_accusation_is_extended_within_its_own_ceiling_across_the_year_end_cond_30(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a
):
    # given a province extending accusations by at most 10 days, complaints keeping §34's 30
    _profile(org, accusation_extension_days=(10, ValueUnit.CALENDAR_DAY))
    accusation = register_case(
        petition_type=PetitionType.ACCUSATION,
        title="反映某站所工作人员吃拿卡要",
        accused_unit_id=org.unit_b.pk,
    )
    # when unit A accepts it on Sat 20 Dec 2025: 21–31 Dec 11, January 31 (42), 18 Feb 2026 → 60
    case = _accepted(accusation, date(2025, 12, 20), clock, dispatcher_zhou, org.unit_a)
    assert _handling(case).due_on == date(2026, 2, 18)
    clock.set(date(2026, 2, 2))
    # then 11 days are refused: the accusation's own value (§30¶1), not §34's 30
    with pytest.raises(
        ValidationFailed, match="检举控告类事项延期合计不得超过10日（测试省：accusation_extension_days"
    ):
        wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=11, reason="需调取账目")
    # and 10 days approved: 19–28 Feb → Sat 28 Feb 2026
    case = wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=10, reason="需调取账目")
    case = wf.case_approve_extension(case=case, actor=head_sun_unit_a)
    assert _handling(case).due_on == date(2026, 2, 28)
    # while a complaint in the same province may still be extended by §34's 30 days
    complaint = _accepted(register_case(), date(2025, 12, 20), clock, dispatcher_zhou, org.unit_a)
    complaint = wf.case_extend(case=complaint, actor=head_sun_unit_a, days=30, reason="情况复杂")
    # 18 Feb 2026 + 30: 19–28 Feb (10) + 1–20 Mar (20) → 20 Mar 2026
    assert _handling(complaint).due_on == date(2026, 3, 20)


def test_an_approval_re_checks_the_ceiling_after_a_direct_extension_cond_34(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a
):
    # given a complaint accepted on Wed 10 Dec 2025 (due 8 Feb 2026) and a pending request for 20 days
    case = _accepted(register_case(), date(2025, 12, 10), clock, dispatcher_zhou, org.unit_a)
    case = wf.case_request_extension(case=case, actor=handler_wang_unit_a, days=20, reason="需现场勘验")
    # when the head meanwhile extends 15 days directly (→ 23 Feb 2026), the 20 no longer fit in 30
    case = wf.case_extend(case=case, actor=head_sun_unit_a, days=15, reason="需协调自然资源局")
    with pytest.raises(ValidationFailed, match=r"延期合计不得超过30日.*已延期15日"):
        wf.case_approve_extension(case=case, actor=head_sun_unit_a)
    # and nothing moved: the request still waits, the limit stays 23 Feb 2026 (9–23 Feb: 15 days)
    assert ExtensionRequest.objects.get(case=case).state == ExtensionState.PENDING
    assert _handling(case).due_on == date(2026, 2, 23)


# --- 条例 §23¶1, §34: a unit's 交办 of what it received directly is held to the statutory limit --------


def test_a_direct_assignment_deadline_after_the_statutory_limit_is_refused_cond_23_1_34(
    org, handler_wang_unit_a, clock
):
    squad = Unit.objects.create(
        code="X-ZJ-JC",
        name="住建局城建监察大队",
        kind=UnitKind.HOUSING,
        territory=org.county,
        parent=org.unit_a,
    )
    # given 住建局 registers a petition handed in on Mon 1 Dec 2025
    clock.set(date(2025, 12, 1))
    data = CaseIn(
        channel="visit",
        petition_type="complaint",
        title="小区违建无人处理",
        content="小区内有人违规加盖。",
        request="请依法处理",
        petitioners=[PetitionerIn(name="刘群众", id_number="11010519491231002X", phone="13800001234")],
    )
    case, _ = case_register(data=data, office=org.unit_a, actor=handler_wang_unit_a)
    # when it assigns it to its 监察大队 with a deadline past 60 days (2–31 Dec 30 + 1–30 Jan 30 → 30 Jan)
    with pytest.raises(ValidationFailed, match=r"2026年1月30日.*第三十四条"):
        wf.case_direct_route(
            case=case, actor=handler_wang_unit_a, unit=squad, kind="assign", deadline=date(2026, 1, 31)
        )
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED
    # the last lawful day is accepted
    case = wf.case_direct_route(
        case=case, actor=handler_wang_unit_a, unit=squad, kind="assign", deadline=date(2026, 1, 30)
    )
    assert Clock.objects.get(case=case, kind=ClockKind.ASSIGNMENT).due_on == date(2026, 1, 30)
