"""The staff workbench pages: sign-in, queues, search, the case page, receipts and opinions."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

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
    wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2099, 1, 1))
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
    with django_assert_max_num_queries(12):
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
    assert "第 1 / 2 页" in first.content.decode()
