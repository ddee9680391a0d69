"""The staff workbench pages: sign-in, queues, search, the case page, receipts and opinions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from huiyin.core import timeutil
from huiyin.core.models import AuditEntry
from huiyin.workflow import services as wf

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


# --- sign-in and layout -----------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("workbench"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_member_signs_in_with_password_and_lands_on_the_workbench(client, clerk_li):
    response = client.post(reverse("login"), {"username": "clerk_li", "password": "pw-clerk_li"})
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench")


def test_wrong_password_shows_a_chinese_error(client, clerk_li):
    response = client.post(reverse("login"), {"username": "clerk_li", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client, clerk_li):
    login(client, clerk_li)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("workbench")).status_code == 302


def test_layout_shows_user_unit_and_the_intake_link_for_a_clerk(client, clerk_li):
    html = login(client, clerk_li).get(reverse("workbench")).content.decode()
    assert "李窗口" in html and "示范县信访局" in html
    assert reverse("case_new") in html


def test_layout_hides_the_intake_link_from_a_handler(client, handler_wang_unit_a):
    html = login(client, handler_wang_unit_a).get(reverse("workbench")).content.decode()
    assert "王承办" in html
    assert reverse("case_new") not in html


def test_profile_page_shows_the_role(client, head_sun_unit_a):
    html = login(client, head_sun_unit_a).get(reverse("profile")).content.decode()
    assert "单位负责人" in html


# --- workbench --------------------------------------------------------------------------------


def test_workbench_lists_the_offices_cases_to_route_with_counts(client, register_case, dispatcher_zhou):
    case = register_case()
    response = login(client, dispatcher_zhou).get(reverse("workbench"))
    html = response.content.decode()
    assert response.status_code == 200
    assert case.code in html
    assert "待分办" in html and "本单位在办" in html and "临期" in html and "超期" in html
    assert response.context["tabs"][0] == {"name": "to_route", "label": "待分办", "count": 1}


def test_workbench_shows_the_most_urgent_clock_in_green_while_time_remains(
    client, register_case, dispatcher_zhou, clock
):
    clock.set(date(2025, 3, 3))
    register_case()
    response = login(client, dispatcher_zhou).get(reverse("workbench"))
    row = response.context["rows"][0]
    assert row["clock"].colour == "green"
    assert row["clock"].days_left == 15  # routing and notice both due 2025-03-18


def test_overdue_clock_is_red_and_the_case_is_in_the_overdue_queue(
    client, register_case, dispatcher_zhou, clock
):
    from huiyin.workflow.clocks import sweep_clocks

    clock.set(date(2025, 3, 3))
    case = register_case()
    clock.set(date(2025, 3, 20))
    sweep_clocks()
    response = login(client, dispatcher_zhou).get(reverse("workbench") + "?queue=overdue")
    assert [r["case"].code for r in response.context["rows"]] == [case.code]
    assert response.context["rows"][0]["clock"].colour == "red"
    assert 'data-colour="red"' in response.content.decode()


def test_htmx_tab_switch_returns_only_the_queue_partial(client, register_case, dispatcher_zhou):
    register_case()
    response = login(client, dispatcher_zhou).get(
        reverse("workbench") + "?queue=my_unit", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="queue-panel"' in html
    assert "此队列暂无事项" in html


def test_unknown_queue_is_404(client, dispatcher_zhou):
    assert login(client, dispatcher_zhou).get(reverse("workbench") + "?queue=nope").status_code == 404


def test_handler_sees_only_their_units_cases(
    client, register_case, dispatcher_zhou, handler_wang_unit_a, handler_zhao_unit_b, org
):
    case = register_case()
    wf.case_accept(case=case, actor=dispatcher_zhou)
    # (a 交办 deadline within the statutory 60 days, 条例 §34)
    deadline = timeutil.today() + timedelta(days=30)
    wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=deadline)
    html_a = login(client, handler_wang_unit_a).get(reverse("workbench")).content.decode()
    assert case.code in html_a
    html_b = login(client, handler_zhao_unit_b).get(reverse("workbench")).content.decode()
    assert case.code not in html_b


@pytest.mark.parametrize("queue", ["to_route", "my_unit", "due_soon", "overdue"])
def test_workbench_query_count_does_not_grow_with_the_number_of_cases(
    client, register_case, dispatcher_zhou, django_assert_max_num_queries, queue
):
    for _ in range(12):
        register_case()
    login(client, dispatcher_zhou)
    # a fixed number: the session, the user, one count per queue (8) and the page of cases
    with django_assert_max_num_queries(14):
        response = client.get(reverse("workbench") + f"?queue={queue}")
    assert response.status_code == 200


def test_workbench_paginates_25_cases_a_page(client, register_case, dispatcher_zhou):
    for _ in range(27):
        register_case()
    login(client, dispatcher_zhou)
    first = client.get(reverse("workbench"))
    second = client.get(reverse("workbench") + "?queue=to_route&page=2")
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2
    # issue 15: no COUNT(*) for "1 / N": the page says its number and links on after its last row
    assert "第 1 页" in first.content.decode()
    follow = client.get(reverse("workbench") + "?queue=to_route&" + first.context["page"].next_query)
    assert [r["case"] for r in follow.context["rows"]] == [r["case"] for r in second.context["rows"]]
    assert "第 2 页" in follow.content.decode() and "下一页" not in follow.content.decode()


# --- the case page ----------------------------------------------------------------------------


def test_case_page_shows_masked_identity_and_writes_no_reveal(client, register_case, dispatcher_zhou):
    # SPEC §1.3: the log shows who actually unmasked, not every case page
    case = register_case()
    html = login(client, dispatcher_zhou).get(reverse("case_detail", args=[case.code])).content.decode()
    assert "刘群众" in html and "110***********002X" in html and "138****1234" in html
    assert "11010519491231002X" not in html and "13800001234" not in html
    assert not AuditEntry.objects.filter(kind="identity_view", case=case).exists()
    client.get(reverse("case_parties", args=[case.code]), HTTP_HX_REQUEST="true")  # "hide" again: masked
    client.get(reverse("case_receipt", args=[case.code]))
    assert not AuditEntry.objects.filter(kind="identity_view", case=case).exists()


def test_full_identity_is_shown_on_request_and_audited_again(client, register_case, dispatcher_zhou):
    case = register_case()
    login(client, dispatcher_zhou)
    html = client.get(reverse("case_parties", args=[case.code]) + "?full=1", HTTP_HX_REQUEST="true")
    assert "11010519491231002X" in html.content.decode() and "13800001234" in html.content.decode()
    assert AuditEntry.objects.filter(kind="identity_view", case=case).count() == 1


def test_timeline_labels_clock_events_in_chinese(client, register_case, dispatcher_zhou, clock):
    from huiyin.workflow.clocks import sweep_clocks

    clock.set(date(2025, 3, 3))
    case = register_case()
    clock.set(date(2025, 3, 14))
    sweep_clocks()
    clock.set(date(2025, 3, 20))
    sweep_clocks()
    html = login(client, dispatcher_zhou).get(reverse("case_detail", args=[case.code])).content.decode()
    assert "<strong>登记</strong>" in html
    assert "<strong>时限黄灯预警</strong>" in html and "<strong>时限红灯超期</strong>" in html
    assert "登记分办，期满日2025-03-18" in html


def test_receipt_shows_the_tracking_code_for_printing(client, register_case, clerk_li):
    case = register_case()
    response = login(client, clerk_li).get(reverse("case_receipt", args=[case.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "信访事项登记凭证" in html and case.code in html and "data-print" in html


def test_case_pages_of_another_unit_are_404(client, register_case, handler_zhao_unit_b):
    case = register_case()
    login(client, handler_zhao_unit_b)
    for name in ("case_detail", "case_receipt", "case_parties"):
        assert client.get(reverse(name, args=[case.code])).status_code == 404
    assert not AuditEntry.objects.filter(kind="identity_view").exists()


def test_case_page_works_by_lowercase_code(client, register_case, dispatcher_zhou):
    case = register_case()
    assert (
        login(client, dispatcher_zhou).get(reverse("case_detail", args=[case.code.lower()])).status_code
        == 200
    )


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["code", "刘群众", "13800001234", "11010519491231002x", "漏水"])
def test_search_finds_a_case_by_code_person_or_text(client, register_case, dispatcher_zhou, query):
    case = register_case()
    q = case.code if query == "code" else query
    response = login(client, dispatcher_zhou).get(reverse("search"), {"q": q})
    assert [r["case"].code for r in response.context["rows"]] == [case.code]


def test_search_does_not_reveal_other_units_cases(client, register_case, handler_zhao_unit_b):
    case = register_case()
    response = login(client, handler_zhao_unit_b).get(reverse("search"), {"q": case.code})
    assert response.context["rows"] == [] and "没有找到符合条件的事项" in response.content.decode()


def test_search_query_count_is_bounded_and_paginated(
    client, register_case, dispatcher_zhou, django_assert_max_num_queries
):
    for _ in range(30):
        register_case()
    login(client, dispatcher_zhou)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("search"), {"q": "漏水", "page": "2"})
    assert len(response.context["rows"]) == 5


def test_the_navigation_shows_each_role_its_own_pages(
    client, supervisor_chen, handler_zhao_unit_b, dispatcher_zhou
):
    pages = {}
    for person in (supervisor_chen, handler_zhao_unit_b, dispatcher_zhou):
        client.force_login(person)
        page = client.get("/").content.decode()
        pages[person.username] = page[
            page.index('<ul class="navbar-nav') : page.index("</ul>", page.index('<ul class="navbar-nav'))
        ]
    assert "/supervision/" in pages["supervisor_chen"] and "/assist/hotspots/" in pages["supervisor_chen"]
    assert "/supervision/" not in pages["handler_zhao"] and "/assist/hotspots/" not in pages["handler_zhao"]
    assert "/cases/new/" in pages["dispatcher_zhou"] and "/supervision/" not in pages["dispatcher_zhou"]


def test_the_case_page_shows_the_links_a_module_declares_for_the_user(
    client, register_case, clerk_li, monkeypatch
):
    """A module links its records about a case (Module.case_links) without editing the case page."""
    from huiyin.core import registry

    case = register_case()
    seen = []

    def links(c, user):
        seen.append((c.pk, user.pk))
        return [
            registry.CaseLink(module="领导接待", label="3月5日县长接待日", url="/reception/x/", note="已接待")
        ]

    module = registry.Module(name="test_case_links", case_links=links)
    monkeypatch.setitem(registry._MODULES, module.name, module)
    html = login(client, clerk_li).get(reverse("case_detail", args=[case.code])).content.decode()
    assert seen == [(case.pk, clerk_li.pk)]
    assert 'data-testid="module-links"' in html and "3月5日县长接待日" in html and "/reception/x/" in html
    monkeypatch.delitem(registry._MODULES, module.name)
    html = login(client, clerk_li).get(reverse("case_detail", args=[case.code])).content.decode()
    assert 'data-testid="module-links"' not in html
