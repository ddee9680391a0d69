"""The main journeys through the staff workbench in a real browser (Chromium via Playwright).

(a) a collective visit from the window to the final 复核 answer, every step through the UI;
(b) the other routes out of registration: not accepted, diverted, merged, and an objection that
    sends a case back and on to another unit (the extension walk: test_unit_acceptance.py).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from docx import Document

from huiyin.core import timeutil

pytestmark = pytest.mark.browser

IDS = ["11010519491231002X", "110105194912310134", "110105194912310230", "110105194912310337",
       "110105194912310433", "11010519491231053X"]  # fmt: skip


# a 交办 deadline within the statutory 60 days (条例 §34); later ones are refused
LAWFUL = (timeutil.today() + timedelta(days=30)).isoformat()


def sign_in_as(page: Any, login: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, "pw-" + username)


def open_case(page: Any, live_url: str, code: str) -> None:
    page.goto(f"{live_url}/cases/{code}/")
    assert page.get_by_test_id("case-code").inner_text() == code


def fill_field(page: Any, scope: str, name: str, value: str) -> None:
    field = page.locator(f"{scope} [name={name}]").first
    kind = field.evaluate("e => e.tagName === 'INPUT' ? e.type : e.tagName")
    if kind == "SELECT":
        field.select_option(value)
    elif kind == "radio":
        page.locator(f"{scope} [name={name}][value={value}]").check()
    elif kind == "checkbox":
        field.set_checked(bool(value))
    else:
        field.fill(value)


def do(page: Any, action: str, label: str, **fields: str) -> None:
    """Click the action's button on the case page, fill its htmx-loaded form, and submit it."""
    page.click(f"[data-action={action}]")
    page.wait_for_selector("#action-panel [data-testid=action-form] form")
    for name, value in fields.items():
        fill_field(page, "#action-panel", name, value)
    page.click("#action-panel [data-testid=action-submit]")
    page.wait_for_load_state()
    flash = page.get_by_test_id("flash").first
    assert flash.inner_text().startswith(f"已{label}"), page.content()[:2000]


def status(page: Any) -> str:
    return page.get_by_test_id("case-status").inner_text()


def test_journey_a_collective_visit_to_the_final_rereview_answer(
    page, live_url, login, org, clerk_li, dispatcher_zhou, handler_wang_unit_a, reviewer_qian, rereviewer_wu
):
    # --- the clerk registers a collective visit with six representatives: a clear refusal ---
    sign_in_as(page, login, "clerk_li")
    page.goto(f"{live_url}/cases/new/")
    page.select_option("#id_channel", "visit")
    page.select_option("#id_petition_type", "complaint")
    page.fill("#id_title", "安置房屋顶漏水集体反映")
    page.fill("#id_content", "东城镇安置小区屋顶漏水两年，多次反映无果。")
    page.fill("#id_request", "请尽快维修屋顶")
    page.check("#id_is_collective")
    page.fill("#id_headcount", "30")
    for _ in range(5):
        page.get_by_test_id("add-petitioner").click()
    for i in range(6):
        page.fill(f"#id_p-{i}-name", f"代表{i + 1}")
        page.fill(f"#id_p-{i}-id_number", IDS[i])
        page.check(f"#id_p-{i}-is_representative")
    page.get_by_test_id("register").click()
    error = page.get_by_test_id("form-error")
    assert "代表不得超过5人" in error.inner_text()
    assert page.input_value("#id_p-5-name") == "代表6"  # nothing typed is lost
    assert page.input_value("#id_title") == "安置房屋顶漏水集体反映"

    # --- with five representatives it is registered, with a receipt ---
    page.uncheck("#id_p-5-is_representative")
    page.get_by_test_id("register").click()
    page.wait_for_url(re.compile(r"/cases/HY[0-9A-Z]+/$"))
    code = page.get_by_test_id("case-code").inner_text()
    assert f"受理凭证编号：{code}" in page.get_by_test_id("flash").inner_text()
    page.get_by_test_id("receipt-link").click()
    assert page.get_by_test_id("receipt-code").inner_text() == code

    # --- the dispatcher accepts and assigns (交办) to unit A with a deadline ---
    sign_in_as(page, login, "dispatcher_zhou")
    open_case(page, live_url, code)
    do(page, "accept", "受理")
    assert status(page) == "已受理"
    do(page, "assign", "交办", unit=str(org.unit_a.pk), deadline=LAWFUL, instructions="限期维修并报告")
    assert status(page) == "办理中"

    # --- unit A's handler finds it in the unit's queue, accepts it (条例 §23¶3) and replies ---
    sign_in_as(page, login, "handler_wang")
    page.get_by_test_id("tab-my_unit").click()
    page.get_by_role("link", name=code).click()
    do(page, "accept_assignment", "受理并告知信访人", notice_method="electronic")
    do(
        page,
        "reply",
        "答复",
        facts_reasons="经查，屋顶防水层老化，已安排维修。",
        decision="support",
        legal_basis="《物业管理条例》第三十五条",
        completion_report="已完成屋顶维修。",
    )
    assert status(page) == "已答复"
    with page.expect_download() as info:
        page.get_by_test_id("opinion-docx").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    text = "\n".join(p.text for p in Document(str(download.path())).paragraphs)
    assert "信访处理意见书" in text and "已安排维修" in text and "请求复查" in text

    # --- the clerk records delivery and a 不满意 rating, then the 复查 request ---
    sign_in_as(page, login, "clerk_li")
    open_case(page, live_url, code)
    do(page, "deliver", "送达", method="in_person")
    do(page, "rate", "登记评价", rating="dissatisfied", solved="no", comment="维修不彻底")
    do(page, "request_review", "请求复查", reason="维修后仍漏水")
    assert status(page) == "复查中"

    # --- the county government answers the review; the clerk delivers it and asks for 复核 ---
    sign_in_as(page, login, "reviewer_qian")
    open_case(page, live_url, code)
    do(
        page,
        "review_reply",
        "复查答复",
        facts_reasons="复查维持原处理意见。",
        decision="support",
        legal_basis="《信访工作条例》第三十五条",
    )
    sign_in_as(page, login, "clerk_li")
    open_case(page, live_url, code)
    do(page, "deliver", "送达", method="mail")
    do(page, "request_rereview", "请求复核", reason="仍不服")
    assert status(page) == "复核中"

    # --- the city government holds a hearing and gives the final answer ---
    sign_in_as(page, login, "rereviewer_wu")
    open_case(page, live_url, code)
    do(page, "hearing_start", "开始听证", reason="召开听证会")
    assert page.locator("[data-testid=clocks] [data-colour=paused]").count() == 1
    do(page, "hearing_end", "结束听证")
    do(
        page,
        "rereview_reply",
        "复核答复",
        facts_reasons="复核维持。",
        decision="support",
        legal_basis="《信访工作条例》第三十六条",
    )
    assert status(page) == "复核终结"
    events = page.locator("[data-testid=timeline] li").evaluate_all("els => els.map(e => e.dataset.event)")
    assert events == [
        "register", "accept", "assign", "accept_assignment", "reply", "deliver", "rate", "request_review",
        "review_reply", "deliver", "request_rereview", "hearing_start", "hearing_end", "rereview_reply",
    ]  # fmt: skip
    assert page.locator("[data-testid=opinion]").count() == 3


