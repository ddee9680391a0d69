"""Each petition type runs on its own rules (issue 10, item 2; regulations.md HD-1, HD-2, HD-7):

- 条例 §34's 60 days (+≤30) bind only §31(六) 申诉求决 matters;
- a suggestion (建议意见, §29) is studied and answered, with its adoption, on the `suggestion_days` value;
- an accusation (检举控告, §30¶1) is handled and answered under the competent organ's rules, on the
  `accusation_days` value.
The 2022 text sets no limit for either (docs/regulations.md §4), so both are rule values of the profile;
the national defaults keep the 60 days of the 2005 《信访条例》§33, flagged for legal confirmation.
Expected dates are counted by hand in each test.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Count

from huiyin.cases.choices import Adoption, Decision, PetitionType, Status
from huiyin.cases.models import Case
from huiyin.org.choices import Role, RuleKey, ValueUnit
from huiyin.org.models import RuleProfile, RuleValue, User
from huiyin.org.selectors import rules_for_profile
from huiyin.portal.selectors import citizen_timeline
from huiyin.workflow import services as wf
from huiyin.workflow.choices import ClockKind, ClockState
from huiyin.workflow.models import Clock

SUGGESTION_ANSWER = {"facts_reasons": "经研究论证，该建议具有可行性。"}


def _handling(case):
    return Clock.objects.filter(case=case, kind=ClockKind.HANDLING).latest("id")


def _profile(org, **values):
    """A province's profile over the national baseline, selected for the county (new cases only)."""
    profile = RuleProfile.objects.create(code="t10types", name="测试省", based_on=RuleProfile.national())
    for key, (value, unit) in values.items():
        RuleValue.objects.create(profile=profile, key=key, value=value, unit=unit, article=f"测试省：{key}")
    org.county.rule_profile = profile
    org.county.save()
    return profile


@pytest.fixture(autouse=True)
def _handler(handler_wang_unit_a):
    """The handler of unit A, who accepts the matters forwarded to it."""
    return handler_wang_unit_a


def _accept_and_assign(case, day, clock, dispatcher, unit):
    """受理 and 转送 on `day` (a 转送 needs no completion report, 条例 §22¶1), and the unit's own
    acceptance the same day, from which its handling limit runs (条例 §23¶3, §34)."""
    clock.set(day)
    case = wf.case_accept(case=case, actor=dispatcher)
    case = wf.case_forward(case=case, actor=dispatcher, unit=unit)
    handler = User.objects.filter(unit=unit, role=Role.HANDLER, is_active=True).order_by("pk").first()
    return wf.case_accept_assignment(case=case, actor=handler)


def test_suggestion_answered_within_its_own_limit_cond_29(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a
):
    # given a province that answers suggestions within 10 working days (§29 sets no limit of its own)
    _profile(org, suggestion_days=(10, ValueUnit.WORKING_DAY))
    suggestion = register_case(petition_type=PetitionType.SUGGESTION, title="建议增设公交站点")
    complaint = register_case(title="小区楼道漏水")
    # when both are accepted on Friday 26 Sep 2025
    suggestion = _accept_and_assign(suggestion, date(2025, 9, 26), clock, dispatcher_zhou, org.unit_a)
    complaint = _accept_and_assign(complaint, date(2025, 9, 26), clock, dispatcher_zhou, org.unit_a)
    # then the suggestion's clock counts 10 working days over the National Day 调休:
    #   Sun 28 Sep (调休, works) 1, Mon 29 2, Tue 30 3, 1–8 Oct holiday, Thu 9 Oct 4, Fri 10 5,
    #   Sat 11 Oct (调休, works) 6, Mon 13 7, Tue 14 8, Wed 15 9, Thu 16 Oct 10  → 16 Oct 2025
    clock_s = _handling(suggestion)
    assert (clock_s.due_on, clock_s.rule_days, clock_s.rule_unit) == (date(2025, 10, 16), 10, "working_day")
    assert clock_s.rule_article == "测试省：suggestion_days"
    # and the complaint keeps §34's 60 calendar days: 26 Sep + 4 (to 30 Sep) + 31 (Oct) + 25 → 25 Nov 2025
    clock_c = _handling(complaint)
    assert (clock_c.due_on, clock_c.rule_days, clock_c.rule_unit) == (date(2025, 11, 25), 60, "calendar_day")
    assert "第三十四条" in clock_c.rule_article
    # when the suggestion is answered on its last day, adopted in part
    clock.set(date(2025, 10, 16))
    suggestion = wf.case_reply(
        case=suggestion, actor=handler_wang_unit_a, adoption=Adoption.PARTLY_ADOPTED, **SUGGESTION_ANSWER
    )
    # then it met its own limit
    clock_s.refresh_from_db()
    assert (clock_s.state, clock_s.stopped_on) == (ClockState.MET, date(2025, 10, 16))


