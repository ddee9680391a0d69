"""Outreach's figures in the analytics registry (Module.metrics), on hand-worked fixtures: each is
found by its key, dimensioned by its own territory and unit (no case behind it, except the problems
that became cases), and the app's functions give the same numbers."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.analytics.registry import Filters, all_metrics, case_ids, compute, get_metric
from huiyin.cases.choices import Status
from huiyin.cases.models import Case
from huiyin.outreach import metrics, services
from huiyin.outreach.choices import CommitmentAction

pytestmark = pytest.mark.django_db

KEYS = {
    "outreach_visits_per_pairing",
    "outreach_coverage",
    "outreach_issues_per_visit",
    "outreach_found_resolved",
    "outreach_commitment_fulfilment",
    "outreach_commitment_satisfaction",
    "outreach_consultation_adopted",
}


def test_the_module_declares_its_seven_figures_in_the_registry():
    mine = {m.key: m for m in all_metrics() if m.module == "outreach"}
    assert set(mine) == KEYS
    # only the problems that became cases have a case behind them; the others name their territory
    assert {k for k, m in mine.items() if m.case_path is not None} == {"outreach_found_resolved"}
    assert all(m.territory for m in mine.values())


def _consenting(title):
    return services.CaseFromProblemIn(
        title=title, request="请处理", person_name="张大爷", consent_given=True, consent_note="当面同意"
    )


def test_issues_per_visit_and_found_problems_resolved_before_a_petition(
    make_entry, grid_ma, township_office, clock
):
    """March: entry 1 (03-03) with 3 problems, entry 2 (03-20) with none, entry 3 (03-28) with 1.
    Problems turned into cases: two of entry 1 and the one of entry 3; of those, one of entry 1 was
    answered (答复) and entry 3's closed (办结). April: entry 4 (04-02), 1 problem, a case, not answered.
    March: 4 problems over 3 visits; 2 of 3 found cases answered. April: 1 / 1 and 0 of 1."""
    clock.set(date(2025, 4, 2))
    e1 = make_entry(visited_on=date(2025, 3, 3), problems=["道路塌陷", "路灯不亮", "低保未公示"])
    make_entry(visited_on=date(2025, 3, 20), problems=[])
    e3 = make_entry(visited_on=date(2025, 3, 28), problems=["灌溉渠堵塞"])
    e4 = make_entry(visited_on=date(2025, 4, 2), problems=["危房"])
    p1, p2, _p3 = e1.problems.all()
    cases = [
        services.problem_to_case(problem=p, data=_consenting(p.text), actor=grid_ma)
        for p in (p1, p2, e3.problems.get(), e4.problems.get())
    ]
    Case.objects.filter(pk=cases[0].pk).update(status=Status.REPLIED)
    Case.objects.filter(pk=cases[2].pk).update(status=Status.CLOSED)
    march = (date(2025, 3, 1), date(2025, 3, 31))
    april = (date(2025, 4, 1), date(2025, 4, 30))
    assert metrics.issues_per_visit(*march) == (4, 3)
    assert compute(get_metric("outreach_issues_per_visit"), Filters(*march)).text == "1.3个"
    assert metrics.found_cases_resolved(*march) == (2, 3)
    assert metrics.issues_per_visit(*april) == (1, 1)
    assert metrics.found_cases_resolved(*april) == (0, 1)
    # the figure drills down to its cases (the analytics drill-down), its numerator to the answered two
    found = get_metric("outreach_found_resolved")
    assert set(case_ids(found, Filters(*march), "num").values_list("case__id", flat=True)) == {
        cases[0].pk,
        cases[2].pk,
    }
    # and a case dimension filters it: none of them is an accusation
    assert compute(found, Filters(*march, petition_type="accusation")).den == 0


def test_fulfilment_is_dated_by_the_day_each_promise_is_decided(org, head_sun_unit_a, clock):
    """住建局 (the township's commitments): A due 06-30 kept 06-20 (decided 06-20, kept); B due 05-31
    left open (decided 05-31, not kept); D due 07-31 declared broken 07-01 (decided 07-01); E due 04-30
    kept late on 05-10 (decided 04-30, kept). By month: April 1/1, May 0/1, June 1/1, July 0/1."""

    def publish(title, due):
        clock.set(date(2025, 3, 3))
        return services.commitment_publish(
            data=services.CommitmentIn(title, "群众", "结果", due, org.township), actor=head_sun_unit_a
        )

    def act(c, action):
        services.commitment_act(commitment=c, action=action, text="说明", progress=100, actor=head_sun_unit_a)

    a, _b, d, e = (
        publish(t, due)
        for t, due in (
            ("A", date(2025, 6, 30)),
            ("B", date(2025, 5, 31)),
            ("D", date(2025, 7, 31)),
            ("E", date(2025, 4, 30)),
        )
    )
    clock.set(date(2025, 5, 10))
    act(e, CommitmentAction.FULFIL)
    clock.set(date(2025, 6, 20))
    act(a, CommitmentAction.FULFIL)
    clock.set(date(2025, 7, 1))
    act(d, CommitmentAction.BREAK)
    clock.set(date(2025, 7, 15))
    m = get_metric("outreach_commitment_fulfilment")
    by_month = [
        (f.num, f.den)
        for f in (
            compute(m, Filters(date(2025, 4, 1), date(2025, 4, 30))),
            compute(m, Filters(date(2025, 5, 1), date(2025, 5, 31))),
            compute(m, Filters(date(2025, 6, 1), date(2025, 6, 30))),
            compute(m, Filters(date(2025, 7, 1), date(2025, 7, 31))),
        )
    ]
    assert by_month == [(1, 1), (0, 1), (1, 1), (0, 1)]
    assert metrics.commitment_fulfilment(date(2025, 7, 15)) == (2, 4)
    # the commitments' own territory: all four are the township's; another township has none
    assert (
        compute(m, Filters(date(2025, 1, 1), date(2025, 12, 31), territory_path=org.township.path)).den == 4
    )
    [row] = metrics.per_unit(date(2025, 7, 15))
    assert (row["due"], row["kept"], row["broken"]) == (4, 2, 1)


def test_satisfaction_counts_ratings_on_their_day(org, head_sun_unit_a, clock):
    clock.set(date(2025, 3, 3))
    c = services.commitment_publish(
        data=services.CommitmentIn("修路", "村民", "通车", date(2025, 3, 31), org.township),
        actor=head_sun_unit_a,
    )
    clock.set(date(2025, 4, 1))
    services.commitment_rate(commitment=c, contact="13800000001", fulfilment="yes", satisfaction="satisfied")
    clock.set(date(2025, 5, 6))
    services.commitment_rate(
        commitment=c, contact="13800000002", fulfilment="no", satisfaction="dissatisfied"
    )
    services.commitment_rate(commitment=c, contact="13800000003", fulfilment="partly", satisfaction="basic")
    m = get_metric("outreach_commitment_satisfaction")
    april = compute(m, Filters(date(2025, 4, 1), date(2025, 4, 30)))
    may = compute(m, Filters(date(2025, 5, 1), date(2025, 5, 31)))
    assert (april.num, april.den, may.num, may.den) == (1, 1, 1, 2)
    assert metrics.commitment_satisfaction() == (2, 3)
    assert metrics.commitment_satisfaction(org.unit_b.pk) == (0, 0)
