# ruff: noqa: F811  (the outreach fixtures are imported into this module and used as arguments)
"""Outreach in a real browser. A cadre on a phone writes a 民情日记 in a paired village (the draft
survives a reload, as after a lost connection), turns one problem into a case with the person's
consent, and the township petition office finds it in its queue. A unit publishes a promise, a
handler reports progress, the head declares it kept, and a citizen signed in by phone rates it on the
portal. The public pages name no citizen and axe-core finds no serious accessibility violation."""

from __future__ import annotations

import types
from datetime import timedelta
from pathlib import Path

import pytest

from huiyin.core import timeutil
from huiyin.outreach.models import Commitment, CommitmentRating, Problem
from huiyin.outreach.tests.conftest import (  # noqa: F401  (fixtures)
    grid_ma,
    pairing,
    township_dispatcher,
    township_office,
    village_committee,
    village_point,
)

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"  # vendored for tests only


def test_a_cadre_on_a_phone_records_a_visit_and_turns_a_problem_into_a_case_for_the_township(
    phone_page,
    live_url,
    login,
    org,
    pairing,
    township_office,
    township_dispatcher,
):
    page = phone_page
    login(page, "grid_ma", "pw-grid_ma")
    page.goto(f"{live_url}/outreach/diary/new/")
    page.select_option("#id_pairing", str(pairing.pk))
    page.fill("#id_place", "柳林村3组张家")
    page.fill("#id_people_met", "张大爷一家")
    page.fill("#id_heard", "反映村口道路塌陷，雨天无法通行")
    page.fill("#id_problems", "村口道路塌陷需修复\n路灯不亮")
    # the connection drops and the page is reloaded: the draft is still there
    page.reload()
    page.get_by_test_id("draft-note").wait_for()
    assert page.input_value("#id_heard") == "反映村口道路塌陷，雨天无法通行"
    assert page.input_value("#id_problems") == "村口道路塌陷需修复\n路灯不亮"
    # it fits the phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("button", name="保存民情日记").click()
    page.wait_for_url("**/outreach/diary/*/?saved=1")
    assert page.get_by_test_id("problem").count() == 2
    # saved: the draft is gone, a new form starts empty
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('huiyin.diary')).length") == 0

    first = page.get_by_test_id("problem").first
    first.get_by_text("转为信访事项（变上访为下访）").click()
    form = first.get_by_test_id("case-form")
    form.get_by_label("反映人姓名").fill("张大爷")
    form.get_by_label("本人同意将此问题登记为信访事项").check()
    form.get_by_label("同意的方式").fill("当面口头同意，并在走访记录上签字")
    form.get_by_role("button", name="登记为信访事项").click()
    page.get_by_test_id("flash").wait_for()
    problem = Problem.objects.get(text="村口道路塌陷需修复")
    assert problem.case is not None and problem.case.office == township_office
    assert problem.case.code in page.get_by_test_id("flash").inner_text()
    assert page.get_by_test_id("problem-state").first.inner_text() == "已转为信访事项"

    # the township's dispatcher finds it waiting to be routed
    page.context.clear_cookies()
    login(page, "town_disp", "pw-town_disp")
    codes = [r.inner_text() for r in page.locator("#queue-panel [data-testid=case-row] .case-code").all()]
    assert problem.case.code in codes
    # the case page links the diary entry it was found on (关联事项), without the people met
    page.goto(f"{live_url}/cases/{problem.case.code}/")
    links = page.get_by_test_id("module-links")
    assert "张大爷一家" not in links.inner_text()
    links.get_by_role("link", name="民情日记：柳林村·柳林村").click()
    page.wait_for_url(f"**/outreach/diary/{problem.entry_id}/")


def test_a_commitment_is_published_updated_kept_and_rated_by_a_citizen(
    page, browser, live_url, login, org, head_sun_unit_a, handler_wang_unit_a, monkeypatch
):
    login(page, "head_sun", "pw-head_sun")
    page.goto(f"{live_url}/outreach/commitments/new/")
    page.fill("#id_title", "修复柳林村村口道路")
    page.fill("#id_beneficiaries", "柳林村村民")
    page.fill("#id_measure", "道路修复并恢复通行")
    page.fill("#id_due_on", (timeutil.today() + timedelta(days=30)).isoformat())
    page.select_option("#id_territory", label="东城镇")
    page.get_by_role("button", name="公开发布").click()
    page.wait_for_url("**/outreach/commitments/*/")
    c = Commitment.objects.get()

    page.context.clear_cookies()
    login(page, "handler_wang", "pw-handler_wang")
    page.goto(f"{live_url}/outreach/commitments/{c.pk}/")
    page.select_option("#id_action", "progress")
    page.fill("#id_text", "路基已完成，正在铺设路面")
    page.fill("#id_progress", "60")
    page.get_by_role("button", name="公开更新").click()
    page.get_by_test_id("flash").wait_for()

    page.context.clear_cookies()
    login(page, "head_sun", "pw-head_sun")
    page.goto(f"{live_url}/outreach/commitments/{c.pk}/")
    page.select_option("#id_action", "fulfil")
    page.fill("#id_text", "道路已修复通车，经村民代表验收")
    page.fill("#id_progress", "100")
    page.get_by_role("button", name="公开更新").click()
    page.get_by_test_id("flash").wait_for()
    assert page.get_by_test_id("status").inner_text().startswith("已兑现")

    # a citizen on a phone, signed in by a one-time code to their phone, rates it once
    import huiyin.portal.services as portal_services

    monkeypatch.setattr(
        portal_services,
        "secrets",
        types.SimpleNamespace(randbelow=lambda n: 246810, choice=portal_services.secrets.choice),
    )
    citizen = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = citizen.new_page()
    phone.goto(f"{live_url}/public/commitments/")
    phone.get_by_role("link", name="修复柳林村村口道路").click()
    assert "路基已完成" in phone.get_by_test_id("updates").inner_text()
    phone.get_by_role("link", name="用手机号码验证登录").click()
    phone.fill("input[name=address]", "13800001234")
    phone.locator("form button[type=submit]").first.click()
    phone.wait_for_url("**/account/code/")
    phone.fill("input[name=code]", "246810")
    phone.locator("form button[type=submit]").first.click()
    phone.wait_for_url("**/public/account/")
    phone.goto(f"{live_url}/public/commitments/{c.pk}/")
    phone.get_by_label("已兑现").check()
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="提交评价").click()
    phone.get_by_test_id("rated").wait_for()
    assert "1 人评价" in phone.get_by_test_id("rating-summary").inner_text()
    assert CommitmentRating.objects.count() == 1
    citizen.close()


