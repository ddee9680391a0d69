"""The dashboards: a leader sees the whole territory, a unit its own figures; every figure opens the
cases behind it among those the user may see; every table exports to .xlsx with the same figures; the
page reads the roll-ups in a fixed number of queries."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from huiyin.analytics import services
from huiyin.analytics.models import ClosedMonth
from huiyin.analytics.tests import story as st
from huiyin.analytics.tests.test_metrics import people  # noqa: F401  (fixture)


@pytest.fixture
def autumn(clock, org, people):  # noqa: F811
    built = st.build(clock, org, people)
    clock.set(date(2025, 12, 1))
    services.rollup_rebuild()
    return built


def test_a_leader_sees_the_whole_territory_and_the_hand_counted_figures(client, autumn, supervisor_chen):
    client.force_login(supervisor_chen)
    response = client.get("/analytics/", {"month": "2025-11"})
    assert response.status_code == 200
    tables = response.context["tables"]
    assert "示范县全辖区" in response.content.decode()
    rows = {r[0]: r for r in tables["metrics"].rows}
    assert rows["按期办结率"][1:4] == [5, 6, "83.3%"]
    assert rows["响应率"][1:4] == [2, 3, "66.7%"]  # G diverted: its routing clock handed over
    assert rows["登记件数"][1] == 4
    # November's bar of visits: B, D, F, G
    nov = next(r for r in tables["volume_by_channel"].rows if r[0] == "2025-11")
    assert nov[1:] == [4, 4]
    heat = {r["name"]: r["value"] for r in tables["territory_heat"].extra}
    assert heat["柳林村"] == 4 and heat["东城镇"] == 4 and heat["示范县"] == 4


def test_a_unit_sees_only_its_own_figures(client, autumn, handler_zhao_unit_b, handler_wang_unit_a):
    client.force_login(handler_wang_unit_a)
    rows = {
        r[0]: r for r in client.get("/analytics/", {"month": "2025-11"}).context["tables"]["metrics"].rows
    }
    assert rows["按期办结率"][1:3] == [5, 6]
    assert rows["响应率"][1:3] == [0, 0]  # routing is the office's, not unit A's
    assert rows["督办件数"][1] == 1
    client.force_login(handler_zhao_unit_b)
    response = client.get("/analytics/", {"month": "2025-11"})
    rows = {r[0]: r for r in response.context["tables"]["metrics"].rows}
    assert rows["按期办结率"][1:3] == [0, 0] and rows["登记件数"][1] == 0
    assert "unit" not in response.context["form"].fields  # a unit cannot look at another unit


def test_clicking_a_figure_lists_its_cases_scoped_to_what_the_user_may_see(
    client, autumn, supervisor_chen, handler_zhao_unit_b
):
    client.force_login(supervisor_chen)
    page = client.get("/analytics/", {"month": "2025-11"})
    link = next(r for r in page.context["tables"]["metrics"].links if r[1] and "handled_on_time" in r[1])[2]
    listed = client.get(link)
    codes = {row["case"].code for row in listed.context["rows"]}
    cases = autumn.cases
    assert codes == {cases[k].code for k in ("L", "C", "A", "E", "D")}  # E twice, listed once
    # the numerator's cases: answered on time (L was late)
    on_time = client.get(link.replace("part=den", "part=num"))
    assert {row["case"].code for row in on_time.context["rows"]} == {
        cases[k].code for k in ("C", "A", "E", "D")
    }
    # unit B objected to D and returned it: it no longer sees the cases behind unit A's figure
    client.force_login(handler_zhao_unit_b)
    assert client.get(link).context["rows"] == []


def test_each_table_exports_to_xlsx_with_the_figures_the_page_shows(client, autumn, supervisor_chen):
    client.force_login(supervisor_chen)
    page = client.get("/analytics/", {"month": "2025-11"})
    for key in ("metrics", "volume_by_channel", "territory_heat", "rankings", "territory_rankings"):
        response = client.get("/analytics/export.xlsx", {"month": "2025-11", "table": key})
        assert response.status_code == 200
        ws = load_workbook(io.BytesIO(response.content)).active
        values = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
        # an empty cell ("" on the page) reads back from the workbook as None
        shown = [[None if c == "" else c for c in r] for r in page.context["tables"][key].rows]
        assert [v[: len(shown[0])] for v in values[: len(shown)]] == shown, key


def test_bad_filters_are_a_clear_400_and_unknown_metrics_too(client, autumn, supervisor_chen):
    client.force_login(supervisor_chen)
    assert client.get("/analytics/", {"month": "2025-13"}).status_code == 400
    assert client.get("/analytics/", {"unit": "999999"}).status_code == 400
    assert client.get("/analytics/", {"territory": "x"}).status_code == 400
    assert client.get("/analytics/cases/", {"metric": "nope"}).status_code == 400
    assert client.get("/analytics/cases/", {"metric": "registered", "start": "2025-02-30"}).status_code == 400
    assert client.get("/analytics/cases/", {"backlog": "overdue", "unit": "abc"}).status_code == 400
    assert client.get("/analytics/export.xlsx", {"table": "nope"}).status_code == 400


def test_the_dashboard_runs_a_fixed_number_of_queries_whatever_the_data(
    client, autumn, supervisor_chen, clock, register_case, django_assert_max_num_queries
):
    client.force_login(supervisor_chen)
    with CaptureQueriesContext(connection) as few:
        client.get("/analytics/", {"month": "2025-11"})
    clock.set(date(2025, 11, 20))
    for _ in range(5):
        register_case()
    services.rollup_rebuild()
    with CaptureQueriesContext(connection) as more:
        client.get("/analytics/", {"month": "2025-11"})
    assert len(more) == len(few)
    with django_assert_max_num_queries(25):
        client.get(
            "/analytics/", {"month": "2025-11", "territory": str(autumn.cases["A"].territory.parent_id)}
        )


def test_closing_a_month_is_for_supervisors_and_freezes_it(
    client, autumn, supervisor_chen, handler_wang_unit_a
):
    client.force_login(handler_wang_unit_a)
    assert client.post("/analytics/close/", {"month": "2025-11"}).status_code == 403
    client.force_login(supervisor_chen)
    response = client.post("/analytics/close/", {"month": "2025-11"})
    assert response.status_code == 302 and ClosedMonth.objects.filter(month=date(2025, 11, 1)).exists()
    assert "已关账" in client.get("/analytics/", {"month": "2025-11"}).content.decode()
    assert client.post("/analytics/close/", {"month": "2025-11"}).status_code == 302  # refused with a message
    assert ClosedMonth.objects.count() == 1


def test_the_public_page_is_the_analytics_figures_anonymised(client, autumn):
    from django.core.cache import cache

    cache.clear()
    response = client.get("/public/statistics/")
    html = response.content.decode()
    stats = response.context["stats"]
    # the twelve months to 2025-12-01: August to November's registrations, 9 cases in all
    assert stats["total"] == 9
    assert "/analytics/cases/" not in html and "/cases/" not in html  # no way from a figure to a case
    assert "群众1" not in html and "13800000001" not in html
    heat = {r["name"]: r["value"] for r in stats["tables"]["territory_heat"].extra}
    assert heat["东城镇"] == 9 and "柳林村" not in heat  # villages are not on the public page
    assert stats["rankings"][0]["unit"] == "示范县住房和城乡建设局"
    assert "排序：先按按期办结率" in html


def test_the_public_page_shows_small_counts_as_fewer_than_three(client, org, clock, register_case):
    from django.core.cache import cache

    clock.set(date(2025, 11, 3))
    register_case(territory_id=org.township.pk)
    services.rollup_rebuild()
    cache.clear()
    heat = {
        r["name"]: r["value"]
        for r in client.get("/public/statistics/").context["stats"]["tables"]["territory_heat"].extra
    }
    assert heat["东城镇"] == "<3"


def test_the_api_gives_each_metric_its_definition_and_the_months_figures(client, autumn, supervisor_chen):
    client.force_login(supervisor_chen)
    metrics = client.get("/api/analytics/metrics").json()
    assert {m["key"] for m in metrics} >= {"satisfaction_rate", "change_rate"}
    body = client.get("/api/analytics/figures", {"month": "2025-11"}).json()
    got = {f["key"]: (f["num"], f["den"]) for f in body["figures"]}
    assert got["handled_on_time"] == (5, 6) and body["scope"] == "示范县全辖区"
    bad = client.get("/api/analytics/figures", {"month": "2025-13"})
    assert bad.status_code == 400 and bad.json()["extra"]["fields"]["month"]


def test_the_territory_ranking_shows_its_formula_and_ranks_townships_by_their_figures(
    client, autumn, supervisor_chen, org, clock, register_case
):
    from huiyin.org.choices import TerritoryLevel
    from huiyin.org.models import Territory

    west = Territory.objects.create(
        code="430121101", name="西城镇", level=TerritoryLevel.TOWNSHIP, parent=org.county
    )
    clock.set(date(2025, 11, 18))
    register_case(territory_id=west.pk)
    clock.set(date(2025, 12, 1))
    services.rollup_rebuild()
    client.force_login(supervisor_chen)
    table = client.get("/analytics/", {"month": "2025-11"}).context["tables"]["territory_rankings"]
    # 东城镇: B, D, F, G registered; handling 5 of 6 on time; repeats F and G of 4 → first
    assert table.rows[0][1:5] == ["东城镇", 4, "83.3%", "50.0%"]
    assert table.rows[1][1:5] == ["西城镇", 1, "—", "0.0%"]
    assert "先按按期办结率" in table.note and table.rows[0][5] == ""  # too few to name 红榜 and 黑榜


def test_red_and_black_boards_name_the_first_and_last_three_of_six_or_more():
    from huiyin.analytics.dashboard import _board

    assert [_board(i, 6) for i in range(1, 7)] == ["红榜"] * 3 + ["黑榜"] * 3
    assert [_board(i, 7)[:1] for i in range(1, 8)] == ["红", "红", "红", "", "黑", "黑", "黑"]
    assert {_board(i, 5) for i in range(1, 6)} == {""}
