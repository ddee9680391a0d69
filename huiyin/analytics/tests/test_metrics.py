"""Every registered metric on the autumn-2025 story (tests/story.py), each value worked out by hand from
the story's dates; the roll-ups must give the same figures as the direct SQL aggregate."""

from __future__ import annotations

from datetime import date

import pytest

from huiyin.analytics import selectors, services
from huiyin.analytics.registry import Filters, all_metrics, compute, get_metric
from huiyin.analytics.tests import story as st

NOV = Filters(start=date(2025, 11, 1), end=date(2025, 11, 30))
OCT = Filters(start=date(2025, 10, 1), end=date(2025, 10, 31))
DEC = Filters(start=date(2025, 12, 1), end=date(2025, 12, 31))


@pytest.fixture
def people(cast_all, handler_zhao_unit_b, supervisor_chen):
    return {
        "clerk": cast_all.people["clerk"],
        "dispatcher": cast_all.people["dispatcher"],
        "handler": cast_all.people["handler"],
        "head": cast_all.people["head"],
        "handler_b": handler_zhao_unit_b,
        "reviewer": cast_all.people["reviewer"],
        "supervisor": supervisor_chen,
    }


@pytest.fixture
def autumn(clock, org, people):
    return st.build(clock, org, people)


def value(key: str, f: Filters = NOV) -> float | None:
    return compute(get_metric(key), f).value


def parts(key: str, f: Filters = NOV) -> tuple[int, int]:
    fig = compute(get_metric(key), f)
    return fig.num, fig.den


# Hand counts for November 2025 (the story's docstring gives every date).
NOVEMBER = {
    # B 11-03, D 11-03, F 11-12, G 11-14
    "registered": (4, 4),
    # L 11-03, A 11-05, C 11-10, E 11-10, D 11-17, E again 11-20
    "answered": (6, 6),
    # routing clocks stopped in Nov: D 11-04 met, F merged 11-12 met, B 11-20 late (registered 11-03 +
    # 15 days = 11-18); G diverted 11-14: its clocks were handed over (诉访分离), neither met nor late
    "response_rate": (2, 3),
    # notice clocks stopped by acceptance (B, D 11-03) and the merge (F): all in time; the diversion (G)
    # handed its clocks over (neither met nor late)
    "notice_on_time": (3, 3),
    # handling clocks stopped in Nov: L late (accepted 08-01 + 60 days = 09-30, answered 11-03); C met only
    # because of its extension (09-01 + 60 = 10-31, +30 = 11-30, answered 11-10); A, E, D, E again met
    "handled_on_time": (5, 6),
    # ratings in Nov: A solved and satisfied (11-06), E not solved and dissatisfied (11-11)
    "resolution_rate": (1, 2),
    "satisfaction_rate": (1, 2),
    # of the six answers, rated afterwards: A (11-06) and E's first answer (11-11)
    "callback_rate": (2, 6),
    # closed after an answer: A (first time), D (re-routed after an objection), E (reopened)
    "first_time_rate": (1, 3),
    # registered with a known person: B, D, F (merged into E; E's petitioner), G (L's petitioner, L's category)
    "repeat_rate": (2, 4),
    # D is a collective visit
    "collective_share": (1, 4),
    # of the four visits (B, D, F, G: the story registers visits only) G skipped levels (条例 §20¶1)
    "skipped_level_share": (1, 4),
    # one order on B, one on E
    "supervision_count": (2, 2),
    # B's answered 11-13 for 11-14, E's answered 11-14 for 11-12
    "supervision_on_time": (1, 2),
    # of the six answers, C's was followed by a review request (11-12)
    "review_rate": (1, 6),
    # review answers in Nov: H (11-05), C (11-20); C asked for 复核 on 11-25
    "rereview_rate": (1, 2),
    # H's review changed not_support into support; C's kept support
    "change_rate": (1, 2),
}


def test_every_built_in_metric_has_a_hand_worked_november(autumn):
    built_in = {m.key for m in all_metrics() if m.module == "analytics"}
    # appraisal_rate counts 民主评议 answers, which the autumn story has none of: its hand count is in
    # test_survey.py (test_the_response_rate_and_results_then_the_closed_round_counts_for_the_scorecards)
    assert built_in - {"avg_handling_days", "appraisal_rate"} == set(NOVEMBER)


