"""The competent organ's own clock in a real browser (条例 §23¶3, §34; issue 10): a unit receives a
交办, accepts it and tells the petitioner; the petitioner's timeline shows the unit's acceptance and the
60 days counted from that day; the handler asks for an extension and the unit head approves it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from huiyin.core import timeutil
from tests.browser.test_journeys import do, open_case, sign_in_as
from tests.browser.test_portal import submit_a_complaint

pytestmark = pytest.mark.browser


def track(page: Any, live_url: str, code: str, secret: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_url}/public/track/")
    page.fill("#id_code", code)
    page.fill("#id_factor", secret)
    page.get_by_test_id("track-submit").click()
    page.wait_for_url(f"**/public/cases/{code}/")


def test_a_unit_accepts_an_assignment_on_its_own_clock_and_its_head_approves_an_extension(
    page, live_url, login, org, dispatcher_zhou, handler_wang_unit_a, head_sun_unit_a
):
    today = timeutil.today()
    # given a petitioner submitted a complaint on the portal
    code, secret = submit_a_complaint(page, live_url, org)

    # when the petition office accepts it and assigns it to the housing bureau with a lawful deadline
    sign_in_as(page, login, "dispatcher_zhou")
    open_case(page, live_url, code)
    do(page, "accept", "受理")
    # (a deadline beyond the statutory 60 days is refused with its article, 条例 §34)
    page.click("[data-action=assign]")
    page.wait_for_selector("#action-panel [data-testid=action-form] form")
    page.select_option("#action-panel [name=unit]", str(org.unit_a.pk))
    page.fill("#action-panel [name=deadline]", (today + timedelta(days=61)).isoformat())
    page.click("#action-panel [data-testid=action-submit]")
    page.get_by_test_id("action-error").wait_for()
    assert "第三十四条" in page.get_by_test_id("action-error").inner_text()
    # the form keeps what was typed: a lawful deadline is accepted
    page.fill("[data-testid=action-form] [name=deadline]", (today + timedelta(days=30)).isoformat())
    page.click("[data-testid=action-submit]")
    page.wait_for_load_state()
    assert page.get_by_test_id("flash").first.inner_text().startswith("已交办")

    # then the unit's handler must accept before answering (条例 §23¶3): no answer button yet
    sign_in_as(page, login, "handler_wang")
    open_case(page, live_url, code)
    assert page.locator("[data-action=reply]").count() == 0
    assert page.locator("[data-action=extend]").count() == 0  # a handler asks, the head extends
    do(page, "accept_assignment", "受理并告知信访人", notice_method="electronic")
    assert "受理并告知信访人" in page.get_by_test_id("timeline").inner_text()

    # and the petitioner's timeline shows the unit's acceptance and the 60 days from that day
    due = today + timedelta(days=60)
    track(page, live_url, code, secret)
    timeline = page.get_by_test_id("timeline").inner_text()
    assert f"示范县住房和城乡建设局受理了您的信访事项，自{today.isoformat()}起60日内办结" in timeline
    assert f"办理期限至{due.isoformat()}" in timeline
    clocks = page.get_by_test_id("clocks").inner_text()
    assert "示范县住房和城乡建设局" in clocks and due.isoformat() in clocks

    # when the handler asks for 15 more days with a reason
    sign_in_as(page, login, "handler_wang")
    open_case(page, live_url, code)
    do(page, "request_extension", "申请延期", days="15", reason="需现场勘验并协调供电公司")
    assert page.locator("[data-action=approve_extension]").count() == 0  # not the handler's to decide

    # and the unit head approves it
    sign_in_as(page, login, "head_sun")
    open_case(page, live_url, code)
    page.click("[data-action=approve_extension]")
    page.wait_for_selector("#action-panel [data-testid=action-form] form")
    assert "申请延期15日" in page.locator("#action-panel").inner_text()  # the request, shown to the head
    page.click("#action-panel [data-testid=action-submit]")
    page.wait_for_load_state()
    assert page.get_by_test_id("flash").first.inner_text().startswith("已批准延期")

    # then the petitioner sees the extension, its reason and the new date (条例 §34)
    extended = due + timedelta(days=15)
    track(page, live_url, code, secret)
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "经批准延期15日" in timeline and extended.isoformat() in timeline
    assert "需现场勘验并协调供电公司" in timeline
    assert extended.isoformat() in page.get_by_test_id("clocks").inner_text()
