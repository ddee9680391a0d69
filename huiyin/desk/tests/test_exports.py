"""The desk's lists as .xlsx (issue 11 item 5): each workbench queue and the search results export with
`?format=xlsx`, the whole list (not one page, bounded by the sheet's MAX_ROWS), from the same scoped
queryset as the page — so the file holds exactly the rows the user may see, never an accusation to the
accused side (条例 §30¶3, ADR 0005). Identity is masked unless `identity=full`, then audited per case."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from huiyin.cases.exports import WITHHELD
from huiyin.cases.models import Case
from huiyin.core import timeutil, xlsx
from huiyin.core.models import AuditEntry
from huiyin.desk.tests.test_query_counts import QUEUES, Grower
from huiyin.workflow import services as wf
from huiyin.workflow.web import PAGE_SIZE

pytestmark = pytest.mark.django_db

NAME, PHONE, ID_NUMBER = "刘群众", "13800001234", "11010519491231002X"
MORE_THAN_A_PAGE = PAGE_SIZE + 2


def sheet(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == xlsx.XLSX_CONTENT_TYPE
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in book.active.values]


def body(rows: list[list]) -> list[list]:
    """The case rows: after the heading line and the header row."""
    assert rows[1][0] == "事项编号" and rows[1][-3:] == ["信访人", "身份证号码", "联系电话"]
    return rows[2:]


def export(client, url: str, **params: str) -> list[list]:
    return sheet(client.get(url, {"format": "xlsx", **params}))


@pytest.mark.parametrize("queue", list(QUEUES))
def test_each_queue_exports_all_its_cases_not_one_page(queue, request, client, register_case, clock):
    who, scenario = QUEUES[queue]
    client.force_login(request.getfixturevalue(who))
    Grower(scenario, request, register_case, clock)(MORE_THAN_A_PAGE)
    expected = set(Case.objects.values_list("code", flat=True))
    page = client.get(reverse("workbench"), {"queue": queue})
    assert len(page.context["rows"]) == PAGE_SIZE  # the page shows one page …
    rows = export(client, reverse("workbench"), queue=queue)
    assert rows[0][0].startswith("工作队列-")
    codes = [r[0] for r in body(rows)]
    assert len(codes) == MORE_THAN_A_PAGE and set(codes) == expected  # … the file the whole queue
    assert {r["case"].code for r in page.context["rows"]} <= set(codes)


def test_a_queue_export_holds_only_that_queue_and_only_the_users_cases(
    client, register_case, dispatcher_zhou, handler_wang_unit_a, handler_zhao_unit_b, org
):
    waiting = register_case(title="待分办的事项")
    routed = wf.case_accept(case=register_case(title="交办住建局的事项"), actor=dispatcher_zhou)
    wf.case_assign(
        case=routed,
        actor=dispatcher_zhou,
        unit=org.unit_a,
        deadline=timeutil.today() + timedelta(days=30),
    )
    client.force_login(dispatcher_zhou)
    assert [r[0] for r in body(export(client, reverse("workbench"), queue="to_route"))] == [waiting.code]
    client.force_login(handler_wang_unit_a)
    assert [r[0] for r in body(export(client, reverse("workbench"), queue="to_accept"))] == [routed.code]
    client.force_login(handler_zhao_unit_b)  # another unit: its queues hold neither
    for queue in ("to_route", "to_accept", "my_unit"):
        assert body(export(client, reverse("workbench"), queue=queue)) == []


def test_identity_is_masked_by_default_and_the_export_is_audited(client, register_case, dispatcher_zhou):
    case = register_case()
    client.force_login(dispatcher_zhou)
    for url, params in [(reverse("workbench"), {"queue": "to_route"}), (reverse("search"), {"q": "漏水"})]:
        (row,) = body(export(client, url, **params))
        assert row[0] == case.code
        name, id_number, phone = row[-3:]
        assert name == "刘**" and id_number != ID_NUMBER and "*" in id_number and "*" in phone
        assert NAME not in str(row) and ID_NUMBER not in str(row) and PHONE not in str(row)
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW).exists()
    exports = AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, actor=dispatcher_zhou).order_by("id")
    assert [(e.detail["what"], e.detail["rows"], e.detail["full_identity"]) for e in exports] == [
        ("workbench", 1, False),
        ("search", 1, False),
    ]
    assert exports[0].detail["filters"]["queue"] == "to_route" and exports[1].detail["filters"]["q"] == "漏水"


def test_full_identity_writes_one_audit_row_per_case_in_the_file(client, register_case, dispatcher_zhou):
    cases = {register_case().code for _ in range(3)}
    client.force_login(dispatcher_zhou)
    for url, params, where in [
        (reverse("workbench"), {"queue": "to_route"}, "workbench"),
        (reverse("search"), {"q": "漏水"}, "search"),
    ]:
        rows = body(export(client, url, identity="full", **params))
        assert {r[0] for r in rows} == cases
        assert all(r[-3:] == [NAME, ID_NUMBER, PHONE] for r in rows)
        views = AuditEntry.objects.filter(
            kind=AuditEntry.Kind.IDENTITY_VIEW, actor=dispatcher_zhou, detail__export=where
        )
        assert sorted(v.case.code for v in views) == sorted(cases)
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, detail__full_identity=True).count() == 2


def test_a_search_export_holds_every_result_and_is_audited_as_a_search(
    client, register_case, dispatcher_zhou
):
    cases = {register_case().code for _ in range(MORE_THAN_A_PAGE)}
    other = register_case(title="路灯不亮", content="村口路灯坏了")
    client.force_login(dispatcher_zhou)
    rows = export(client, reverse("search"), q="漏水")
    assert rows[0] == ["搜索：漏水"] + [None] * (len(rows[1]) - 1)
    assert {r[0] for r in body(rows)} == cases and other.code not in {r[0] for r in body(rows)}
    assert [r[0] for r in body(export(client, reverse("search"), q=other.code.lower()))] == [other.code]
    # a search by a person's ID number: the heading masks it unless the file is in full
    by_id = export(client, reverse("search"), q=ID_NUMBER)
    assert len(body(by_id)) == MORE_THAN_A_PAGE + 1
    assert ID_NUMBER not in by_id[0][0] and by_id[0][0].startswith("搜索：110")
    assert export(client, reverse("search"), q=ID_NUMBER, identity="full")[0][0] == f"搜索：{ID_NUMBER}"
    assert export(client, reverse("search"), q=NAME)[0][0] == "搜索：刘**"  # a petitioner's name too
    searches = AuditEntry.objects.filter(kind=AuditEntry.Kind.SEARCH, detail__where="search_export")
    assert [s.detail["query_kind"] for s in searches.order_by("id")] == ["id_number", "id_number", "name"]
    # no query: the page's empty state, a file with its header only
    assert sheet(client.get(reverse("search"), {"format": "xlsx"})) == [rows[1]]


@pytest.fixture
def accusation(register_case, org, dispatcher_zhou):
    """An accusation against 住建局 (unit A), forwarded to 民政局 (unit B) — and an ordinary case that
    unit A handles, found by the same words."""
    case = register_case(petition_type="accusation", accused_unit_id=org.unit_a.pk, title="举报住建局某干部")
    wf.case_forward(
        case=wf.case_accept(case=case, actor=dispatcher_zhou), actor=dispatcher_zhou, unit=org.unit_b
    )
    ordinary = wf.case_accept(case=register_case(title="举报小区违建"), actor=dispatcher_zhou)
    wf.case_assign(
        case=ordinary, actor=dispatcher_zhou, unit=org.unit_a, deadline=timeutil.today() + timedelta(days=30)
    )
    return case, ordinary


@pytest.mark.parametrize("q", ["举报", PHONE, ID_NUMBER, NAME])
def test_the_accused_sides_search_export_holds_none_of_the_accusation_30_3(
    q, client, accusation, handler_wang_unit_a, head_sun_unit_a
):
    case, ordinary = accusation
    for person in (handler_wang_unit_a, head_sun_unit_a):  # the accused unit, its handler and its head
        client.force_login(person)
        for identity in ("", "full"):
            rows = body(export(client, reverse("search"), q=q, identity=identity))
            assert [r[0] for r in rows] == [ordinary.code]  # the file is not empty: it lists what it may
            assert case.code not in str(rows) and "举报住建局" not in str(rows)
        assert body(export(client, reverse("search"), q=case.code)) == []
        for queue in QUEUES:
            assert case.code not in str(export(client, reverse("workbench"), queue=queue))
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW, case=case).exists()


def test_the_accused_units_superior_exports_the_case_by_code_never_its_accuser_30_3(
    client, accusation, supervisor_chen
):
    case, _ = accusation
    client.force_login(supervisor_chen)
    for q in (PHONE, ID_NUMBER, NAME):  # a search by the accuser does not find it (ADR 0005)
        assert case.code not in str(export(client, reverse("search"), q=q, identity="full"))
    rows = body(export(client, reverse("search"), q=case.code, identity="full"))
    assert [r[0] for r in rows] == [case.code] and rows[0][-3:] == [WITHHELD] * 3
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.IDENTITY_VIEW, case=case).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"format": "pdf"},
        {"format": "XLSX"},
        {"format": ""},
        {"format": "xlsx", "identity": "yes"},
        {"format": "xlsx", "identity": ["full", "x"]},
        {"format": "csv", "identity": "full"},
    ],
)
def test_a_bad_format_or_parameter_is_a_400_never_a_500(params, client, register_case, dispatcher_zhou):
    register_case()
    client.force_login(dispatcher_zhou)
    for url, extra in [(reverse("workbench"), {"queue": "to_route"}), (reverse("search"), {"q": "漏水"})]:
        response = client.get(url, {**extra, **params})
        assert response.status_code == 400, (url, params)
        assert "不支持的导出格式" in response.content.decode()
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT).exists()


def test_odd_list_parameters_on_an_export_are_4xx_or_ignored(client, register_case, dispatcher_zhou):
    case = register_case()
    client.force_login(dispatcher_zhou)
    assert client.get(reverse("workbench"), {"format": "xlsx", "queue": "nope"}).status_code == 404
    for extra in ({"after": "%%%"}, {"page": "999999999999999999999"}, {"page": "-3"}, {"q": "漏" * 500}):
        rows = body(export(client, reverse("workbench"), queue="to_route", **extra))
        assert [r[0] for r in rows] == [case.code]  # paging is not the export's: the whole list
        assert [r[0] for r in body(export(client, reverse("search"), **{"q": "漏水", **extra}))] == (
            [case.code] if "q" not in extra else []
        )


def test_an_export_is_bounded_by_the_sheets_row_limit(client, register_case, dispatcher_zhou, monkeypatch):
    for _ in range(4):
        register_case()
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    client.force_login(dispatcher_zhou)
    assert len(body(export(client, reverse("workbench"), queue="to_route"))) == 3
    assert len(body(export(client, reverse("search"), q="漏水"))) == 3


def test_the_lists_link_their_export_with_their_own_filters(client, register_case, dispatcher_zhou):
    register_case()
    client.force_login(dispatcher_zhou)
    queue = client.get(reverse("workbench"), {"queue": "overdue"}).content.decode()
    assert 'href="/?format=xlsx&amp;queue=overdue"' in queue
    assert 'href="/?format=xlsx&amp;queue=overdue&amp;identity=full"' in queue
    tab = client.get(reverse("workbench"), {"queue": "to_route"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'href="/?format=xlsx&amp;queue=to_route"' in tab  # the htmx swap carries the new queue's
    found = client.get(reverse("search"), {"q": "漏水"}).content.decode()
    assert 'href="/search/?format=xlsx&amp;q=%E6%BC%8F%E6%B0%B4"' in found
    assert 'data-testid="xlsx-export"' not in client.get(reverse("search")).content.decode()


@pytest.mark.parametrize(("url", "params"), [("workbench", {"queue": "to_route"}), ("search", {"q": "漏水"})])
def test_an_export_takes_as_many_queries_with_30_cases_as_with_3(
    url, params, request, client, register_case, clock, dispatcher_zhou
):
    client.force_login(dispatcher_zhou)
    grow = Grower("registered", request, register_case, clock)
    counts, sizes = [], []
    for n in (3, 30):
        grow(n)
        with CaptureQueriesContext(connection) as ctx:
            rows = export(client, reverse(url), **params)
        counts.append(len(ctx.captured_queries))
        sizes.append(len(body(rows)))
    print(f"QUERIES export {url}: {counts} rows {sizes}")
    assert sizes == [3, 30] and counts[0] == counts[1], counts
