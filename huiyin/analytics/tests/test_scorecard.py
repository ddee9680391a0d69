"""考核 scorecards (条例 §39): weights an administrator sets per year over registered rate metrics; each
unit's score from the closed months only, worked out by hand on the autumn-2025 story (story.py)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest

from huiyin.analytics import scorecard, services
from huiyin.analytics.models import ClosedMonth, ScoreWeight
from huiyin.analytics.registry import Definition, Metric, unregister_metric
from huiyin.analytics.tests import story as st
from huiyin.analytics.tests.test_metrics import people  # noqa: F401  (fixture)
from huiyin.core import registry as core_registry


@pytest.fixture
def autumn(clock, org, people):  # noqa: F811
    built = st.build(clock, org, people)
    clock.set(date(2025, 12, 3))
    st.rate_d_late(clock, people["clerk"], built)  # D rated 12-02: outside the closed months
    clock.set(date(2025, 12, 3))
    services.rollup_rebuild()
    for m in range(1, 12):  # January to November closed (the story's months and the empty ones before)
        ClosedMonth.objects.create(month=date(2025, m, 1), closed_at=services.timeutil.now())
    return built


def set_weights(client, user, year, **weights):
    client.force_login(user)
    return client.post("/analytics/scorecard/", {"year": year, **{f"w_{k}": v for k, v in weights.items()}})


def test_scores_from_the_closed_months_worked_out_by_hand(client, autumn, org, admin_ma, supervisor_chen):
    assert (
        set_weights(
            client, admin_ma, 2025, handled_on_time=60, satisfaction_rate=40, response_rate=20
        ).status_code
        == 302
    )
    client.force_login(supervisor_chen)
    page = client.get("/analytics/scorecard/", {"year": "2025"})
    card = page.context["card"]
    assert card.span == (date(2025, 1, 1), date(2025, 11, 30))
    rows = {r["unit"]: r for r in card.rows}
    # unit A, January to November: handling clocks stopped — H 10-10, then C, A, E, D, E again on time
    # and L late in November: 6 of 7 = 85.7%; ratings — A satisfied 11-06, E dissatisfied 11-11 (C and D
    # were rated in December, outside): 1 of 2 = 50%; no routing clock is unit A's, so 响应率 is left
    # out and the score is over the other weights: (60 × 85.7 + 40 × 50) ÷ (60 + 40) = 71.42
    a = rows["示范县住房和城乡建设局"]
    assert [(c["num"], c["den"]) for c in a["cells"]] == [(6, 7), (1, 2), (0, 0)]
    assert a["score"] == 71.42
    # the county office: routing clocks — L, C, H, A, E, D, F on time, B late (G handed over) = 7 of 8 =
    # 87.5%; it has no handling clock nor ratings: its score is 87.5 over 响应率's weight alone
    office = rows["示范县信访局"]
    assert [(c["num"], c["den"]) for c in office["cells"]] == [(0, 0), (0, 0), (7, 8)]
    assert office["score"] == 87.5
    assert [r["unit"] for r in card.rows] == ["示范县信访局", "示范县住房和城乡建设局"]
    assert "得分 = Σ（权重 × 指标得分）÷ Σ 权重" in page.content.decode()
    # each figure opens its cases: unit A's 按期办结率 lists L, C, H, A, E, D
    link = a["cells"][0]["link"]
    q = parse_qs(urlparse(link).query)
    assert q["unit"] == [str(org.unit_a.pk)] and q["start"] == ["2025-01-01"] and q["end"] == ["2025-11-30"]
    listed = client.get(link)
    assert {row["case"].code for row in listed.context["rows"]} == {
        autumn.cases[k].code for k in ("L", "C", "H", "A", "E", "D")
    }


def test_a_month_left_open_stops_the_scorecard_there(autumn, org, admin_ma):
    scorecard.weights_set(year=2025, weights={"handled_on_time": 1}, actor=admin_ma)
    ClosedMonth.objects.filter(month=date(2025, 11, 1)).delete()
    card = scorecard.scorecard(2025, scorecard.selectors.Viewer("all", "全部"))
    assert card.span == (date(2025, 1, 1), date(2025, 10, 31))
    # to October: only H's handling clock (on time)
    assert [(r["unit"], r["cells"][0]["num"], r["cells"][0]["den"], r["score"]) for r in card.rows] == [
        ("示范县住房和城乡建设局", 1, 1, 100.0)
    ]


def test_lower_is_better_metrics_score_their_complement(autumn, org, admin_ma):
    # 集体访占比: lower is better. The county office registered L, C, H (Aug–Sep), A, E (Oct), B, D, F, G
    # (Nov): 9 cases, of them D a collective visit: 1 of 9 = 11.1% → 100 − 11.1 = 88.9 points
    scorecard.weights_set(year=2025, weights={"collective_share": 10}, actor=admin_ma)
    card = scorecard.scorecard(2025, scorecard.selectors.Viewer("all", "全部"))
    cells = {r["unit"]: (r["cells"][0]["num"], r["cells"][0]["den"], r["score"]) for r in card.rows}
    assert cells == {"示范县信访局": (1, 9, 88.9)}


def test_only_an_administrator_sets_weights_and_only_over_rate_metrics(
    client,
    autumn,
    admin_ma,
    supervisor_chen,
    handler_wang_unit_a,
):
    for user in (supervisor_chen, handler_wang_unit_a):
        assert set_weights(client, user, 2025, handled_on_time=100).status_code == 403
    assert not ScoreWeight.objects.exists()
    assert set_weights(client, admin_ma, 2025, handled_on_time=101).status_code == 400
    assert set_weights(client, admin_ma, 2025, handled_on_time="x").status_code == 400
    assert not ScoreWeight.objects.exists()
    with pytest.raises(scorecard.ValidationFailed):
        scorecard.weights_set(year=2025, weights={"registered": 10}, actor=admin_ma)  # a count
    assert client.get("/analytics/scorecard/", {"year": "20x5"}).status_code == 400


def test_a_modules_rate_metric_is_weighable_without_change(autumn, admin_ma, monkeypatch):
    from django.db.models import Q

    from huiyin.analytics.choices import MetricKind
    from huiyin.workflow.models import Clock

    metric = Metric(
        key="test_review_clock_met",
        label="测试模块：复查按期率",
        kind=MetricKind.RATE,
        module="testmodule",
        rows=lambda: Clock.objects.filter(kind="review", state__in=("met", "late")),
        date_field="stopped_on",
        unit_field="unit_id",
        hit=Q(state="met"),
        definition=Definition(numerator="n", denominator="d", time_basis="t", counts="c", excludes="e"),
    )
    module = core_registry.Module(name="testmodule", metrics=(metric,))
    monkeypatch.setattr(core_registry, "modules", lambda: [*core_registry._MODULES.values(), module])
    try:
        assert "test_review_clock_met" in {m.key for m in scorecard.weighable()}
        scorecard.weights_set(year=2025, weights={"test_review_clock_met": 5}, actor=admin_ma)
        assert scorecard.weights_of(2025) == {"test_review_clock_met": 5}
        services.rollup_rebuild(include_closed=True)
        # the review clocks stopped Jan–Nov: H's review answered 11-05 and C's 11-20, by the county
        # government (the 复查 organ), both within their time limit: 2 of 2 → 100 points
        card = scorecard.scorecard(2025, scorecard.selectors.Viewer("all", "全部"))
        assert [(r["unit"], r["cells"][0]["num"], r["cells"][0]["den"], r["score"]) for r in card.rows] == [
            ("示范县人民政府", 2, 2, 100.0)
        ]
    finally:
        unregister_metric("test_review_clock_met")


def test_in_january_the_page_opens_on_the_year_just_assessed_not_the_empty_new_one(
    client, autumn, clock, admin_ma, supervisor_chen
):
    """条例 §39: the year's 考核 is read in January, when no month of the new year is closed yet."""
    assert set_weights(client, admin_ma, 2025, handled_on_time=60, satisfaction_rate=40).status_code == 302
    clock.set(date(2026, 1, 10))
    client.force_login(supervisor_chen)
    page = client.get("/analytics/scorecard/")
    assert page.status_code == 200 and page.context["year"] == 2025
    # the same scores as asking for 2025 (unit A: (60 × 85.7 + 40 × 50) ÷ 100, see above)
    assert {r["unit"]: r["score"] for r in page.context["card"].rows}["示范县住房和城乡建设局"] == 71.42
    # an administrator sets 2026's weights in January: the page still opens on 2025, which has scores
    assert set_weights(client, admin_ma, 2026, handled_on_time=100).status_code == 302
    assert client.get("/analytics/scorecard/").context["year"] == 2025
    assert scorecard.default_year() == 2025
    # once January 2026 is closed (early February), 2026 has scores and is the default
    clock.set(date(2026, 2, 3))
    ClosedMonth.objects.create(month=date(2026, 1, 1), closed_at=services.timeutil.now())
    assert client.get("/analytics/scorecard/").context["year"] == 2026
    # an explicit year is still honoured
    assert client.get("/analytics/scorecard/", {"year": "2025"}).context["year"] == 2025