def test_journey_b_not_accepted_diverted_merged_and_rerouted(
    page, live_url, login, org, register_case, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a,
    handler_zhao_unit_b,
):  # fmt: skip
    refused, diverted, duplicate, live = (register_case(title=f"事项{i}") for i in range(4))
    sign_in_as(page, login, "dispatcher_zhou")
    assert page.get_by_test_id("count-to_route").inner_text() == "4"

    open_case(page, live_url, refused.code)
    do(
        page,
        "not_accept",
        "不予受理",
        reason_code="not_petition",
        reason="属于咨询，不是信访事项",
        notice_method="in_person",
    )
    assert status(page) == "已办结"

    open_case(page, live_url, diverted.code)
    do(page, "divert", "分流至法定途径", target="litigation", guidance="请依法向人民法院提起诉讼")
    assert status(page) == "已办结"

    open_case(page, live_url, duplicate.code)
    do(page, "merge", "合并重复件", into=live.code, reason="同一事项重复反映")
    assert status(page) == "已办结"
    page.get_by_role("link", name=live.code).first.click()
    assert duplicate.code in page.content()  # the live case lists its merged duplicate

    do(page, "accept", "受理")
    do(page, "assign", "交办", unit=str(org.unit_a.pk), deadline=LAWFUL)

    # the handler objects before accepting (条例 §23¶3); the office agrees, the case goes to unit B
    # (the extension is walked in test_unit_acceptance.py: it needs the unit's acceptance first)
    sign_in_as(page, login, "handler_wang")
    open_case(page, live_url, live.code)
    assert page.locator("[data-action=extend]").count() == 0
    do(page, "object", "提出异议", reason="该事项属民政职责，不属本单位")
    sign_in_as(page, login, "dispatcher_zhou")
    open_case(page, live_url, live.code)
    do(page, "return", "同意异议并退回")
    assert status(page) == "已受理"
    do(page, "assign", "交办", unit=str(org.unit_b.pk), deadline=LAWFUL)
    assert "示范县民政局" in page.content()

    # unit B now has it; unit A no longer sees it
    sign_in_as(page, login, "handler_zhao")
    page.get_by_test_id("tab-my_unit").click()
    assert page.get_by_role("link", name=live.code).is_visible()
    sign_in_as(page, login, "handler_wang")
    response = page.goto(f"{live_url}/cases/{live.code}/")
    assert response is not None and response.status == 404


def test_the_workbench_and_a_case_fit_a_phone(phone_page, live_url, login, register_case, dispatcher_zhou):
    case = register_case()
    sign_in_as(phone_page, login, "dispatcher_zhou")
    overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert phone_page.evaluate(overflow) <= 0
    open_case(phone_page, live_url, case.code)
    assert phone_page.evaluate(overflow) <= 0
    phone_page.click("[data-action=accept]")
    phone_page.wait_for_selector("#action-panel [data-testid=action-submit]", state="visible")
    assert phone_page.evaluate(overflow) <= 0
