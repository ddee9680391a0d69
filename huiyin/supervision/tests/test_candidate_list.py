"""The 督办 candidate list a supervisor works from: every candidate reachable (true totals, pages, never
a silent cap), narrowed by kind, unit, place and age; and orders the petition office itself must answer
(条例 §40¶1, §43)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huiyin.core import timeutil
from huiyin.supervision import services
from huiyin.supervision.choices import CandidateReason, OrderState
from huiyin.supervision.models import SupervisionCandidate
from huiyin.workflow.clocks import sweep_clocks

DAY = date(2025, 3, 3)


def _candidates(register_case, org, n, *, reason=CandidateReason.STALLED, unit=None, **case_fields):
    cases = [register_case(**case_fields) for _ in range(n)]
    SupervisionCandidate.objects.bulk_create(
        SupervisionCandidate(
            case=c, unit=unit or org.unit_a, reason=reason, detail="测试", found_at=timeutil.now()
        )
        for c in cases
    )
    return cases


def _listed(html):
    return re.findall(r'data-testid="candidate" data-reason="(\w+)"', html)


def test_the_candidate_list_pages_with_the_true_total_instead_of_a_silent_cap(
    register_case, org, supervisor_chen, client
):
    # given 53 open candidates (the demo had 53 overdue cases and showed 5 of them)
    _candidates(register_case, org, 53)
    client.force_login(supervisor_chen)
    first = client.get("/supervision/").content.decode()
    # then the first page shows 50, says there are 53, and the second page shows the other 3
    assert len(_listed(first)) == 50
    assert "共 53 条" in first and "第 1 / 2 页" in first
    second = client.get("/supervision/?page=2").content.decode()
    assert len(_listed(second)) == 3


def test_beyond_the_count_cap_the_total_says_more_than_it_never_a_silent_number(
    register_case, org, supervisor_chen, client, monkeypatch
):
    """Issue 15: the total counts at most CANDIDATE_COUNT_CAP candidates (a full COUNT took 1.7 s at 10M
    cases) and then says so ("共 N 余条"); the pages still reach every candidate the count covers."""
    from huiyin.supervision import views

    monkeypatch.setattr(views, "CANDIDATE_COUNT_CAP", 60)
    _candidates(register_case, org, 61)
    client.force_login(supervisor_chen)
    with CaptureQueriesContext(connection) as ctx:
        first = client.get("/supervision/").content.decode()
    assert "共 60 余条" in first and "第 1 / 2 页" in first and "共 61 条" not in first
    # the total's COUNT reads at most cap + 1 rows
    (count,) = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(*)" in q["sql"] and "supervisioncandidate" in q["sql"]
    ]
    assert "LIMIT 61" in count
    assert len(_listed(client.get("/supervision/?page=2").content.decode())) == 11
    SupervisionCandidate.objects.filter(pk=SupervisionCandidate.objects.order_by("pk")[0].pk).delete()
    assert "共 60 条" in client.get("/supervision/").content.decode()  # at the cap: the true total


def test_the_unit_filter_offers_the_territory_units_with_open_candidates_only(
    register_case, org, supervisor_chen, client
):
    _candidates(register_case, org, 2, unit=org.township_gov)
    client.force_login(supervisor_chen)
    html = client.get("/supervision/").content.decode()
    options = re.findall(r'<option value="(\d+)"', html.split('name="unit"')[1].split("</select>")[0])
    assert options == [str(org.township_gov.pk)]


def test_the_filters_narrow_by_kind_unit_place_and_age(register_case, org, clock, supervisor_chen, client):
    clock.set(DAY)
    _candidates(register_case, org, 2, reason=CandidateReason.STALLED)
    clock.set(DAY + timedelta(days=40))
    _candidates(register_case, org, 3, reason=CandidateReason.RETURNED_TWICE, unit=org.township_gov)
    _candidates(
        register_case,
        org,
        1,
        reason=CandidateReason.STALLED,
        unit=org.township_gov,
        territory_id=org.village.pk,
    )
    client.force_login(supervisor_chen)

    def listed(query):
        return _listed(client.get(f"/supervision/?{query}").content.decode())

    assert listed("reason=returned_twice") == ["returned_twice"] * 3
    assert len(listed(f"unit={org.township_gov.pk}")) == 4
    assert listed(f"territory={org.township.pk}") == [
        "stalled"
    ]  # the village's case, found from its township
    assert listed("min_age=30") == ["stalled", "stalled"]  # registered on 3 March, 40 days ago
    assert len(listed(f"reason=stalled&unit={org.unit_a.pk}")) == 2


@pytest.mark.parametrize(
    "query", ["unit=²", "unit=99999999999999999999", "territory=①", "min_age=-1", "min_age=1e9", "reason=x"]
)
def test_a_made_up_filter_value_is_a_form_error_never_a_server_error(
    query, register_case, org, supervisor_chen, client
):
    _candidates(register_case, org, 2)
    client.force_login(supervisor_chen)
    response = client.get(f"/supervision/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="field-error"' in html
    assert len(_listed(html)) == 2  # an invalid filter narrows nothing


def test_an_order_addressed_to_the_petition_office_is_answered_by_its_dispatcher_40(
    register_case, org, clock, supervisor_chen, dispatcher_zhou, client
):
    # given a case the office did not route within 15 days (条例 §22¶1) is a candidate of the office itself
    clock.set(DAY)
    case = register_case()
    clock.set(DAY + timedelta(days=20))
    sweep_clocks()
    services.sweep_supervision()
    candidate = SupervisionCandidate.objects.get(
        case=case, reason=CandidateReason.OVERDUE, unit=org.county_office
    )
    # and no internal clock code reaches the screen
    assert re.fullmatch(r"(登记分办|书面告知)期限2025-03-18届满", candidate.detail)
    client.force_login(supervisor_chen)
    page = client.get("/supervision/").content.decode()
    assert candidate.detail in page
    assert not re.search(r"(routing|notice|handling)时限", page)
    order = services.order_issue(
        case=case,
        actor=supervisor_chen,
        instructions="请即分办",
        due_on=DAY + timedelta(days=25),
        candidate=candidate,
    )
    assert order.unit == org.county_office
    # when the office's dispatcher answers, it is answered (before, nobody in the office could)
    client.force_login(dispatcher_zhou)
    assert 'data-testid="answer-submit"' in client.get(f"/cases/{case.code}/supervision/").content.decode()
    order = services.order_answer(order=order, actor=dispatcher_zhou, answer="已于当日转送住建局")
    assert order.state == OrderState.ANSWERED
