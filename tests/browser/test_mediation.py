"""Disputes and mediation in a real browser (issue 13): a grid worker on a phone files a screening item
in her village; the township assigns it with a person and a date; it becomes a 人民调解 case; two
sessions; a written agreement at village level; the follow-up records performance. And a 人民调解 that
fails goes to 行政调解 at a county department and ends there with an agreement at the county's level."""

from __future__ import annotations

from typing import Any

import pytest

from huiyin.analytics.services import rollup_days
from huiyin.core import timeutil
from huiyin.mediation.models import Mediation, ScreeningItem
from huiyin.mediation.tests.conftest import make_world
from huiyin.org.models import User

pytestmark = pytest.mark.browser


def sign_in_as(page: Any, login: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, "pw-" + username)


def _consent_all_and_start(page: Any) -> None:
    for i in range(page.get_by_test_id("party").count()):
        party = page.get_by_test_id("party").nth(i)
        party.locator("select[name=consent]").select_option("given")
        party.get_by_test_id("consent-save").click()
        page.wait_for_load_state()
    page.get_by_test_id("start").click()
    page.wait_for_load_state()


def _session(page: Any, place: str, record: str) -> None:
    form = page.get_by_test_id("session-form")
    form.locator("[name=place]").fill(place)
    form.locator("[name=attendees]").fill("王五、赵六、郑调解")
    form.locator("[name=record]").fill(record)
    form.get_by_role("button").click()
    page.wait_for_load_state()


def _written_agreement(page: Any, today: str) -> None:
    form = page.get_by_test_id("agree-form")
    form.locator("[name=form]").select_option("written")
    form.locator("[name=facts]").fill("两家承包地界桩被移动约一米")
    form.locator("[name=obligations]").fill("按原界桩位置恢复，赵六赔偿青苗损失300元")
    form.locator("[name=performance_terms]").fill("七日内恢复界桩并当面付清")
    form.locator("[name=follow_up_on]").fill(today)
    form.locator("[name=parties_signed]").check()
    form.locator("[name=sealed]").check()
    form.get_by_role("button").click()
    page.wait_for_load_state()


def _dashboard_row(page: Any, label: str) -> str:
    """The numerator shown on the dashboard's 主要指标 table for the metric called `label`."""
    row = page.get_by_test_id("table-metrics").locator("tr", has=page.locator("th", has_text=label))
    return row.locator("td").first.inner_text().strip()


