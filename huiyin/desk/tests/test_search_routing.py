"""Staff search routed by the shape of the query (issue 15): a case code, a mobile phone or an ID number
goes straight to its exact, indexed lookup, always inside `visible_to`; the workbench's tabs count at
most 100 rows and no list pages with COUNT(*). The confidentiality tests attack 条例 §30¶3 (CF-1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huiyin.cases.selectors import search_cases, search_shape
from huiyin.desk import paging
from huiyin.workflow import services as wf

pytestmark = pytest.mark.django_db

NAME, PHONE, ID_NUMBER = "刘群众", "13800001234", "11010519491231002X"


@pytest.mark.parametrize(
    ("q", "shape", "key"),
    [
        ("HY250303ABC123", "code", "HY250303ABC123"),
        (" hy250303abc123 ", "code", "HY250303ABC123"),
        ("13800001234", "phone", "13800001234"),
        ("11010519491231002x", "id_number", "11010519491231002X"),
        ("110105 19491231 002X", "id_number", "11010519491231002X"),
        ("110105194912310036", "id_number", "110105194912310036"),  # a bad checksum: still exact
        ("91110000100000589A", "id_number", "91110000100000589A"),  # a valid unified social credit code
        ("INTERNATIONALIZING", "text", "INTERNATIONALIZING"),  # 18 letters, not a credit code
        ("0571-88001234", "text", "0571-88001234"),  # a landline: free text (matched whole)
        ("2380000123", "text", "2380000123"),
        ("HY2503", "text", "HY2503"),
        ("刘群众", "text", "刘群众"),
        ("漏水", "text", "漏水"),
    ],
)
def test_the_shape_of_a_query(q, shape, key):
    assert search_shape(q) == (shape, key)


def _case_sql(client, q: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("search"), {"q": q})
    assert response.status_code == 200
    return [c["sql"] for c in ctx.captured_queries if '"cases_case"' in c["sql"]]


@pytest.mark.parametrize("shape", ["code", "phone", "id_number"])
def test_a_code_phone_or_id_search_is_an_exact_lookup_never_a_text_scan(
    shape, client, register_case, dispatcher_zhou
):
    case = register_case()
    q = {"code": case.code.lower(), "phone": PHONE, "id_number": ID_NUMBER.lower()}[shape]
    client.force_login(dispatcher_zhou)
    sql = _case_sql(client, q)
    assert sql and not any("LIKE" in s for s in sql), sql
    column = {"code": '"cases_case"."code" =', "phone": '"phone" =', "id_number": '"id_number" ='}[shape]
    assert any(column in s for s in sql)
    assert [r["case"] for r in client.get(reverse("search"), {"q": q}).context["rows"]] == [case]


def test_free_text_still_finds_words_a_name_and_a_whole_landline(client, register_case, dispatcher_zhou):
    from huiyin.cases.services import PetitionerIn

    landline = [PetitionerIn(name="王某", phone="0571-88001234", address="东城镇")]
    by_words = register_case(title="路灯不亮", content="村口路灯坏了三个月")
    by_line = register_case(petitioners=landline, title="噪音扰民", content="夜间施工")
    client.force_login(dispatcher_zhou)
    for q, case in [("路灯", by_words), ("三个月", by_words), ("王某", by_line), ("0571-88001234", by_line)]:
        assert [r["case"] for r in client.get(reverse("search"), {"q": q}).context["rows"]] == [case], q
    assert list(search_cases(dispatcher_zhou, "刘群众")) == [by_words]


@pytest.mark.parametrize("shape", ["code", "phone", "id_number"])
def test_a_routed_search_never_reaches_beyond_what_the_user_may_see(
    shape, client, register_case, handler_zhao_unit_b
):
    # the attack: another unit's handler types the exact code, phone or ID number of a case not theirs
    case = register_case()
    q = {"code": case.code, "phone": PHONE, "id_number": ID_NUMBER}[shape]
    assert search_cases(handler_zhao_unit_b, q).count() == 0
    client.force_login(handler_zhao_unit_b)
    response = client.get(reverse("search"), {"q": q})
    link = reverse("case_detail", args=[case.code])
    assert response.context["rows"] == [] and link not in response.content.decode()


@pytest.mark.parametrize("q", [PHONE, ID_NUMBER, ID_NUMBER.lower(), NAME])
def test_the_accused_side_never_finds_an_accusation_by_its_accusers_phone_or_id_30_3(
    q, client, register_case, org, dispatcher_zhou, supervisor_chen, handler_wang_unit_a
):
    # given an accusation against 住建局 (unit A), routed to 民政局 (unit B)
    case = register_case(petition_type="accusation", accused_unit_id=org.unit_a.pk, title="举报住建局某干部")
    wf.case_forward(
        case=wf.case_accept(case=case, actor=dispatcher_zhou), actor=dispatcher_zhou, unit=org.unit_b
    )
    # the superior sees the case, never who sent it: a search by the accuser finds nothing (ADR 0005)
    for person in (supervisor_chen, handler_wang_unit_a):
        assert case not in search_cases(person, q)
        client.force_login(person)
        response = client.get(reverse("search"), {"q": q})
        assert response.context["rows"] == [] and case.code not in response.content.decode()
    # the accused unit does not find it by its code either (it may not see the case at all)
    assert case not in search_cases(handler_wang_unit_a, case.code)
    assert case in search_cases(supervisor_chen, case.code)  # the superior may: the code names nobody


def test_tab_counts_stop_at_the_cap_and_show_99_plus(client, register_case, dispatcher_zhou, monkeypatch):
    for _ in range(4):
        register_case()
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    client.force_login(dispatcher_zhou)
    tabs = client.get(reverse("workbench")).context["tabs"]
    assert tabs[0] == {"name": "to_route", "label": "待分办", "count": 3}
    for count, shown in [(100, "99+"), (99, "99"), (0, "0")]:
        html = render_to_string(
            "cases/_queue.html", {"tabs": [{"name": "to_route", "label": "待分办", "count": count}]}
        )
        assert f'data-testid="count-to_route">{shown}</span>' in html


@pytest.mark.parametrize(
    "url", ["/", "/?queue=my_unit", "/?queue=overdue", "/search/?q=漏水", "/search/?q=13800001234"]
)
def test_no_list_counts_its_whole_result(url, client, register_case, dispatcher_zhou):
    for _ in range(3):
        register_case()
    client.force_login(dispatcher_zhou)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    counts = [c["sql"] for c in ctx.captured_queries if "COUNT(" in c["sql"]]
    assert all(f"LIMIT {paging.COUNT_CAP}" in s for s in counts), counts


def test_the_next_page_starts_after_the_last_row_and_old_page_links_still_work(
    client, register_case, dispatcher_zhou
):
    cases = [register_case() for _ in range(27)]
    client.force_login(dispatcher_zhou)
    first = client.get(reverse("search"), {"q": "漏水"})
    assert len(first.context["rows"]) == 25 and first.context["page"].has_next
    after = client.get(reverse("search") + "?q=%E6%BC%8F%E6%B0%B4&" + first.context["page"].next_query)
    by_number = client.get(reverse("search"), {"q": "漏水", "page": "2"})
    assert [r["case"] for r in after.context["rows"]] == [r["case"] for r in by_number.context["rows"]]
    assert {r["case"] for r in after.context["rows"]} == set(cases[:2])
    assert not after.context["page"].has_next and "上一页" in after.content.decode()


@pytest.mark.parametrize(
    "params",
    [{"after": "%%%"}, {"after": "bm90fGEgY3Vyc29y"}, {"page": "999999999999999999999"}, {"page": "-3"}],
)
def test_a_mangled_page_link_is_a_page_never_an_error(params, client, register_case, dispatcher_zhou):
    register_case()
    client.force_login(dispatcher_zhou)
    assert client.get(reverse("workbench"), params).status_code == 200
    assert client.get(reverse("search"), {"q": "漏水", **params}).status_code == 200
