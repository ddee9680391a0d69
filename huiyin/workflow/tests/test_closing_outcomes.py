"""What a closed case is counted as (issue 10, JU-2 and SV-5):

- 条例 §27: which outcome applied — solved, explained, assistance arranged, referred to the legal process —
  and the level of the unit that resolved it (§15¶3 小事不出村、大事不出镇); nothing here is a measure
  against the person;
- 条例 §42: the root cause of the matter, for the annual report (§41).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Count

from huiyin.cases.choices import Decision, Outcome, RootCause, Status
from huiyin.cases.models import Case
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import User
from huiyin.portal.selectors import citizen_timeline
from huiyin.workflow import services as wf


@pytest.fixture
def handler_township(org):
    return User.objects.create_user(
        username="handler_town", password="pw", full_name="镇承办", unit=org.township_gov, role="handler"
    )


def _answered(register_case, clock, dispatcher, clerk, handler, unit, decision=Decision.SUPPORT):
    """A complaint forwarded to `unit`, answered with `decision` and delivered."""
    clock.set(date(2025, 6, 2))
    case = wf.case_accept(case=register_case(), actor=dispatcher)
    case = wf.case_forward(case=case, actor=dispatcher, unit=unit)
    case = wf.case_accept_assignment(case=case, actor=handler)  # 条例 §23¶3
    case = wf.case_reply(
        case=case, actor=handler, facts_reasons="经核实", decision=decision, legal_basis="依据"
    )
    return wf.case_deliver(case=case, actor=clerk, method="in_person")


def test_a_closed_case_records_its_outcome_and_the_level_that_resolved_it_cond_27(
    clock, org, register_case, dispatcher_zhou, clerk_li, handler_township
):
    # given a matter the township answered with support (条例 §32)
    case = _answered(register_case, clock, dispatcher_zhou, clerk_li, handler_township, org.township_gov)
    # when the office closes it, saying the matter arose from nobody's conduct of duty (§42)
    case = wf.case_close(case=case, actor=clerk_li, root_cause=RootCause.NOT_FROM_DUTY)
    # then it is counted as solved at the township level (小事不出村、大事不出镇, §15¶3)
    assert case.status == Status.CLOSED
    assert (case.outcome, case.resolved_unit, case.resolved_level, case.root_cause) == (
        Outcome.SOLVED,
        org.township_gov,
        TerritoryLevel.TOWNSHIP,
        RootCause.NOT_FROM_DUTY,
    )
    data = case.events.get(event_type="close").data
    assert (data["outcome"], data["resolved_level"], data["root_cause"]) == ("solved", 4, "not_from_duty")
    # and the petitioner's timeline says only that it closed: the outcome is a statistic, not a verdict
    assert citizen_timeline(case)[-1]["text"] == "办结"


def test_a_not_supported_answer_closes_as_explained_and_staff_may_record_assistance_cond_27(
    clock, org, register_case, dispatcher_zhou, clerk_li, handler_wang_unit_a
):
    explained = _answered(
        register_case, clock, dispatcher_zhou, clerk_li, handler_wang_unit_a, org.unit_a, Decision.NOT_SUPPORT
    )
    explained = wf.case_close(case=explained, actor=clerk_li, root_cause=RootCause.UNDETERMINED)
    assert (explained.outcome, explained.resolved_level) == (Outcome.EXPLAINED, TerritoryLevel.COUNTY)
    # a person in hardship got assistance arranged (§27 帮扶救助到位): staff record it over the default
    assisted = _answered(
        register_case, clock, dispatcher_zhou, clerk_li, handler_wang_unit_a, org.unit_a, Decision.EXPLAIN
    )
    assisted = wf.case_close(
        case=assisted, actor=clerk_li, root_cause=RootCause.INACTION, outcome=Outcome.ASSISTED
    )
    assert assisted.outcome == Outcome.ASSISTED


def test_closing_without_a_root_cause_is_refused_and_nothing_is_written_cond_42(
    clock, org, register_case, dispatcher_zhou, clerk_li, handler_wang_unit_a
):
    case = _answered(register_case, clock, dispatcher_zhou, clerk_li, handler_wang_unit_a, org.unit_a)
    with pytest.raises(wf.ValidationFailed) as caught:
        wf.case_close(case=case, actor=clerk_li)
    assert "root_cause" in caught.value.extra["fields"]
    with pytest.raises(wf.ValidationFailed):
        wf.case_close(case=case, actor=clerk_li, root_cause="bad_code")
    with pytest.raises(wf.ValidationFailed):
        wf.case_close(case=case, actor=clerk_li, root_cause=RootCause.INACTION, outcome="punished")
    case.refresh_from_db()
    assert (case.status, case.root_cause, case.outcome) == (Status.REPLIED, "", "")
    assert not case.events.filter(event_type="close").exists()


def test_root_causes_and_levels_are_countable_for_the_annual_report_cond_41_42(
    clock, org, register_case, dispatcher_zhou, clerk_li, handler_wang_unit_a, handler_township
):
    for handler, unit, cause in (
        (handler_township, org.township_gov, RootCause.NOT_FROM_DUTY),
        (handler_wang_unit_a, org.unit_a, RootCause.INACTION),
        (handler_wang_unit_a, org.unit_a, RootCause.INACTION),
    ):
        case = _answered(register_case, clock, dispatcher_zhou, clerk_li, handler, unit)
        wf.case_close(case=case, actor=clerk_li, root_cause=cause)
    closed = Case.objects.filter(status=Status.CLOSED).order_by()
    assert dict(closed.values_list("root_cause").annotate(n=Count("id"))) == {
        "not_from_duty": 1,
        "inaction": 2,
    }
    assert dict(closed.values_list("resolved_level").annotate(n=Count("id"))) == {
        TerritoryLevel.TOWNSHIP: 1,
        TerritoryLevel.COUNTY: 2,
    }


def test_the_close_form_asks_for_the_root_cause_and_the_page_shows_it_cond_42(
    client, clock, org, register_case, dispatcher_zhou, clerk_li, handler_wang_unit_a
):
    case = _answered(register_case, clock, dispatcher_zhou, clerk_li, handler_wang_unit_a, org.unit_a)
    client.force_login(clerk_li)
    url = f"/cases/{case.code}/actions/close/"
    form = client.get(url).content.decode()
    assert "信访问题成因" in form and "应当作为而不作为" in form and "化解情况" in form
    assert client.post(url, {"reason": "办结"}).status_code == 400
    assert Case.objects.get(pk=case.pk).status == Status.REPLIED
    assert client.post(url, {"root_cause": "inaction", "outcome": ""}).status_code == 302
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "应当作为而不作为" in page and "诉求合理，问题解决到位" in page


def test_the_api_close_requires_the_root_cause_cond_42(
    clock, org, register_case, dispatcher_zhou, clerk_li, handler_wang_unit_a
):
    from django.test import Client

    from huiyin.org.services import token_issue

    case = _answered(register_case, clock, dispatcher_zhou, clerk_li, handler_wang_unit_a, org.unit_a)
    _, raw = token_issue(user=clerk_li, name="测试")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    url = f"/api/cases/{case.code}/actions/close"
    missing = api.post(url, {}, content_type="application/json")
    assert missing.status_code in (400, 422) and "message" in missing.json()
    assert Case.objects.get(pk=case.pk).status == Status.REPLIED
    ok = api.post(url, {"root_cause": "wrong_law_or_procedure"}, content_type="application/json")
    assert ok.status_code == 200
    assert Case.objects.get(pk=case.pk).root_cause == RootCause.WRONG_LAW_OR_PROCEDURE
