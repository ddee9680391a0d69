"""Smart assist in a real browser: while a clerk types a message, the intake form suggests the category
(with the unit the matrix derives) and the territory; one click fills each field, and the clerk still
decides and submits."""

from __future__ import annotations

import re

import pytest

from huiyin.cases.models import Case

pytestmark = pytest.mark.browser


def test_the_clerk_fills_category_and_territory_from_the_suggestions_with_one_click(
    page, live_url, login, org, clerk_li
):
    login(page, "clerk_li", "pw-clerk_li")
    page.goto(f"{live_url}/cases/new/")
    page.fill("#id_title", "小区物业不作为，楼道漏水无人维修")
    page.fill(
        "#id_content",
        "我家住在柳林村安置小区3栋，楼道漏水半年，房屋墙体发霉，多次找物业和开发商维修都没有结果，"
        "物业费照收不误，请住建部门督促物业履行维修义务。",
    )
    page.fill("#id_address", "东城镇柳林村安置小区3栋")

    # the suggestions arrive without leaving the page: the likely category first, with its unit
    first = page.get_by_test_id("category-hint").first
    first.wait_for()
    assert first.get_attribute("data-label") == "城乡建设"
    assert "%" in first.inner_text()
    assert page.get_by_test_id("assist-territory").inner_text().startswith("柳林村")

    # one click copies the suggested leaf into the category field, one the territory
    fill = first.get_by_test_id("assist-fill-category")
    wanted = fill.get_attribute("data-value")
    fill.click()
    assert page.input_value("#id_category") == wanted
    page.get_by_test_id("assist-fill-territory").click()
    assert page.input_value("#id_territory") == str(org.village.pk)
    # the panel refreshes and shows the category as chosen
    page.get_by_test_id("category-hint").first.get_by_text("已选").wait_for()

    # the clerk adds the petitioner and registers: the case has what the clerk accepted
    page.fill("#id_p-0-name", "刘群众")
    page.fill("#id_p-0-id_number", "11010519491231002X")
    page.fill("#id_p-0-phone", "13800001234")
    page.get_by_test_id("register").click()
    page.wait_for_url(re.compile(r"/cases/HY[0-9A-Z]+/$"))
    case = Case.objects.get(code=page.get_by_test_id("case-code").inner_text())
    assert (str(case.category_id), case.territory_id) == (wanted, org.village.pk)
    assert case.category.full_name.startswith("城乡建设")