def test_a_suggestion_answered_the_day_after_its_limit_is_late_cond_29(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a
):
    _profile(org, suggestion_days=(10, ValueUnit.WORKING_DAY))
    suggestion = register_case(petition_type=PetitionType.SUGGESTION, title="建议增设公交站点")
    suggestion = _accept_and_assign(suggestion, date(2025, 9, 26), clock, dispatcher_zhou, org.unit_a)
    # Fri 17 Oct 2025 is the 11th working day (see above): one day late, though far inside 60 days
    clock.set(date(2025, 10, 17))
    wf.case_reply(case=suggestion, actor=handler_wang_unit_a, adoption=Adoption.ADOPTED, **SUGGESTION_ANSWER)
    assert _handling(suggestion).state == ClockState.LATE


def test_accusation_handled_on_its_own_limit_across_the_year_end_cond_30(
    clock, org, register_case, dispatcher_zhou
):
    # given an accusation against 民政局, under the national profile
    case = register_case(
        petition_type=PetitionType.ACCUSATION,
        title="反映某站所工作人员吃拿卡要",
        accused_unit_id=org.unit_b.pk,
    )
    # when it is accepted on Saturday 20 Dec 2025
    case = _accept_and_assign(case, date(2025, 12, 20), clock, dispatcher_zhou, org.unit_a)
    # then its clock runs on the accusation rule (§30¶1), not §34: 60 calendar days by the national default,
    #   21–31 Dec 11, January 31 (42), 18 Feb 2026 → 60; no roll-over past the Spring Festival nationally
    handling = _handling(case)
    assert (handling.due_on, handling.rule_days, handling.rule_unit) == (
        date(2026, 2, 18),
        60,
        "calendar_day",
    )
    assert "第三十条" in handling.rule_article
    assert "第三十四条" not in handling.rule_article


def test_a_province_sets_the_accusation_limit_of_its_own_cond_30(clock, org, register_case, dispatcher_zhou):
    _profile(org, accusation_days=(30, ValueUnit.CALENDAR_DAY))
    case = register_case(
        petition_type=PetitionType.ACCUSATION, title="反映违规收费", accused_unit_id=org.unit_b.pk
    )
    case = _accept_and_assign(case, date(2025, 12, 20), clock, dispatcher_zhou, org.unit_a)
    # 21–31 Dec 11, then 19 days of January → 19 Jan 2026
    assert _handling(case).due_on == date(2026, 1, 19)


def test_zhejiang_and_shandong_keep_their_own_values_and_inherit_the_type_rules(db):
    # the province profiles add to the national baseline: their own values stay, the type rules come along
    zhejiang = rules_for_profile(RuleProfile.objects.get(code="zhejiang"))
    shandong = rules_for_profile(RuleProfile.objects.get(code="shandong"))
    assert (zhejiang[RuleKey.ROUTING_DAYS].value, zhejiang[RuleKey.ROUTING_DAYS].unit) == (5, "working_day")
    assert shandong[RuleKey.REVIEW_ACCEPT_DAYS].value == 3
    for rules in (zhejiang, shandong):
        assert rules[RuleKey.HANDLING_DAYS].value == 60
        assert "第二十九条" in rules[RuleKey.SUGGESTION_DAYS].article
        assert "第三十条" in rules[RuleKey.ACCUSATION_DAYS].article