@pytest.mark.parametrize("key", sorted(NOVEMBER))
def test_each_metric_of_november_matches_the_hand_count(autumn, key):
    num, den = NOVEMBER[key]
    assert parts(key)[0] == num
    if get_metric(key).kind != "count":
        assert parts(key)[1] == den


def test_rates_are_percentages_of_their_hand_counts(autumn):
    assert value("response_rate") == 66.7
    assert value("handled_on_time") == 83.3  # 5 of 6
    assert value("callback_rate") == 33.3
    assert value("review_rate") == 16.7
    assert value("registered") == 4.0


def test_the_time_basis_puts_each_event_in_its_own_month(autumn):
    # October: A and E registered; their routing clocks stopped 10-22 and 10-28 within 15 days;
    # H's answer of 10-10 was followed by a review request
    assert parts("registered", OCT)[0] == 2
    assert parts("response_rate", OCT) == (2, 2)
    assert parts("review_rate", OCT) == (1, 1)
    assert parts("handled_on_time", OCT) == (1, 1)  # H answered 10-10, 39 days after acceptance


def test_average_handling_working_days_counts_the_national_day_holiday_and_its_adjusted_workdays(autumn):
    # L: the unit accepted Mon 2025-08-04 (day 0; 条例 §23¶3, §34), answered Mon 2025-11-03. Working days
    # in (08-04, 11-03]: August 5–29: 19; September: 22 weekdays + Sun 09-28 (调休 workday) = 23; October:
    # 23 weekdays − 6 holiday weekdays (10-01..03, 10-06..08) + Sat 10-11 (调休 workday) = 18; Nov 3: 1 → 61
    assert value("avg_handling_days", Filters(start=date(2025, 11, 3), end=date(2025, 11, 3))) == 61.0
    # A: the unit accepted Wed 10-22, answered Wed 11-05: 10-23..24 (2) + 10-27..31 (5) + 11-03..05 (3) = 10
    assert value("avg_handling_days", Filters(start=date(2025, 11, 5), end=date(2025, 11, 5))) == 10.0
    # both days together: (61 + 10) / 2
    assert value("avg_handling_days", Filters(start=date(2025, 11, 3), end=date(2025, 11, 5))) == 35.5


def test_unit_filters_attribute_each_figure_to_its_responsible_unit(autumn, org):
    unit_a = Filters(start=NOV.start, end=NOV.end, unit_id=org.unit_a.pk)
    office = Filters(start=NOV.start, end=NOV.end, unit_id=org.county_office.pk)
    # the order on B went to the office (B had no handling unit yet), the order on E to unit A
    assert parts("supervision_count", unit_a)[0] == 1 and parts("supervision_count", office)[0] == 1
    # routing is the office's duty; handling unit A's
    assert parts("response_rate", office) == (2, 3) and parts("response_rate", unit_a) == (0, 0)
    assert parts("handled_on_time", unit_a) == (5, 6)
    assert parts("handled_on_time", Filters(start=NOV.start, end=NOV.end, unit_id=org.unit_b.pk)) == (0, 0)


def test_dimension_filters_cut_by_category_channel_and_territory(autumn, org):
    by_cat = Filters(start=NOV.start, end=NOV.end, category_name=autumn.category.full_name)
    assert parts("registered", by_cat)[0] == 1  # G only
    assert parts("registered", Filters(start=NOV.start, end=NOV.end, channel="letter"))[0] == 0
    assert (
        parts("registered", Filters(start=NOV.start, end=NOV.end, territory_path=org.township.path))[0] == 4
    )
    top = autumn.category.full_name.split(" / ")[0]
    assert parts("registered", Filters(start=NOV.start, end=NOV.end, category_name=top))[0] >= 1


def test_a_rating_after_the_month_is_counted_in_the_month_it_arrives(autumn, clock, people):
    st.rate_d_late(clock, people["clerk"], autumn)
    assert parts("satisfaction_rate") == (1, 2)  # November unchanged
    assert parts("satisfaction_rate", DEC) == (1, 1)  # 基本满意 counts as satisfied
    assert parts("resolution_rate", DEC) == (1, 1)
    # 回访率 is dated by the answer: D's November answer now has its callback
    assert parts("callback_rate") == (3, 6)


