"""统计分析 in a real browser: a leader opens the dashboard, filters by township and month, clicks a bar
of the chart and lands on the list of the cases behind it; the table's Excel export holds the figures
the page showed."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from huiyin.analytics import services
from huiyin.analytics.tests import story as st
from huiyin.analytics.tests.test_metrics import people  # noqa: F401  (fixture)
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory, User

pytestmark = pytest.mark.browser


def test_a_leader_filters_by_township_and_month_and_clicks_a_bar_to_its_cases(
    page,
    live_url,
    login,
    org,
    clock,
    people,  # noqa: F811
    register_case,
):
    story = st.build(clock, org, people)
    # another township's case in November: the township filter must leave it out
    west = Territory.objects.create(
        code="430121101", name="西城镇", level=TerritoryLevel.TOWNSHIP, parent=org.county
    )
    clock.set(date(2025, 11, 18))
    register_case(territory_id=west.pk)
    clock.set(date(2025, 12, 1))
    services.rollup_rebuild()
    User.objects.create_user(
        username="leader_he", password="pw-leader_he", full_name="何县长", unit=org.county_gov, role="leader"
    )

    login(page, "leader_he", "pw-leader_he")
    page.locator("#mainnav a.nav-link", has_text="统计").click()
    page.wait_for_url(re.compile(r"/analytics/$"))
    page.fill("#id_month", "2025-11")
    page.select_option("#id_territory", str(org.township.pk))
    page.get_by_test_id("apply-filter").click()
    page.wait_for_url(re.compile(r"territory="))

    # the figures of 东城镇 in November: B, D, F, G registered (西城镇's case is not among them)
    metrics = page.get_by_test_id("table-metrics")
    registered = metrics.locator("tr", has_text="登记件数").locator("td").first.inner_text()
    assert registered == "4"
    channel_row = page.get_by_test_id("table-volume_by_channel").locator("tr", has_text="2025-11")
    assert channel_row.locator("td").first.inner_text() == "4"

    # click November's bar in the chart: the browser goes to the cases behind it
    page.wait_for_function("window.huiyinCharts && window.huiyinCharts['volume_by_channel']")
    x, y = page.evaluate(
        """() => {
          const chart = window.huiyinCharts['volume_by_channel'];
          chart.getDom().scrollIntoView({block: 'center', behavior: 'instant'});
          const option = chart.getOption();
          const i = option.xAxis[0].data.indexOf('2025-11');
          const point = chart.convertToPixel({seriesIndex: 0}, [i, option.series[0].data[i] / 2]);
          const box = chart.getDom().getBoundingClientRect();
          return [box.left + point[0], box.top + point[1]];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/analytics/cases/\?"))
    assert page.get_by_test_id("drill-title").inner_text() == "登记件数"
    codes = {row.locator(".case-code").inner_text() for row in page.get_by_test_id("case-row").all()}
    assert codes == {story.cases[k].code for k in ("B", "D", "F", "G")}

    # back on the dashboard, the table's Excel export holds what the page showed
    page.go_back()
    page.get_by_test_id("table-volume_by_channel").wait_for()
    with page.expect_download() as download:
        page.get_by_test_id("export-volume_by_channel").click()
    ws = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows["2025-11"][:2] == (4, 4)