def test_a_suggestion_answer_records_its_adoption_countable_for_the_annual_report_cond_29(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a
):
    # given three suggestions answered — adopted, partly adopted, not adopted — and one not yet answered
    answered = {}
    for adoption in Adoption:
        case = register_case(petition_type=PetitionType.SUGGESTION, title=f"建议{adoption.label}")
        case = _accept_and_assign(case, date(2025, 6, 2), clock, dispatcher_zhou, org.unit_a)
        answered[adoption] = wf.case_reply(
            case=case, actor=handler_wang_unit_a, adoption=adoption, **SUGGESTION_ANSWER
        )
    register_case(petition_type=PetitionType.SUGGESTION, title="尚未答复的建议")
    # then each answer records the adoption on the case, its event and a matching §32 decision
    partly = answered[Adoption.PARTLY_ADOPTED]
    assert partly.adoption == Adoption.PARTLY_ADOPTED
    assert partly.events.get(event_type="reply").data["adoption"] == "partly_adopted"
    assert answered[Adoption.NOT_ADOPTED].opinions.get().decision == Decision.NOT_SUPPORT
    assert partly.opinions.get().legal_basis == "《信访工作条例》第二十九条"
    # and the §41 report counts them with one query
    counts = dict(
        Case.objects.filter(petition_type=PetitionType.SUGGESTION)
        .values_list("adoption")
        .annotate(n=Count("id"))
    )
    assert counts == {"adopted": 1, "partly_adopted": 1, "not_adopted": 1, "": 1}
    # and the petitioner reads the adoption on the timeline
    assert any("部分采纳" in row["text"] for row in citizen_timeline(partly))


def test_a_suggestion_answer_without_its_adoption_is_refused_and_nothing_is_written_cond_29(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a
):
    case = register_case(petition_type=PetitionType.SUGGESTION, title="建议增设公交站点")
    case = _accept_and_assign(case, date(2025, 6, 2), clock, dispatcher_zhou, org.unit_a)
    with pytest.raises(wf.ValidationFailed) as caught:
        wf.case_reply(case=case, actor=handler_wang_unit_a, decision=Decision.SUPPORT, **SUGGESTION_ANSWER)
    assert "adoption" in caught.value.extra["fields"]
    case.refresh_from_db()
    assert (case.status, case.adoption, case.opinions.count()) == (Status.IN_HANDLING, "", 0)
    assert _handling(case).state == ClockState.RUNNING


def test_only_a_suggestion_is_answered_with_an_adoption_cond_29(
    clock, org, register_case, dispatcher_zhou, handler_wang_unit_a
):
    case = _accept_and_assign(register_case(), date(2025, 6, 2), clock, dispatcher_zhou, org.unit_a)
    with pytest.raises(wf.ValidationFailed, match="只有建议意见类事项"):
        wf.case_reply(
            case=case,
            actor=handler_wang_unit_a,
            decision=Decision.SUPPORT,
            legal_basis="依据",
            adoption=Adoption.ADOPTED,
            facts_reasons="属实",
        )
    with pytest.raises(wf.ValidationFailed, match="请选择处理意见"):
        wf.case_reply(case=case, actor=handler_wang_unit_a, legal_basis="依据", facts_reasons="属实")
    assert Case.objects.get(pk=case.pk).status == Status.IN_HANDLING


def test_the_reply_form_of_a_suggestion_asks_for_the_adoption_cond_29(
    client, clock, org, register_case, dispatcher_zhou, handler_wang_unit_a
):
    case = register_case(petition_type=PetitionType.SUGGESTION, title="建议增设公交站点")
    case = _accept_and_assign(case, date(2025, 6, 2), clock, dispatcher_zhou, org.unit_a)
    client.force_login(handler_wang_unit_a)
    url = f"/cases/{case.code}/actions/reply/"
    page = client.get(url).content.decode()
    assert "采纳情况" in page and "部分采纳" in page
    assert 'name="decision"' not in page
    # when posted without the adoption the form stays with the message; with it the answer is issued
    assert client.post(url, {"facts_reasons": "经研究"}).status_code in (200, 400)
    assert Case.objects.get(pk=case.pk).status == Status.IN_HANDLING
    response = client.post(url, {"facts_reasons": "经研究", "adoption": "adopted", "legal_basis": ""})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).adoption == Adoption.ADOPTED