def test_the_rollups_sum_to_the_direct_figures_for_every_metric_and_filter(autumn, org):
    services.rollup_rebuild()
    for f in (
        NOV,
        OCT,
        Filters(start=date(2025, 8, 1), end=date(2025, 12, 31)),
        Filters(start=NOV.start, end=NOV.end, unit_id=org.unit_a.pk),
        Filters(start=NOV.start, end=NOV.end, scope_path=org.county.path),
        Filters(start=NOV.start, end=NOV.end, scope_unit_id=org.county_office.pk),
    ):
        rolled = selectors.figures(f)
        for metric in all_metrics():
            direct = compute(metric, f)
            assert (rolled[metric.key].num, rolled[metric.key].den) == (direct.num, direct.den), (
                metric.key,
                f,
            )


def test_a_closed_month_keeps_its_figures_when_a_late_event_arrives(autumn, clock, people):
    clock.set(date(2025, 12, 1))
    services.rollup_rebuild()
    services.month_close(month=date(2025, 11, 1), actor=people["dispatcher"])
    st.rate_d_late(clock, people["clerk"], autumn)  # 12-02
    services.rollup_refresh(force=True)
    frozen = selectors.figures(NOV)
    assert (frozen["callback_rate"].num, frozen["callback_rate"].den) == (2, 6)
    # the correction is visible as such: computed afresh, November would now read 3 of 6
    assert parts("callback_rate") == (3, 6)
    assert selectors.figures(DEC)["satisfaction_rate"].value == 100.0


def test_a_month_that_has_not_ended_cannot_be_closed(autumn, clock, people):
    from huiyin.core.errors import ValidationFailed

    clock.set(date(2025, 11, 30))
    with pytest.raises(ValidationFailed):
        services.month_close(month=date(2025, 11, 1), actor=people["dispatcher"])


def test_the_workers_first_run_builds_every_month_then_only_the_open_window(autumn, clock):
    from huiyin.analytics.models import DailyFact, RollupState

    clock.set(date(2025, 12, 1))
    assert RollupState.objects.count() == 0
    services.rollup_refresh()
    # the first run reaches back to August (L's registration), not just November and December
    assert DailyFact.objects.filter(metric="registered", day=date(2025, 8, 1)).exists()
    assert services.rollup_refresh() == {"skipped": 1}  # nothing new since
    # a rebuild-free later run rewrites only this month and the last: August stays as it was
    DailyFact.objects.filter(day=date(2025, 8, 1)).update(num=99)
    services.rollup_refresh(force=True)
    assert DailyFact.objects.get(metric="registered", day=date(2025, 8, 1)).num == 99
    assert selectors.figures(NOV)["registered"].num == 4


def test_the_skipped_level_share_counts_visits_only_on_their_registration_day_article_20(autumn, org):
    """越级走访占比 (条例 §20¶1, ¶4): of the visits registered, those that skipped levels; a letter is not
    a visit and counts in neither part; the office that registered the visit carries it."""
    from huiyin.cases.models import Case

    assert value("skipped_level_share") == 25.0  # G of B, D, F, G
    assert parts("skipped_level_share", OCT) == (0, 2)  # A and E, neither skipped
    # by hand: B arrives by letter instead (denominator 3); a letter marked skipped still does not count
    Case.objects.filter(pk=autumn.cases["B"].pk).update(channel="letter", skipped_levels=True)
    assert parts("skipped_level_share") == (1, 3)
    assert value("skipped_level_share") == 33.3
    office = Filters(start=NOV.start, end=NOV.end, unit_id=org.county_office.pk)
    assert parts("skipped_level_share", office) == (1, 3)
    unit_a = Filters(start=NOV.start, end=NOV.end, unit_id=org.unit_a.pk)
    assert parts("skipped_level_share", unit_a) == (0, 0)
    # G registered 11-14: that day alone holds the hit, 11-03 (D's day; B is a letter now) does not
    assert parts("skipped_level_share", Filters(start=date(2025, 11, 14), end=date(2025, 11, 14))) == (1, 1)
    assert parts("skipped_level_share", Filters(start=date(2025, 11, 3), end=date(2025, 11, 3))) == (0, 1)
