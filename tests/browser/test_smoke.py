"""Smoke: the real browser reaches the login page and a staff member signs in to the workbench."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_login_page_renders_with_its_stylesheet(page, live_url):
    response = page.goto(f"{live_url}/login/")
    assert response is not None and response.status == 200
    assert page.locator("input[name=username]").is_visible()
    # Bootstrap is served locally (no CDN) and applied: the submit button is styled.
    assert page.locator("button[type=submit]").evaluate("b => getComputedStyle(b).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )


def test_a_clerk_signs_in_and_reaches_the_workbench(page, live_url, login, clerk_li):
    login(page, "clerk_li", "pw-clerk_li")
    assert page.url.rstrip("/") == live_url
    assert "李窗口" in page.content() or "clerk_li" in page.content()


def test_a_wrong_password_is_refused_on_a_phone(phone_page, live_url, clerk_li):
    phone_page.goto(f"{live_url}/login/")
    phone_page.fill("input[name=username]", "clerk_li")
    phone_page.fill("input[name=password]", "wrong-password")
    phone_page.click("button[type=submit]")
    assert phone_page.get_by_test_id("login-error").is_visible()