def _fits_the_phone(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_grid_workers_item_is_mediated_in_the_village_and_followed_up(
    page, phone_page, live_url, login, org, handler_wang_unit_a
):
    w = make_world(org, handler_wang_unit_a)
    today = timeutil.today().isoformat()

    # a grid worker on her phone files a screening item in her village
    sign_in_as(phone_page, login, "grid_he")
    phone_page.goto(f"{live_url}/mediation/")
    assert phone_page.get_by_test_id("bench-title").inner_text() == "网格员工作台"
    assert _fits_the_phone(phone_page)
    phone_page.get_by_test_id("new-item").click()
    assert _fits_the_phone(phone_page)
    form = phone_page.get_by_test_id("item-form")
    form.locator("[name=territory]").select_option(label="柳林村第1网格")
    form.locator("[name=kind]").select_option("land")
    form.locator("[name=parties]").fill("王五、赵六")
    form.locator("[name=summary]").fill("承包地边界界桩被移动，两家争执")
    form.locator("[name=risk]").select_option("serious")
    form.get_by_role("button", name="登记").click()
    assert phone_page.get_by_test_id("item-status").inner_text() == "待交办"
    item = ScreeningItem.objects.get()
    assert item.territory == w.grid and item.reported_by == w.grid_worker

    # the township assigns it a responsible unit, person and date
    sign_in_as(page, login, "town_lu")
    page.goto(f"{live_url}/mediation/items/{item.pk}/")
    assign = page.get_by_test_id("assign-form")
    assign.locator("[name=unit]").select_option(label="柳林村民委员会")
    assign.locator("[name=person]").select_option(label="郑调解（柳林村民委员会）")
    assign.locator("[name=due_on]").fill(today)
    assign.get_by_role("button", name="交办").click()
    assert page.get_by_test_id("item-person").inner_text() == "郑调解"
    assert page.get_by_test_id("item-status").inner_text() == "化解中"

    # the mediator turns it into a 人民调解 case, both parties consent, two sessions, an agreement
    sign_in_as(page, login, "med_zheng")
    page.goto(f"{live_url}/mediation/items/{item.pk}/")
    page.get_by_test_id("to-mediation").click()
    page.get_by_test_id("mediation-state").wait_for()
    _consent_all_and_start(page)
    assert page.get_by_test_id("mediation-state").inner_text() == "调解中"
    _session(page, "村部调解室", "听取双方陈述")
    _session(page, "承包地现场", "现场核对界桩")
    assert page.get_by_test_id("session").count() == 2
    _written_agreement(page, today)
    assert page.get_by_test_id("mediation-state").inner_text() == "已达成协议"
    assert page.get_by_test_id("resolution-level").inner_text() == "村（社区）"
    assert page.get_by_test_id("docx").is_visible()

    # the grid worker follows it up on her phone: performed
    phone_page.goto(f"{live_url}/mediation/")
    assert _fits_the_phone(phone_page)
    phone_page.get_by_test_id("follow-ups").get_by_role("link").first.click()
    assert _fits_the_phone(phone_page)
    fu = phone_page.get_by_test_id("follow-up-form")
    fu.locator("[name=performance]").select_option("performed")
    fu.locator("[name=note]").fill("界桩已恢复，赔偿已付")
    fu.get_by_role("button").click()
    assert phone_page.get_by_test_id("performance").inner_text() == "已履行"
    m = Mediation.objects.get()
    item.refresh_from_db()
    assert (m.state, m.resolution_level, item.status) == ("performed", "village", "settled")

    # and the township's figures count it as resolved at village level
    page.goto(f"{live_url}/mediation/metrics/")
    levels = {
        row.locator("th").inner_text(): row.get_by_test_id("level-count").inner_text()
        for row in page.get_by_test_id("level-row").all()
    }
    assert levels == {"村（社区）": "1", "乡镇（街道）": "0", "县（区）": "0", "县级以上": "0"}

    # and the county's dashboard (the analytics registry, after the night's roll-up) counts it there too
    rollup_days(timeutil.today(), timeutil.today())
    User.objects.create_user(username="town_leader", password="pw-town_leader", full_name="镇党委书记",
                             unit=org.township_gov, role="leader")  # fmt: skip
    sign_in_as(page, login, "town_leader")
    page.goto(f"{live_url}/analytics/")
    assert _dashboard_row(page, "化解于村（社区）的纠纷数") == "1"
    assert _dashboard_row(page, "化解于乡镇（街道）的纠纷数") == "0"
    assert _dashboard_row(page, "调解协议履行率") == "1"


def test_a_failed_people_mediation_ends_with_an_agreement_at_a_county_department(
    page, live_url, login, org, handler_wang_unit_a
):
    w = make_world(org, handler_wang_unit_a)
    today = timeutil.today().isoformat()
    from huiyin.mediation import services

    item = services.item_report(actor=w.grid_worker, territory=w.grid, kind="property", summary="楼上漏水",
                                parties="王五、赵六", risk="ordinary")  # fmt: skip
    sign_in_as(page, login, "med_zheng")
    page.goto(f"{live_url}/mediation/items/{item.pk}/")
    page.get_by_test_id("to-mediation").click()
    page.get_by_test_id("mediation-state").wait_for()
    _consent_all_and_start(page)
    page.locator("summary", has_text="终止调解").click()
    term = page.get_by_test_id("terminate-form")
    term.locator("[name=reason]").fill("维修责任认定分歧大")
    term.get_by_role("button").click()
    assert page.get_by_test_id("mediation-state").inner_text() == "调解终止"
    hand = page.get_by_test_id("hand-off-form")
    hand.locator("[name=kind]").select_option("administrative")
    hand.locator("[name=organ]").select_option(label="示范县住房和城乡建设局")
    hand.get_by_role("button").click()
    page.wait_for_load_state()

    # the department takes it up: consent asked again, a session, an agreement
    sign_in_as(page, login, "handler_wang")
    nxt = Mediation.objects.get(kind="administrative")
    page.goto(f"{live_url}/mediation/cases/{nxt.pk}/")
    _consent_all_and_start(page)
    _session(page, "住建局调解室", "依规定认定维修责任")
    _written_agreement(page, today)
    assert page.get_by_test_id("resolution-level").inner_text() == "县（区）"
    steps = page.get_by_test_id("chain-step")
    assert steps.count() == 2
    assert [steps.nth(i).get_attribute("data-kind") for i in range(2)] == ["people", "administrative"]
    assert [steps.nth(i).get_attribute("data-state") for i in range(2)] == ["handed_off", "agreed"]

    # the dispute's whole chain on one page: the item, the failed 人民调解, the department's agreement
    page.get_by_test_id("dispute-link").click()
    chain = page.get_by_test_id("dispute-step")
    assert [chain.nth(i).get_attribute("data-step") for i in range(3)] == ["item", "mediation", "mediation"]
    assert page.get_by_test_id("dispute-level").inner_text() == "县（区）"
    m = Mediation.objects.get(kind="people")
    assert (m.resolution_level, nxt.organ.name) == ("", "示范县住房和城乡建设局")
    nxt.refresh_from_db()
    assert nxt.resolution_level == "county"  # the department's level, derived from its seat