@pytest.mark.django_db
def test_with_no_closed_month_nor_weights_january_opens_on_last_year_and_later_months_on_this_year(
    clock,
):
    clock.set(date(2026, 1, 15))
    assert scorecard.default_year() == 2025
    clock.set(date(2026, 3, 1))
    assert scorecard.default_year() == 2026
    # closed months without weights: the latest year closed from January, never a future one
    for day in (date(2024, 1, 1), date(2024, 2, 1), date(2027, 1, 1)):
        ClosedMonth.objects.create(month=day, closed_at=services.timeutil.now())
    ClosedMonth.objects.create(month=date(2025, 3, 1), closed_at=services.timeutil.now())  # not from January
    assert scorecard.default_year() == 2024


def test_the_scorecard_exports_as_the_page_shows_it_in_the_viewers_scope(
    client, autumn, admin_ma, supervisor_chen, handler_wang_unit_a
):
    """考核 to .xlsx (issue 11 item 5): the page's rows, rates, numerator/denominator and scores, the
    formula and span; audited as an export; a unit's staff get their own unit's scope, never the county's."""
    from huiyin.cases.tests.exporting import workbook_rows
    from huiyin.core.models import AuditEntry

    set_weights(client, admin_ma, 2025, handled_on_time=60, satisfaction_rate=40, response_rate=20)
    client.force_login(supervisor_chen)
    response = client.get("/analytics/scorecard/", {"year": "2025", "format": "xlsx"})
    rows = workbook_rows(b"".join(response.streaming_content))
    assert rows[0][0] == "2025年度考核" and "2025-01-01 至 2025-11-30" in rows[1][0]
    assert rows[2][0].startswith("计分公式：得分 = Σ（权重 × 指标得分）÷ Σ 权重")
    assert rows[3][:4] == ["序号", "单位", "按期办结率（权重60）", "分子/分母"]
    # the figures worked out by hand in test_scores_from_the_closed_months_worked_out_by_hand
    assert rows[4][:4] == [1, "示范县信访局", None, "0/0"] and rows[4][-1] == 87.5
    assert rows[5][:4] == [2, "示范县住房和城乡建设局", "85.7%", "6/7"] and rows[5][-1] == 71.42
    assert len(rows) == 6
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.EXPORT, actor=supervisor_chen)
    assert entry.detail["what"] == "analytics_scorecard" and entry.detail["rows"] == 2
    client.force_login(handler_wang_unit_a)
    own = workbook_rows(
        b"".join(client.get("/analytics/scorecard/", {"year": "2025", "format": "xlsx"}).streaming_content)
    )
    assert [r[1] for r in own[4:]] == ["示范县住房和城乡建设局"]
    assert client.get("/analytics/scorecard/", {"year": "2025", "format": "csv"}).status_code == 400
