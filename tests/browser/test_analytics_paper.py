"""The office's paperwork in a real browser (SPEC §3.7; 条例 §39): a county leader signs in, reads
November on the dashboard, generates and downloads November's 通报 from 通报报告 (the .docx opens with
python-docx, carries the office's name as its issuer and the figure the dashboard showed), and reads
the results of a closed 民主评议 round. The autumn-2025 story (huiyin/analytics/tests/story.py) gives
the figures; the round's ratings are worked out by hand below."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from docx import Document as Docx

from huiyin.analytics import services, survey
from huiyin.analytics.tests import story as st
from huiyin.analytics.tests.test_metrics import people  # noqa: F401  (fixture)
from huiyin.org.models import User

pytestmark = pytest.mark.browser

TITLE = "关于2025年11月份全县信访工作情况的通报"


def _appraisal(org, clock, admin):
    """A round over the autumn rating 住建局 (unit A) and 民政局 (unit B): 4 cards handed out, 3 answered,
    closed 11-30. Unit A: satisfied, basically, dissatisfied → 2 of 3 = 66.7%; unit B: satisfied ×2,
    basically → 3 of 3 = 100.0%."""
    clock.set(date(2025, 11, 3))
    r = survey.round_open(
        title="2025年11月民主评议",
        territory=org.county,
        start=date(2025, 8, 1),
        end=date(2025, 10, 31),
        units=[org.unit_a, org.unit_b],
        actor=admin,
    )
    cards = survey.invite(round=r, petitioners=0, residents=4, seed=1)
    a, b = org.unit_a.pk, org.unit_b.pk
    for card, (sa, sb) in zip(
        cards,
        [("satisfied", "satisfied"), ("basically", "satisfied"), ("dissatisfied", "basically")],
        strict=False,
    ):
        survey.answer(token=card.token, scores={a: sa, b: sb})
    clock.set(date(2025, 11, 30))
    survey.round_close(round=r, actor=admin)
    return r


def test_a_leader_reads_the_dashboard_downloads_the_bulletin_and_reads_the_appraisal(
    page,
    live_url,
    login,
    org,
    clock,
    people,  # noqa: F811
):
    st.build(clock, org, people)
    admin = User.objects.create_user(
        username="admin_ma", password="pw-admin_ma", full_name="马管理", unit=org.county_gov, role="admin"
    )
    _appraisal(org, clock, admin)
    clock.set(date(2025, 12, 1))
    services.rollup_rebuild()
    User.objects.create_user(
        username="leader_he", password="pw-leader_he", full_name="何县长", unit=org.county_gov, role="leader"
    )

    login(page, "leader_he", "pw-leader_he")
    # the dashboard, November: what the 通报 must repeat
    page.locator("#mainnav a.nav-link", has_text="统计").click()
    page.wait_for_url(re.compile(r"/analytics/$"))
    page.fill("#id_month", "2025-11")
    page.get_by_test_id("apply-filter").click()
    page.wait_for_url(re.compile(r"month=2025-11"))
    metrics = page.get_by_test_id("table-metrics")
    registered = metrics.locator("tr", has_text="登记件数").locator("td").first.inner_text()
    on_time = metrics.locator("tr", has_text="按期办结率").locator("td").nth(2).inner_text()
    assert (registered, on_time) == ("4", "83.3%")  # B, D, F, G; 5 of 6 (test_metrics.NOVEMBER)

    # 通报报告: nothing stored yet; generate November's (the form's default month) and download it
    page.locator("#mainnav a.nav-link", has_text="通报报告").click()
    page.wait_for_url(re.compile(r"/analytics/documents/$"))
    assert "尚未生成文书" in page.get_by_test_id("documents").inner_text()
    form = page.get_by_test_id("generate-bulletin")
    assert form.locator("#b-month").input_value() == "2025-11"
    form.locator("#b-territory").select_option(label="示范县")
    form.get_by_role("button", name="生成").click()
    page.wait_for_url(re.compile(r"/analytics/documents/$"))
    assert f"已生成：{TITLE}" in page.locator("main").inner_text()
    row = page.get_by_test_id("documents").locator("tr", has_text=TITLE)
    assert "示范县信访通报〔2025〕11号" in row.inner_text() and "何县长" in row.inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("docx-bulletin-2025-11").click()
    assert download.value.suggested_filename == f"{TITLE}.docx"
    doc = Docx(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    lines = [p.text for p in doc.paragraphs if p.text]
    assert lines[0] == "示范县信访工作联席会议办公室"  # 发文机关标志: the office's name heads the 公文
    assert lines[1] == "示范县信访通报〔2025〕11号" and lines[2] == TITLE
    assert lines[-2:] == ["示范县信访工作联席会议办公室", "二〇二五年十二月一日"]  # signed and dated
    assert f"共登记信访事项{registered}件" in text and f"按期办结率{on_time}" in text
    figures = {r.cells[0].text: r.cells[3].text for t in doc.tables for r in t.rows if len(r.cells) == 4}
    assert figures["按期办结率"] == on_time and figures["民主评议满意率"] == "83.3%"  # 5 of 6 ratings

    # 民主评议: the closed round and its results
    page.locator("#mainnav a.nav-link", has_text="民主评议").click()
    page.wait_for_url(re.compile(r"/analytics/surveys/$"))
    listed = page.get_by_test_id("rounds").locator("tr", has_text="2025年11月民主评议")
    assert "75.0%" in listed.inner_text() and "已结束（2025-11-30）" in listed.inner_text()
    listed.get_by_role("link", name="2025年11月民主评议").click()
    page.wait_for_url(re.compile(r"/analytics/surveys/\d+/$"))
    assert page.get_by_test_id("response-rate").inner_text() == "邀请 4 人，已回复 3 人，回复率 75.0%"
    results = {
        cells[0]: cells[1:]
        for cells in (
            [c.inner_text() for c in tr.locator("td").all()]
            for tr in page.get_by_test_id("survey-results").locator("tbody tr").all()
        )
    }
    assert results == {
        "示范县民政局": ["3", "2", "1", "0", "100.0%"],
        "示范县住房和城乡建设局": ["3", "1", "1", "1", "66.7%"],
    }
    # a leader reads the results; inviting and closing are the administrator's
    assert page.get_by_role("button", name="结束并计入考核").count() == 0
