"""Inboxes in a real browser: a handler's workbench queues (own unit, 协办) and a leader's inbox (包案,
leader-mailbox letters), each row with its clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from huiyin.core import timeutil
from huiyin.org.models import User
from huiyin.workflow import services as wf

pytestmark = pytest.mark.browser


def sign_in_as(page: Any, login: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, "pw-" + username)


def rows(page: Any, scope: str) -> dict[str, Any]:
    """Case code → its row, in the table inside `scope`."""
    found = {}
    for row in page.locator(f"{scope} [data-testid=case-row]").all():
        found[row.locator(".case-code").inner_text()] = row
    return found


def test_a_handlers_and_a_leaders_inbox_show_the_right_cases_with_their_clocks(
    page, live_url, login, org, register_case, dispatcher_zhou, handler_wang_unit_a, handler_zhao_unit_b
):
    # given a joint case led by unit A with unit B co-handling, owned by the county leader
    leader = User.objects.create_user(
        username="leader_ma", password="pw-leader_ma", full_name="马县长", unit=org.county_gov, role="leader"
    )
    today = timeutil.today()
    joint = wf.case_accept(case=register_case(title="安置小区屋顶漏水"), actor=dispatcher_zhou)
    joint = wf.case_assign(
        case=joint,
        actor=dispatcher_zhou,
        unit=org.unit_a,
        deadline=today + timedelta(days=20),
        co_units=[org.unit_b],
    )
    wf.case_attach_leader(case=joint, actor=dispatcher_zhou, leader=leader)
    # and a case that is unit B's alone, and a letter to the leader mailbox
    b_only = wf.case_accept(case=register_case(title="低保资格复核"), actor=dispatcher_zhou)
    b_only = wf.case_forward(case=b_only, actor=dispatcher_zhou, unit=org.unit_b)
    letter = register_case(title="给县长的一封信", channel="mailbox")

    # --- unit A's handler: the joint case in the unit's queue, with a running (green) clock ---
    sign_in_as(page, login, "handler_wang")
    mine = rows(page, "#queue-panel")
    assert list(mine) == [joint.code]
    clock = mine[joint.code].get_by_test_id("clock")
    assert clock.get_attribute("data-colour") == "green" and clock.inner_text().startswith("剩")
    # and the 交办 reached them as a work notice: the badge (loaded after the page), the list, the case
    page.get_by_test_id("notice-badge").wait_for()
    assert page.get_by_test_id("notice-badge").inner_text().startswith("1")
    page.get_by_test_id("notice-bell").click()
    page.wait_for_url(f"{live_url}/notices/")
    notice = page.get_by_test_id("notice")
    assert notice.count() == 1 and joint.code in notice.inner_text()
    notice.get_by_role("link").click()
    page.wait_for_url(f"{live_url}/cases/{joint.code}/")
    page.wait_for_load_state("networkidle")  # the badge request has answered
    assert page.get_by_test_id("notice-badge").count() == 0  # read now

    # --- unit B's handler: its own case under 本单位在办, the joint case under 协办 ---
    sign_in_as(page, login, "handler_zhao")
    assert list(rows(page, "#queue-panel")) == [b_only.code]
    assert page.get_by_test_id("count-co_handling").inner_text() == "1"
    page.get_by_test_id("tab-co_handling").click()
    page.wait_for_selector("#tab-co_handling.active")
    co = rows(page, "#queue-panel")
    assert list(co) == [joint.code]
    assert co[joint.code].get_by_test_id("clock").inner_text().startswith("剩")

    # --- the leader: 包案 case with its clock, the mailbox letter, nothing else ---
    sign_in_as(page, login, "leader_ma")
    page.get_by_test_id("notice-badge").wait_for()  # told of the 包案
    page.get_by_test_id("link-leader-inbox").click()
    page.wait_for_url(f"{live_url}/leader/")
    owned = rows(page, "[data-testid=inbox-owned]")
    assert list(owned) == [joint.code]
    assert owned[joint.code].get_by_test_id("clock").get_attribute("data-colour") == "green"
    assert list(rows(page, "[data-testid=inbox-mailbox]")) == [letter.code]
    assert page.get_by_test_id("count-awaiting").inner_text() == "0"
    assert b_only.code not in page.content()