def test_outreach_pages_are_anonymised_and_accessible(
    browser,
    live_url,
    org,
    pairing,
    grid_ma,
    head_sun_unit_a,
):
    from huiyin.outreach import services

    services.diary_entry_create(
        data=services.EntryIn(
            point=pairing.point,
            pairing=pairing,
            visited_on=timeutil.today(),
            place="柳林村",
            people_met="张大爷一家",
            heard="道路塌陷",
            problems=["道路塌陷"],
        ),
        actor=grid_ma,
    )
    c = services.commitment_publish(
        data=services.CommitmentIn(
            "修复道路", "村民", "通车", timeutil.today() + timedelta(days=9), org.township
        ),
        actor=head_sun_unit_a,
    )
    k = services.consultation_publish(
        title="安置区选址",
        draft="草案",
        territory=org.township,
        opens_on=timeutil.today(),
        closes_on=timeutil.today() + timedelta(days=9),
        actor=head_sun_unit_a,
    )
    services.consultation_comment(consultation=k, contact="13800000009", text="建议", public_name="")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    problems = {}
    for path in [
        "/public/commitments/",
        f"/public/commitments/{c.pk}/",
        "/public/projects/",
        "/public/consultations/",
        f"/public/consultations/{k.pk}/",
    ]:
        page.goto(f"{live_url}{path}")
        assert "张大爷" not in page.content()
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[path] = serious
    # and the cadre's own phone form, signed in
    page.goto(f"{live_url}/login/")
    page.fill("input[name=username]", "grid_ma")
    page.fill("input[name=password]", "pw-grid_ma")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    for path in [
        "/outreach/diary/new/",
        "/outreach/",
        "/outreach/coverage/",
        "/outreach/meetings/",
        "/outreach/projects/",
    ]:
        page.goto(f"{live_url}{path}")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[path] = serious
    # keyboard: the diary form's fields are reached with Tab in order, starting from the pairing
    page.goto(f"{live_url}/outreach/diary/new/")
    page.focus("#id_pairing")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_visited_on"
    context.close()
    assert problems == {}


def test_a_consultation_receives_a_comment_and_publishes_its_response(
    page, browser, live_url, login, org, head_sun_unit_a, monkeypatch
):
    import huiyin.portal.services as portal_services
    from huiyin.outreach import services

    k = services.consultation_publish(
        title="柳林村集中安置区选址方案",
        draft="拟在村东荒地建设集中安置区",
        territory=org.township,
        opens_on=timeutil.today(),
        closes_on=timeutil.today() + timedelta(days=20),
        actor=head_sun_unit_a,
    )
    monkeypatch.setattr(
        portal_services,
        "secrets",
        types.SimpleNamespace(randbelow=lambda n: 135790, choice=portal_services.secrets.choice),
    )
    citizen = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = citizen.new_page()
    phone.goto(f"{live_url}/public/account/")
    phone.fill("input[name=address]", "13800005678")
    phone.locator("form button[type=submit]").first.click()
    phone.wait_for_url("**/account/code/")
    phone.fill("input[name=code]", "135790")
    phone.locator("form button[type=submit]").first.click()
    phone.wait_for_url("**/public/account/")
    phone.goto(f"{live_url}/public/consultations/")
    phone.get_by_role("link", name="柳林村集中安置区选址方案").click()
    phone.get_by_label("您的意见").fill("安置区离河太近，建议再论证")
    phone.get_by_role("button", name="提交意见").click()
    phone.get_by_test_id("flash").wait_for()
    assert "匿名" in phone.get_by_test_id("comments").inner_text()

    login(page, "head_sun", "pw-head_sun")
    page.goto(f"{live_url}/outreach/consultations/{k.pk}/")
    comment = page.get_by_test_id("comment").first
    comment.get_by_label("采纳情况").select_option("partly")
    comment.get_by_label("理由").fill("已委托水利部门复核防洪标准，选址东移200米")
    comment.get_by_role("button", name="公开答复").click()
    page.get_by_test_id("flash").wait_for()

    phone.reload()
    assert "部分采纳：已委托水利部门复核防洪标准" in phone.get_by_test_id("comment-response").inner_text()
    citizen.close()
