"""WCAG 2.1 AA, checked with axe-core (vendored in tests/browser/vendor/, docs/vendor.md) over signed-in
staff pages and the portal (issue 10 item 11): no violation at all, colour contrast ≥ 4.5:1 included
(the top navigation, the yellow deadline clock, the user's unit and role, unread notices, the logout
button)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from huiyin.workflow import services as wf

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1366, "height": 900}


def violations(page: Any) -> list[tuple[str, list[Any]]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now: (rule, first offending nodes)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_AA,
    )
    return [
        (
            v["id"],
            [(n["target"], " ".join(n.get("failureSummary", "").split())[:190]) for n in v["nodes"][:4]],
        )
        for v in result["violations"]
    ]


@pytest.fixture
def axe_page(browser: Any, live_url: str):
    # axe is injected as an inline script, which the site's CSP (rightly) forbids: bypass it here only
    context = browser.new_context(
        viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def busy_case(register_case, org, dispatcher_zhou, handler_wang_unit_a, clock):
    """A case at the housing bureau whose handling clock is yellow; its handler has unread work notices
    (of the 交办 and the warning): the colours the contrast check must see."""
    from huiyin.workflow.clocks import sweep_clocks

    clock.set(date(2025, 3, 3))
    case = wf.case_accept(case=register_case(), actor=dispatcher_zhou)
    case = wf.case_assign(case=case, actor=dispatcher_zhou, unit=org.unit_a, deadline=date(2025, 4, 30))
    case = wf.case_accept_assignment(case=case, actor=handler_wang_unit_a)  # the 60 days start (条例 §34)
    clock.set(date(2025, 4, 15))  # day 43 of 60 (due 2025-05-02): past the two-thirds warning
    sweep_clocks()
    return case


def test_signed_in_staff_pages_have_no_wcag_aa_violations(
    axe_page, live_url, login, busy_case, clerk_li, handler_wang_unit_a, supervisor_chen
):
    page = axe_page
    found = {}
    for user, paths in (
        (clerk_li, ["/", "/cases/new/", f"/cases/{busy_case.code}/", "/search/?q=漏水", "/me/"]),
        (handler_wang_unit_a, ["/", f"/cases/{busy_case.code}/", "/notices/"]),
        (supervisor_chen, ["/supervision/", "/assist/hotspots/"]),
    ):
        page.context.clear_cookies()
        login(page, user.username, "pw-" + user.username)
        for path in paths:
            page.goto(f"{live_url}{path}")
            if user == handler_wang_unit_a and path == "/":
                assert page.locator("[data-testid=clock][data-colour=yellow]").count() > 0  # checked too
            if path == "/notices/":
                assert page.locator(".list-group-item-warning").count() > 0  # an unread notice, checked too
            problems = violations(page)
            if problems:
                found[f"{user.username} {path}"] = problems
    assert found == {}, report(found)


def report(found: dict[str, Any]) -> str:
    return "\n".join(
        f"{where}: {rule} {nodes}" for where, problems in found.items() for rule, nodes in problems
    )


def test_portal_pages_have_no_wcag_aa_violations(axe_page, live_url, org):
    page = axe_page
    found = {}
    for lang in ("zh-hans", "en"):
        page.goto(f"{live_url}/public/lang/{lang}/")
        for path in (
            "/public/",
            "/public/submit/",
            "/public/track/",
            "/public/procedure/",
            "/public/channels/",
        ):
            page.goto(f"{live_url}{path}")
            problems = violations(page)
            if problems:
                found[f"{lang} {path}"] = problems
    assert found == {}, report(found)


def test_after_a_failed_submission_the_error_summary_has_the_focus(page, live_url, org):
    page.goto(f"{live_url}/public/lang/en/")
    page.goto(f"{live_url}/public/submit/")
    page.get_by_test_id("submit").click()
    page.wait_for_selector("[data-error-summary]")
    focused = page.evaluate("document.activeElement.getAttribute('data-testid')")
    assert focused == "form-error"
    summary = page.get_by_test_id("form-error")
    assert summary.locator("a").count() >= 1  # each error links to its field
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.tagName") in ("INPUT", "TEXTAREA", "SELECT")
