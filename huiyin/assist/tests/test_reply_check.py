"""The reply editor's quality check: warnings (never blocks) about the draft 意见书 and its timing."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huiyin.assist.tests.conftest import LEAK
from huiyin.cases.choices import Status
from huiyin.workflow import services as wf
from huiyin.workflow.tests.drive import drive_to

pytestmark = pytest.mark.django_db

GOOD = {
    "request_summary": "请督促物业维修楼道漏水",
    "facts_reasons": "经调查核实，幸福小区3栋楼道漏水属实，系屋面防水层老化所致。已责令物业公司于两周内维修楼道漏水部位。",
    "decision": "support",
    "legal_basis": "依据《物业管理条例》第三十五条的规定，物业服务企业应当按照物业服务合同的约定提供相应的服务。",
    "review_route": "如对本处理意见不服，可自收到之日起30日内向示范县人民政府请求复查。",
}


@pytest.fixture
def in_handling(register_case, cast_all, clock):
    clock.set(date(2025, 3, 3))
    case = drive_to(register_case(title="小区楼道漏水物业不维修", content=LEAK), Status.IN_HANDLING, cast_all)
    return wf.case_accept_assignment(case=case, actor=cast_all.person("handler"))  # 条例 §23¶3, §34


def check(client, case, action="reply", **draft):
    return client.post(
        reverse("assist_reply_check", args=[case.code]) + f"?action={action}", draft
    ).content.decode()


def test_the_reply_editor_carries_the_check_and_other_actions_do_not(client, head_sun_unit_a, in_handling):
    client.force_login(head_sun_unit_a)
    url = reverse("case_action", args=[in_handling.code, "reply"])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="reply-check"' in html
    assert reverse("assist_reply_check", args=[in_handling.code]) in html
    html = client.get(
        reverse("case_action", args=[in_handling.code, "extend"]), headers={"HX-Request": "true"}
    )
    assert 'data-testid="reply-check"' not in html.content.decode()


def test_a_complete_reply_draws_no_warning(client, handler_wang_unit_a, in_handling):
    client.force_login(handler_wang_unit_a)
    html = check(client, in_handling, **GOOD)
    assert 'data-testid="reply-ok"' in html and 'data-testid="reply-warnings"' not in html


def test_a_thin_reply_is_warned_about_basis_and_relevance_but_not_blocked(
    client, handler_wang_unit_a, in_handling
):
    client.force_login(handler_wang_unit_a)
    html = check(
        client,
        in_handling,
        facts_reasons="您好，已收悉，感谢您对我们工作的支持。",
        decision="explain",
        legal_basis="无",
    )
    assert 'data-testid="reply-warnings"' in html
    assert "未写明依据" in html and "关联度低" in html and "过短" in html
    assert "未写明调查核实情况或处理意见" not in html  # the decision is a chosen field


def test_a_blank_review_route_is_filled_by_the_default_and_said_so(client, handler_wang_unit_a, in_handling):
    client.force_login(handler_wang_unit_a)
    html = check(client, in_handling, **{**GOOD, "review_route": ""})
    assert "默认告知内容" in html and "未告知复查" not in html


def test_the_check_counts_the_days_since_acceptance_and_warns_when_late(
    client, handler_wang_unit_a, in_handling, clock
):
    client.force_login(handler_wang_unit_a)
    assert "第 0 日" in check(client, in_handling, **GOOD)
    clock.set(date(2025, 5, 20))  # 78 days after acceptance on 3 March
    html = check(client, in_handling, **GOOD)
    assert "第 78 日" in html and "已超期" in html and "超过" in html


def test_an_empty_draft_asks_for_content_first(client, handler_wang_unit_a, in_handling):
    client.force_login(handler_wang_unit_a)
    assert "请先填写" in client.get(reverse("assist_reply_check", args=[in_handling.code])).content.decode()


def test_the_rereview_answer_is_not_asked_for_a_further_route(
    client, rereviewer_wu, register_case, cast_all, clock
):
    clock.set(date(2025, 1, 6))
    case = drive_to(
        register_case(title="小区楼道漏水物业不维修", content=LEAK), Status.UNDER_REREVIEW, cast_all
    )
    client.force_login(rereviewer_wu)
    html = check(client, case, action="rereview_reply", **{**GOOD, "review_route": ""})
    assert "复查" not in html.split("第", 1)[0] or "未告知复查" not in html
    assert "未告知复查" not in html and "收到复核请求" in html
