"""The monthly 通报 and the annual report of 条例 §41 on the autumn-2025 story (story.py): the files open
with python-docx and openpyxl and hold the dashboard's figures, each worked out by hand here."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from docx import Document as Docx
from openpyxl import load_workbook

from huiyin.analytics import documents, services
from huiyin.analytics.models import Document
from huiyin.analytics.tests import story as st
from huiyin.analytics.tests.test_metrics import people  # noqa: F401  (fixture)


@pytest.fixture
def autumn(clock, org, people):  # noqa: F811
    built = st.build(clock, org, people)
    clock.set(date(2025, 12, 1))
    services.rollup_rebuild()
    return built


def docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    doc = Docx(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return text, tables


def table_after(tables: list[list[list[str]]], header: str) -> list[list[str]]:
    return next(t for t in tables if t[0][0] == header)


def test_chinese_dates_of_a_gongwen():
    assert documents.cn_date(date(2025, 12, 1)) == "二〇二五年十二月一日"
    assert documents.cn_date(date(2026, 1, 10)) == "二〇二六年一月十日"
    assert documents.cn_date(date(2030, 10, 31)) == "二〇三〇年十月三十一日"
    assert documents.cn_date(date(2025, 2, 20)) == "二〇二五年二月二十日"


def test_the_november_bulletin_holds_the_dashboards_figures(autumn, org, client, supervisor_chen):
    doc, made = documents.document_ensure(Document.Kind.BULLETIN, date(2025, 11, 1), org.county)
    assert made and doc.number == "示范县信访通报〔2025〕11号"
    text, tables = docx_text(bytes(doc.docx))
    assert "关于2025年11月份全县信访工作情况的通报" in text
    assert "示范县信访通报〔2025〕11号" in text
    assert "二〇二五年十二月一日" in text  # the 成文日期, in Chinese numerals
    # November by hand (test_metrics.NOVEMBER): B, D, F, G registered; L, A, C, E, D, E answered
    assert "共登记信访事项4件，出具处理意见6件；按期办结率83.3%" in text
    metrics = {r[0]: r[1:] for r in table_after(tables, "指标")}
    assert metrics["按期办结率"] == ["5", "6", "83.3%"]
    assert metrics["响应率"] == ["2", "3", "66.7%"]
    # the same figures as the supervisor's dashboard for that month
    client.force_login(supervisor_chen)
    page = client.get("/analytics/", {"month": "2025-11"}).context["tables"]
    for row in page["metrics"].rows:
        assert metrics[row[0]] == [str(row[1]), str(row[2]), row[3]]
    assert table_after(tables, "#")[1:] == [[str(c) for c in r] for r in page["rankings"].rows]
    # overdue in November, by hand: L's 交办 deadline and its handling clock (the unit accepted 08-04:
    # 08-04 + 60 days = 10-03; answered 11-03: 31 days late); C's 交办 deadline (09-02 + 60 = 11-01,
    # answered 11-10: 9 days; the approved extension moved the handling clock, not the office's 交办
    # deadline); B's routing clock (registered 11-03 + 15 = 11-18, forwarded 11-20: 2 days)
    overdue = table_after(tables, "受理凭证编号")
    names = {c.code: k for k, c in autumn.cases.items()}
    assert [(names[r[0]], r[3], r[4], r[5], r[6]) for r in overdue[1:]] == [
        ("L", "交办期限", "2025-10-03", "2025-11-03", "31"),
        ("L", "办理", "2025-10-03", "2025-11-03", "31"),
        ("C", "交办期限", "2025-11-01", "2025-11-10", "9"),
        ("B", "登记分办", "2025-11-18", "2025-11-20", "2"),
    ]
    # 督办: B answered 11-13 by 11-14 (on time), E answered 11-14 after 11-12 (late)
    orders = next(t for t in tables if t[0][:2] == ["受理凭证编号", "督办单位"])
    assert [(r[0], r[3], r[4], r[5]) for r in orders[1:]] == [
        (autumn.cases["B"].code, "2025-11-14", "2025-11-13", "按期"),
        (autumn.cases["E"].code, "2025-11-12", "2025-11-14", "逾期"),
    ]
    # 每月一题: the other category had B, D, F in November (3) against C, H, A, E in Aug–Oct (4/3 = 1.3):
    # the most frequent and the fastest rising (+1.7; the story's own category: G 1 against L 1/3, +0.7);
    # its November cases are handled by unit A (B forwarded, D re-routed; F was merged)
    name = autumn.other_category.full_name
    assert f"本月反映最多的问题是“{name}”，共3件，涉及单位：示范县住房和城乡建设局。" in text
    assert f"上升最快的问题是“{name}”，本月3件，前三个月平均1.3件，增加1.7件" in text
    # the .xlsx holds the same
    wb = load_workbook(io.BytesIO(bytes(doc.xlsx)))
    sheet = {r[0]: r[1:4] for r in wb["主要指标"].iter_rows(values_only=True) if r[0]}
    assert sheet["按期办结率"] == (5, 6, "83.3%")
    assert [names[r[0]] for r in wb["超期事项"].iter_rows(min_row=2, values_only=True) if r[1]] == [
        "L",
        "L",
        "C",
        "B",
    ]
    topic = list(wb["每月一题"].iter_rows(min_row=2, values_only=True))
    assert topic[0][:3] == ("反映最多", name, 3) and topic[1][:5] == ("上升最快", name, 3, 1.3, 1.7)


def test_a_stored_bulletin_is_made_once_and_the_schedule_is_idempotent(autumn, org, clock):
    made = documents.scheduled_documents(date(2025, 12, 1))
    # the county office and the city office each get November's 通报 and 2024's annual report
    assert made == {"bulletins": 2, "annual": 2}
    assert documents.scheduled_documents(date(2025, 12, 1)) == {"bulletins": 0, "annual": 0}
    assert Document.objects.filter(kind="bulletin", period=date(2025, 11, 1)).count() == 2
    first = Document.objects.get(kind="bulletin", territory=org.county)
    again, made_now = documents.document_ensure(Document.Kind.BULLETIN, date(2025, 11, 20), org.county)
    assert not made_now and again.pk == first.pk and bytes(again.docx) == bytes(first.docx)


@pytest.fixture
def year_2025(autumn, org, people):  # noqa: F811
    """The autumn story, plus what 条例 §41's report needs and the story lacks: organs complained of,
    the office's suggestions (§40) and one citizen's suggestion (§29), each set here by hand."""
    from huiyin.cases.models import Case
    from huiyin.supervision.models import Suggestion

    c = autumn.cases
    Case.objects.filter(pk__in=[c["C"].pk, c["H"].pk]).update(accused_unit=org.unit_b)
    Case.objects.filter(pk=c["A"].pk).update(accused_unit=org.unit_a)
    Case.objects.filter(pk=c["F"].pk).update(petition_type="suggestion", adoption="adopted")

    def suggest(kind, to, day, adoption="", frm=None, feedback=""):
        Suggestion.objects.create(
            kind=kind, from_unit=frm or org.county_office, to_unit=to, content=f"{kind}-{day:%m%d}",
            issued_by=people["supervisor"], issued_at=timezone.make_aware(datetime(day.year, day.month, day.day, 10)),
            issued_on=day, due_on=day + timedelta(days=30), article="《信访工作条例》第四十条",
            adoption=adoption, feedback=feedback,
        )  # fmt: skip

    suggest("improve_work", org.unit_a, date(2025, 11, 20), "adopted", feedback="已整改")
    suggest("improve_work", org.unit_b, date(2025, 12, 1))
    suggest("accountability", org.unit_b, date(2025, 6, 10), "not_adopted", feedback="理由如下")
    suggest("improve_policy", org.unit_a, date(2024, 12, 31), "partly")  # the year before: not counted
    suggest("improve_work", org.city_gov, date(2025, 8, 1), "adopted", frm=org.city_office)  # the city's
    services.rollup_rebuild()  # F is a suggestion now: the by-type figures are read from the roll-ups
    return autumn


def test_the_annual_report_of_article_41_in_docx_and_xlsx_holds_the_figures_worked_out_by_hand(
    year_2025, org, clock, client, supervisor_chen
):
    """条例 §41: (一) statistics, fields, organs most complained of; (二) forwarding, assignment, 督办;
    (三) suggestions made and adopted; (四) problems found — the same figures in both files."""
    clock.set(date(2026, 1, 5))
    doc, made = documents.document_ensure(Document.Kind.ANNUAL, date(2025, 1, 1), org.county)
    assert made and doc.number == "示范县信访年报〔2025〕1号" and doc.xlsx is not None
    # By hand, 2025: registered L C H A E B D F G = 9; answered L C H A D and E twice = 7, on time all
    # but L = 6/7 = 85.7%; rated A satisfied, E dissatisfied = 1/2 = 50% (D is rated only in 12-02's
    # other story); types: F made a suggestion = 1, the other eight 申诉求决; fields: L and G in the
    # story's category (2), the seven others in the other one; organs: unit B for C and H, unit A for A
    stats = {"按期办结率": "85.7%", "满意率": "50%"}
    by_type = [["建议意见", 1], ["检举控告", 0], ["申诉求决", 8]]
    fields = [[year_2025.other_category.full_name, 7], [year_2025.category.full_name, 2]]
    organs = [["示范县民政局", 2], ["示范县住房和城乡建设局", 1]]
    # 转送: B on 11-20 = 1; 交办: L C H A E, D twice (to B, then to A) = 7; 督办: B and E = 2, both
    # answered, none escalated, B on time and E late = 50%
    routing = [["转送", 1], ["交办", 7], ["督办", 2], ["其中：已答复", 2], ["其中：逾期升级", 0],
               ["督办按期答复率", "50%"]]  # fmt: skip
    # 2025's suggestions of the county: improve_work ×2 (A adopted, B unanswered), accountability ×1
    # (B not adopted); the 2024 one and the city's own to the city government are not the county's 2025
    # ones; the citizen's: F adopted
    adoption = [
        ["改进工作建议", 2, 1, 0, 0, 1],
        ["完善政策建议", 0, 0, 0, 0, 0],
        ["追究责任建议", 1, 0, 0, 1, 0],
        ["群众建议意见（第二十九条）", 1, 1, 0, 0, 0],
    ]
    # causes recorded at closing in 2025: A, D, E, all 非因机关履职问题引起
    causes = [["非因机关履职问题引起", 3]]
    feedback = [
        ["追究责任建议", "示范县民政局", "accountability-0610", "不予采纳（须说明理由）", "理由如下"],
        ["改进工作建议", "示范县住房和城乡建设局", "improve_work-1120", "采纳", "已整改"],
        ["改进工作建议", "示范县民政局", "improve_work-1201", "尚未反馈", ""],
    ]

    text, tables = docx_text(bytes(doc.docx))
    assert "示范县2025年度信访情况报告" in text and "二〇二六年一月五日" in text
    assert "2025年共登记信访事项9件，出具处理意见7件，按期办结率85.7%，满意率50%。" in text
    assert "全年转送1件次，交办7件次，督办2件次。" in text
    assert "全年提出建议3件，其中采纳1件、部分采纳0件、不予采纳1件。" in text
    as_text = lambda rows: [[str(v) for v in r] for r in rows]  # noqa: E731
    docx_stats = dict(table_after(tables, "指标")[1:])
    assert {k: docx_stats[k] for k in stats} == stats and docx_stats["督办按期答复率"] == "50%"
    assert table_after(tables, "类型")[1:] == as_text(by_type)
    assert table_after(tables, "问题分类")[1:] == as_text(fields)
    assert table_after(tables, "被反映单位")[1:] == as_text(organs)
    assert table_after(tables, "项目")[1:] == as_text(routing)
    assert table_after(tables, "建议类别")[1:] == as_text(adoption)
    assert table_after(tables, "成因")[1:] == as_text(causes)
    assert table_after(tables, "类别")[1:] == feedback

    wb = load_workbook(io.BytesIO(bytes(doc.xlsx)))
    front = [r[0] for r in wb["年度报告"].iter_rows(values_only=True) if r and r[0]]
    assert front[:3] == [
        "示范县2025年度信访情况报告",
        "示范县信访年报〔2025〕1号",
        "成文日期：二〇二六年一月五日",
    ]
    assert "2025年共登记信访事项9件，出具处理意见7件，按期办结率85.7%，满意率50%。" in front
    assert "全年提出建议3件，其中采纳1件、部分采纳0件、不予采纳1件。" in front
    assert [h for h in front if h[1:2] == "、"] == [
        "一、数据统计、涉及领域、被投诉较多的机关",
        "二、转送、交办、督办情况",
        "三、改进工作、完善政策、追究责任的建议及采纳情况",
        "四、发现的问题及处理情况",
    ]

    def sheet(name):
        return [list(r) for r in wb[name].iter_rows(min_row=2, values_only=True)]

    xlsx_stats = dict(sheet("主要指标"))
    assert {k: xlsx_stats[k] for k in stats} == stats
    assert sheet("按类型") == by_type
    assert sheet("涉及领域（前十位）") == fields
    assert sheet("被投诉较多的机关（前十位）") == organs
    assert sheet("转送、交办、督办") == routing
    assert sheet("建议及采纳情况") == adoption
    assert sheet("信访问题成因（办结事项）") == causes
    assert sheet("建议及反馈") == [[v or None for v in r] for r in feedback]  # an empty cell reads None

    # the documents page offers both files of the report, side by side, and both download
    client.force_login(supervisor_chen)
    page = client.get("/analytics/documents/").content.decode()
    assert f"/analytics/documents/{doc.pk}.docx" in page and f"/analytics/documents/{doc.pk}.xlsx" in page
    response = client.get(f"/analytics/documents/{doc.pk}.xlsx")
    assert response.status_code == 200 and response.content == bytes(doc.xlsx)
    assert "2025" in response["Content-Disposition"]


def test_a_long_list_prints_its_first_rows_in_the_docx_and_all_in_the_xlsx(org):
    # a county's month can hold thousands of overdue clocks: the 通报 circulates the first ones and says
    # how many there are; the .xlsx of the same 通报 has them all
    rows = [[f"HY2511{i:06d}", f"事项{i}", "县住建局", "办理", "2025-11-01", "未办结", i] for i in range(120)]
    columns = ["受理凭证编号", "事项", "责任单位", "时限", "期满日", "停止日", "超期天数"]
    b = documents.Bulletin(
        territory=org.county,
        month=date(2025, 11, 1),
        number="示范县信访通报〔2025〕11号",
        title="关于2025年11月份全县信访工作情况的通报",
        issued_on=date(2025, 12, 1),
        closed=False,
        summary="",
    )
    b.sections.append(documents.Section("超期事项", columns, rows, listing=True))
    b.sections.append(documents.Section("办理单位排名", ["#", "单位"], [[i, f"单位{i}"] for i in range(60)]))
    text, tables = docx_text(documents.bulletin_docx(b))
    listed = table_after(tables, "受理凭证编号")
    assert len(listed) == 1 + documents.DOCX_LIST_ROWS and listed[1][0] == "HY2511000000"
    assert listed[-1][0] == f"HY2511{documents.DOCX_LIST_ROWS - 1:06d}"
    assert f"共120件，此处列出前{documents.DOCX_LIST_ROWS}件" in text
    assert len(table_after(tables, "#")) == 61  # a ranking is never cut
    sheets = load_workbook(io.BytesIO(documents.bulletin_xlsx(b)))
    overdue = next(ws for ws in sheets.worksheets if ws.title.startswith("超期"))
    # every row, cell for cell, under its bold header, then the section's note
    assert [list(r) for r in overdue.iter_rows(min_row=2, max_row=121, values_only=True)] == rows
    assert overdue["A1"].value == "受理凭证编号" and overdue["A1"].font.b and not overdue["A2"].font.b
    assert overdue.max_row == 121
    assert [list(r) for r in sheets["办理单位排名"].iter_rows(min_row=2, values_only=True)] == [
        [i, f"单位{i}"] for i in range(60)
    ]
    assert sheets["通报"]["A1"].value == b.title and sheets["通报"]["A1"].font.sz == 14


def test_chinese_dates_read_back():
    for day in (
        date(2025, 12, 1),
        date(2026, 1, 10),
        date(2030, 10, 31),
        date(2025, 2, 20),
        date(2026, 1, 5),
    ):
        assert documents.cn_date_parse(documents.cn_date(day)) == day
    assert documents.cn_date_parse("示范县信访工作联席会议办公室") is None
    assert documents.cn_date_parse("二〇二五年二月三十日") is None  # no such day


def test_an_annual_report_stored_without_its_xlsx_gets_one_with_its_frozen_figures(
    year_2025, org, clock, client, supervisor_chen, handler_wang_unit_a
):
    """A report generated before the .xlsx existed (xlsx NULL): the Excel link is offered and the file
    is made from the row's own figures and .docx, not from today's data (条例 §41: the report sent is
    the report); it is then stored, and the frozen figures, .docx and dates are untouched."""
    from huiyin.cases.models import Case

    clock.set(date(2026, 1, 5))
    doc, _ = documents.document_ensure(Document.Kind.ANNUAL, date(2025, 1, 1), org.county)
    original = load_workbook(io.BytesIO(bytes(doc.xlsx)))
    Document.objects.filter(pk=doc.pk).update(xlsx=None)  # as a report of before issue 11 item 4
    stored = Document.objects.get(pk=doc.pk)
    figures, docx, generated_at = stored.figures, bytes(stored.docx), stored.generated_at

    # given the data changed since: 2025's figures computed afresh would differ (one organ more)
    Case.objects.filter(pk=year_2025.cases["E"].pk).update(accused_unit=org.unit_a)
    services.rollup_rebuild()
    clock.set(date(2026, 3, 2))
    fresh = documents.annual_xlsx(documents.annual_build(org.county, 2025))
    assert [list(r) for r in load_workbook(io.BytesIO(fresh))["被投诉较多的机关（前十位）"].iter_rows(
        values_only=True)] != [list(r) for r in original["被投诉较多的机关（前十位）"].iter_rows(values_only=True)]  # fmt: skip

    # the unit's staff do not see the county's report, with or without its .xlsx
    client.force_login(handler_wang_unit_a)
    assert client.get(f"/analytics/documents/{doc.pk}.xlsx").status_code == 404
    assert Document.objects.get(pk=doc.pk).xlsx is None

    client.force_login(supervisor_chen)
    page = client.get("/analytics/documents/").content.decode()
    assert f"/analytics/documents/{doc.pk}.xlsx" in page
    response = client.get(f"/analytics/documents/{doc.pk}.xlsx")
    assert response.status_code == 200
    made = load_workbook(io.BytesIO(response.content))
    assert made.sheetnames == original.sheetnames
    for name in original.sheetnames:  # every cell as generated on 2026-01-05, the 成文日期 included
        assert [list(r) for r in made[name].iter_rows(values_only=True)] == [
            list(r) for r in original[name].iter_rows(values_only=True)
        ], name
    after = Document.objects.get(pk=doc.pk)
    assert bytes(after.xlsx) == response.content  # stored: the next download is the same file
    assert after.figures == figures and bytes(after.docx) == docx and after.generated_at == generated_at
    assert after.regenerated == 0
    assert client.get(f"/analytics/documents/{doc.pk}.xlsx").content == response.content
