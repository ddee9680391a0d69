"""Workflow actions through the case page: every action has a form, refusals keep the input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from huiyin.cases.choices import Status
from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.workflow import services as wf
from huiyin.workflow.forms import ACTION_FORMS
from huiyin.workflow.transitions import Action

pytestmark = pytest.mark.django_db


def act(client, user, case, action, data=None, **extra):
    client.force_login(user)
    url = reverse("case_action", args=[case.code, action])
    return client.post(url, data or {}, **extra)


def refreshed(case):
    return Case.objects.get(pk=case.pk)


def test_every_action_in_the_table_has_a_form():
    assert set(ACTION_FORMS) == set(Action)


def test_the_case_page_offers_only_the_allowed_actions(client, register_case, dispatcher_zhou, clerk_li):
    case = register_case()
    client.force_login(dispatcher_zhou)
    html = client.get(reverse("case_detail", args=[case.code])).content.decode()
    for action in ("accept", "not_accept", "divert", "merge", "transfer"):
        assert f'data-action="{action}"' in html
    assert 'data-action="assign"' not in html
    client.force_login(clerk_li)
    html = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert "data-action=" not in html and "您当前没有可执行的操作" in html


def test_an_action_form_loads_as_an_htmx_partial(client, register_case, dispatcher_zhou):
    case = register_case()
    client.force_login(dispatcher_zhou)
    response = client.get(reverse("case_action", args=[case.code, "not_accept"]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'name="reason_code"' in html and 'name="notice_method"' in html


def test_an_action_page_without_htmx_is_a_full_page(client, register_case, dispatcher_zhou):
    case = register_case()
    client.force_login(dispatcher_zhou)
    response = client.get(reverse("case_action", args=[case.code, "accept"]))
    assert response.status_code == 200 and "<html" in response.content.decode()


def test_an_action_the_user_may_not_take_is_refused_with_403(client, register_case, clerk_li):
    case = register_case()
    client.force_login(clerk_li)
    assert client.get(reverse("case_action", args=[case.code, "accept"])).status_code == 403
    response = act(client, clerk_li, case, "accept")
    assert response.status_code == 403
    assert "不能对此事项执行“受理”" in response.content.decode()
    assert refreshed(case).status == Status.REGISTERED


def test_another_units_case_is_404_for_pages_and_actions(client, register_case, handler_zhao_unit_b):
    case = register_case()
    client.force_login(handler_zhao_unit_b)
    assert client.get(reverse("case_detail", args=[case.code])).status_code == 404
    assert client.get(reverse("case_action", args=[case.code, "accept"])).status_code == 404
    assert act(client, handler_zhao_unit_b, case, "accept").status_code == 404


def test_unknown_action_is_404(client, register_case, dispatcher_zhou):
    case = register_case()
    client.force_login(dispatcher_zhou)
    assert client.get(reverse("case_action", args=[case.code, "explode"])).status_code == 404


def test_a_service_refusal_shows_its_message_and_keeps_the_input(client, register_case, dispatcher_zhou, org):
    # given an accepted case, when the dispatcher assigns with a deadline in the past
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    response = act(
        client,
        dispatcher_zhou,
        case,
        "assign",
        {"unit": org.unit_a.pk, "deadline": "2000-01-01", "instructions": "请认真核查并报告"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "交办期限须晚于今天" in html
    assert "请认真核查并报告" in html
    assert refreshed(case).status == Status.ACCEPTED


def test_assign_unit_picker_excludes_the_accused_unit(client, register_case, dispatcher_zhou, org):
    case = register_case(petition_type="accusation", accused_unit_id=org.unit_b.pk)
    case = wf.case_accept(case=case, actor=dispatcher_zhou)
    client.force_login(dispatcher_zhou)
    response = client.get(reverse("case_action", args=[case.code, "assign"]))
    units = list(response.context["form"].fields["unit"].queryset)
    assert org.unit_a in units and org.unit_b not in units
    assert org.county_office not in units


def test_the_reply_form_prefills_the_review_route_and_asks_for_a_completion_report(
    client, register_case, dispatcher_zhou, handler_wang_unit_a, org
):
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_assign(
        case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=timeutil.today() + timedelta(days=30)
    )
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)  # 条例 §23¶3
    client.force_login(handler_wang_unit_a)
    form = client.get(reverse("case_action", args=[case.code, "reply"])).context["form"]
    assert "示范县人民政府请求复查" in form.initial["review_route"]
    assert "completion_report" in form.fields
    response = act(
        client,
        handler_wang_unit_a,
        case,
        "reply",
        {
            "facts_reasons": "经查属实",
            "decision": "support",
            "legal_basis": "《物业管理条例》",
            "review_route": "",
        },
    )
    assert response.status_code == 400
    assert "交办事项须提交办结报告" in response.content.decode()


def post_ok(client, user, case, action, data=None):
    response = act(client, user, case, action, data)
    assert response.status_code == 302, (action, response.content.decode()[:3000])
    return refreshed(case)


def test_the_whole_chain_through_the_forms(
    client,
    register_case,
    clock,
    dispatcher_zhou,
    clerk_li,
    handler_wang_unit_a,
    reviewer_qian,
    rereviewer_wu,
    org,
):
    clock.set(date(2025, 3, 3))
    case = register_case()
    case = post_ok(client, dispatcher_zhou, case, "accept")
    case = post_ok(
        client,
        dispatcher_zhou,
        case,
        "assign",
        {"unit": org.unit_a.pk, "deadline": "2025-04-03", "instructions": "限期办结"},
    )
    assert case.status == Status.IN_HANDLING and case.handling_unit == org.unit_a
    # the unit accepts and tells the petitioner (条例 §23¶3): its 60 days start (§34)
    case = post_ok(client, handler_wang_unit_a, case, "accept_assignment", {"notice_method": "electronic"})
    clock.set(date(2025, 3, 20))
    reply = {
        "request_summary": "请督促物业维修",
        "facts_reasons": "经查属实，已督促物业维修。",
        "decision": "support",
        "legal_basis": "《物业管理条例》第三十五条",
        "review_route": "",
        "completion_report": "已办结",
    }
    case = post_ok(client, handler_wang_unit_a, case, "reply", reply)
    assert case.status == Status.REPLIED and "示范县人民政府" in case.opinions.get().review_route
    case = post_ok(client, clerk_li, case, "deliver", {"delivered_on": "2025-03-20", "method": "in_person"})
    case = post_ok(
        client, clerk_li, case, "rate", {"rating": "dissatisfied", "solved": "no", "comment": "没修好"}
    )
    assert case.rating == "dissatisfied" and case.problem_solved is False
    clock.set(date(2025, 4, 1))
    case = post_ok(client, clerk_li, case, "request_review", {"reason": "维修不彻底"})
    assert case.review_unit == org.county_gov
    opinion = {
        "facts_reasons": "复查维持。",
        "decision": "support",
        "legal_basis": "《信访工作条例》第三十五条",
    }
    case = post_ok(client, reviewer_qian, case, "review_reply", {**opinion, "review_route": ""})
    case = post_ok(client, clerk_li, case, "deliver", {"delivered_on": "2025-04-01", "method": "mail"})
    case = post_ok(client, clerk_li, case, "request_rereview", {"reason": "仍不服"})
    case = post_ok(client, rereviewer_wu, case, "hearing_start", {"reason": "召开听证会"})
    clock.set(date(2025, 4, 11))
    case = post_ok(client, rereviewer_wu, case, "hearing_end")
    case = post_ok(client, rereviewer_wu, case, "rereview_reply", opinion)
    assert case.status == Status.FINAL and case.is_final
    page = client.get(reverse("case_detail", args=[case.code]))
    html = page.content.decode()
    for label in (
        "登记",
        "受理",
        "交办",
        "答复",
        "送达",
        "登记评价",
        "请求复查",
        "复查答复",
        "请求复核",
        "开始听证",
        "结束听证",
        "复核答复",
    ):
        assert f"<strong>{label}</strong>" in html
    assert html.count('data-testid="opinion"') == 3


def test_not_accept_divert_merge_and_transfer_close_or_move_a_registered_case(
    client, register_case, dispatcher_zhou, org
):
    a, b, c, d, live = (register_case() for _ in range(5))
    a = post_ok(
        client,
        dispatcher_zhou,
        a,
        "not_accept",
        {"reason_code": "not_petition", "reason": "非信访事项", "notice_method": "in_person"},
    )
    b = post_ok(
        client, dispatcher_zhou, b, "divert", {"target": "litigation", "guidance": "请向人民法院起诉"}
    )
    c = post_ok(client, dispatcher_zhou, c, "merge", {"into": live.code.lower(), "reason": "重复件"})
    d = post_ok(
        client, dispatcher_zhou, d, "transfer", {"to_office": org.city_office.pk, "reason": "属市级管辖"}
    )
    assert (a.status, b.status, c.status) == (Status.CLOSED,) * 3
    assert c.merged_into == live and d.office == org.city_office


def test_merge_into_an_unknown_code_is_a_field_error(client, register_case, dispatcher_zhou):
    case = register_case()
    response = act(client, dispatcher_zhou, case, "merge", {"into": "HY000000AAAAAA"})
    assert response.status_code == 400
    assert "没有找到该编号的事项" in response.content.decode()


def test_extension_objection_return_and_reassignment(
    client, register_case, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a, org
):
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = post_ok(client, dispatcher_zhou, case, "forward", {"unit": org.unit_a.pk, "instructions": ""})
    # once the unit has accepted (条例 §23¶3), a handler may not extend directly; the head may (§34)
    case = post_ok(client, handler_wang_unit_a, case, "accept_assignment", {"notice_method": "mail"})
    assert (
        act(client, handler_wang_unit_a, case, "extend", {"days": 10, "reason": "需现场勘验"}).status_code
        == 403
    )
    case = post_ok(client, head_sun_unit_a, case, "extend", {"days": 10, "reason": "需现场勘验"})
    assert case.extension_days == 10
    # another case: the unit objects before accepting; the office agrees and routes to unit B
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = post_ok(client, dispatcher_zhou, case, "forward", {"unit": org.unit_a.pk, "instructions": ""})
    case = post_ok(client, handler_wang_unit_a, case, "object", {"reason": "不属于本单位职责"})
    assert case.objection_pending
    case = post_ok(client, dispatcher_zhou, case, "return", {"reason": "同意"})
    assert case.status == Status.ACCEPTED and case.handling_unit is None
    deadline = (timeutil.today() + timedelta(days=30)).isoformat()
    case = post_ok(client, dispatcher_zhou, case, "assign", {"unit": org.unit_b.pk, "deadline": deadline})
    assert case.handling_unit == org.unit_b


def test_dismissing_an_objection_keeps_the_unit(
    client, register_case, dispatcher_zhou, handler_wang_unit_a, org
):
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    case = post_ok(client, handler_wang_unit_a, case, "object", {"reason": "不属于本单位职责"})
    case = post_ok(client, dispatcher_zhou, case, "dismiss_objection", {"reason": "属于住建职责"})
    assert not case.objection_pending and case.handling_unit == org.unit_a


def test_the_mediate_form_starts_a_linked_mediation_and_answers_nothing(
    client, register_case, dispatcher_zhou, handler_wang_unit_a, org
):
    # issue 13: 调解和解 no longer closes the case with typed agreement text (条例 §33: the agreement is
    # reached in a mediation, which then answers the petition; see mediation/tests/test_links.py)
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)  # 条例 §23¶3
    client.force_login(handler_wang_unit_a)
    form = client.get(reverse("case_action", args=[case.code, "mediate"])).content.decode()
    assert 'name="organ"' in form and 'name="agreement"' not in form
    case = post_ok(
        client,
        handler_wang_unit_a,
        case,
        "mediate",
        # an old client's agreement text is ignored: nothing is answered from it
        {"kind": "administrative", "organ": org.unit_a.pk, "respondents": "某物业公司",
         "agreement": "物业三日内维修", "facts_reasons": "双方协商一致"},
    )  # fmt: skip
    assert case.status == Status.IN_HANDLING and not case.opinions.exists()
    opened = case.events.get(event_type="mediation_opened")
    assert opened.data["organ"] == org.unit_a.name
    # the way on is the mediation's page, listed among the case's 关联事项
    page = client.get(reverse("case_detail", args=[case.code])).content.decode()
    assert f"/mediation/disputes/{opened.data['mediation']}/" in page


def test_the_mediate_form_refuses_a_bad_organ_with_a_400(
    client, register_case, dispatcher_zhou, handler_wang_unit_a, org
):
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)
    response = act(client, handler_wang_unit_a, case, "mediate", {"kind": "people", "organ": "999999"})
    assert response.status_code == 400
    assert refreshed(case).status == Status.IN_HANDLING and not refreshed(case).events.filter(
        event_type="mediation_opened"
    )


def test_reopen_after_dissatisfaction_with_a_supported_decision(
    client, register_case, dispatcher_zhou, handler_wang_unit_a, clerk_li, org
):
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_forward(case=case, actor=dispatcher_zhou, unit=org.unit_a)
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)  # 条例 §23¶3
    case = wf.case_reply(
        case=case, actor=handler_wang_unit_a, facts_reasons="属实", decision="support", legal_basis="条例"
    )
    case = wf.case_deliver(case=case, actor=clerk_li, method="in_person")
    case = wf.case_rate(case=case, actor=clerk_li, rating="dissatisfied", solved=False)
    case = post_ok(client, dispatcher_zhou, case, "reopen", {"reason": "支持意见未落实"})
    assert case.status == Status.IN_HANDLING


def test_case_page_query_count_is_bounded(
    client, register_case, dispatcher_zhou, django_assert_max_num_queries
):
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    client.force_login(dispatcher_zhou)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("case_detail", args=[case.code])).status_code == 200
