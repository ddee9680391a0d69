"""The citizen portal in a real browser on a phone-sized screen: submit → receipt → the offices
handle it (through the services) → the citizen reads the reply, rates it 不满意, asks for 复查 and
sees the new clock; a wrong second factor reveals nothing; axe-core finds no serious or critical
accessibility violations on the public pages."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from huiyin.cases.models import Case
from huiyin.core import timeutil
from huiyin.workflow import services as wf

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PUBLIC_PAGES = ["/public/", "/public/submit/", "/public/track/", "/public/channels/", "/public/procedure/",
                "/public/statistics/", "/public/replies/", "/public/account/"]  # fmt: skip


def submit_a_complaint(page: Any, live_url: str, org: Any) -> tuple[str, str]:
    page.goto(f"{live_url}/public/submit/")
    page.get_by_label("申诉求决（请求解决自身问题）").check()
    page.fill("#id_title", "村口路灯坏了三个月")
    page.fill("#id_content", "东城镇柳林村村口路灯坏了三个月，晚上出行不便。")
    page.fill("#id_request", "请尽快修好路灯")
    page.select_option("#id_territory", str(org.village.pk))
    page.fill("#id_address", "柳林村村口")
    page.fill("#id_name", "刘群众")
    page.fill("#id_phone", "13800001234")
    page.check("#id_truthful")
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/public/receipt/")
    return page.get_by_test_id("receipt-code").inner_text(), page.get_by_test_id(
        "receipt-secret"
    ).inner_text()


def handle_it(code: str, org: Any, dispatcher: Any, handler: Any, clerk: Any) -> None:
    """The offices' part, through the same services the staff screens call."""
    case = Case.objects.get(code=code)
    case = wf.case_accept(case=case, actor=dispatcher)
    case = wf.case_assign(
        case=case, actor=dispatcher, unit=org.unit_a, deadline=timeutil.today() + timedelta(days=20)
    )
    case = wf.case_accept_assignment(case=case, actor=handler)  # 条例 §23¶3
    case = wf.case_reply(
        case=case,
        actor=handler,
        facts_reasons="经现场核查，路灯线路老化，已安排更换。",
        decision="support",
        legal_basis="《城市照明管理规定》第二十条",
        completion_report="已更换路灯",
    )
    wf.case_deliver(case=case, actor=clerk, method="electronic")


def test_a_citizen_submits_tracks_rates_and_asks_for_review_on_a_phone(
    phone_page, live_url, org, dispatcher_zhou, handler_wang_unit_a, clerk_li
):
    page = phone_page
    code, secret = submit_a_complaint(page, live_url, org)
    assert code.startswith("HY") and len(secret) == 10

    handle_it(code, org, dispatcher_zhou, handler_wang_unit_a, clerk_li)

    # a wrong second factor reveals nothing about the case
    page.context.clear_cookies()
    page.goto(f"{live_url}/public/track/")
    page.fill("#id_code", code)
    page.fill("#id_factor", "ABCDEFGHJK")
    page.get_by_test_id("track-submit").click()
    assert page.get_by_test_id("track-failed").is_visible()
    assert "路灯" not in page.content() and "住房和城乡建设局" not in page.content()
    page.goto(f"{live_url}/public/cases/{code}/")
    assert "/public/track/" in page.url

    # the right one opens the case page
    page.fill("#id_code", code)
    page.fill("#id_factor", secret)
    page.get_by_test_id("track-submit").click()
    page.wait_for_url(f"**/public/cases/{code}/")
    assert page.get_by_test_id("case-status").inner_text() == "已答复"
    assert "交示范县住房和城乡建设局办理" in page.get_by_test_id("timeline").inner_text()

    # the citizen reads the reply
    page.get_by_test_id("read-opinion").click()
    assert "路灯线路老化" in page.get_by_test_id("opinion-document").inner_text()
    page.go_back()

    # rates it 不满意, problem not solved
    page.get_by_label("不满意").check()
    page.get_by_label("未解决").check()
    page.get_by_test_id("rate-submit").click()
    assert "已提交评价" in page.get_by_test_id("flash").inner_text()

    # asks for 复查 within the window, whose due date is shown, and sees the new clock
    assert "前向原办理机关的上一级机关请求复查" in page.get_by_test_id("window-due").inner_text()
    page.fill("#id_reason", "路灯仍未修好")
    page.get_by_test_id("review-submit").click()
    assert "已提交复查请求" in page.get_by_test_id("flash").inner_text()
    assert page.get_by_test_id("case-status").inner_text() == "复查中"
    clocks = page.get_by_test_id("clocks").inner_text()
    due = (timeutil.today() + timedelta(days=30)).isoformat()
    assert "复查（30日）" in clocks and "示范县人民政府" in clocks and due in clocks

    # it fits the phone: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_public_pages_have_no_serious_accessibility_violations(browser, live_url, org):
    # axe is injected as an inline script, which the site's CSP (rightly) forbids: bypass it here only
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    problems = {}
    for path in PUBLIC_PAGES:
        page.goto(f"{live_url}{path}")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[path] = serious
    context.close()
    assert problems == {}
