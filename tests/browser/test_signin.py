"""Staff sign-in in a real browser (issue 9): password, then the authenticator's code; a run of wrong
passwords locks the account with a clear message, even for the right password afterwards."""

from __future__ import annotations

from typing import Any

from django_otp.oath import totp

from huiyin.org.models import User
from huiyin.org.services import two_factor_confirm, two_factor_pending_device


def _code(device: Any) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _staff(org: Any, username: str) -> User:
    return User.objects.create_user(
        username=username,
        password=f"pw-{username}-long",
        full_name="李窗口",
        unit=org.county_office,
        role="clerk",
    )


def test_staff_sign_in_with_a_totp_code(page: Any, live_url: str, org: Any) -> None:
    # given a clerk who has enrolled an authenticator app
    clerk = _staff(org, "clerk_totp")
    device = two_factor_pending_device(user=clerk)
    assert two_factor_confirm(user=clerk, device=device, code=_code(device)) is not None
    device.refresh_from_db()
    device.last_t = -1  # the enrolment's code is spent; the sign-in may use the current step
    device.save(update_fields=["last_t"])

    # when they sign in with the password
    page.goto(f"{live_url}/login/")
    page.fill("input[name=username]", "clerk_totp")
    page.fill("input[name=password]", "pw-clerk_totp-long")
    page.click("button[type=submit]")
    # then they are asked for the code, and the workbench stays closed
    page.wait_for_url("**/login/verify/**")
    assert page.locator("nav[aria-label=主导航]").count() == 0
    page.goto(f"{live_url}/")
    page.wait_for_url("**/login/verify/**")

    # a wrong code is refused
    page.fill("input[name=otp_token]", f"{(int(_code(device)) + 5) % 1_000_000:06d}")
    page.click("button[type=submit]")
    assert "验证码不正确" in page.get_by_test_id("otp-error").inner_text()

    # and the app's code opens the workbench (django-otp slows down after a wrong code: wait it out)
    page.wait_for_timeout(1_100)
    page.fill("input[name=otp_token]", _code(device))
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    assert page.get_by_test_id("current-user").is_visible()


def test_repeated_wrong_passwords_lock_the_account(page: Any, live_url: str, org: Any) -> None:
    _staff(org, "clerk_guess")
    page.goto(f"{live_url}/login/")
    for _ in range(5):
        page.fill("input[name=username]", "clerk_guess")
        page.fill("input[name=password]", "not-the-password")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if page.get_by_test_id("login-locked").count():
            break
        assert page.get_by_test_id("login-error").is_visible()
    # the fifth failure locks; the right password is then refused too, with a clear message
    assert "登录失败次数过多" in page.get_by_test_id("login-locked").inner_text()
    page.goto(f"{live_url}/login/")
    page.fill("input[name=username]", "clerk_guess")
    page.fill("input[name=password]", "pw-clerk_guess-long")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "登录失败次数过多" in page.get_by_test_id("login-locked").inner_text()
    page.goto(f"{live_url}/")
    assert "/login/" in page.url


def test_the_account_pages_the_api_docs_and_the_admin_log_no_csp_violation(
    page: Any, live_url: str, org: Any, login: Any
) -> None:
    # the page fixture fails the test on any console message about the Content Security Policy
    _staff(org, "clerk_pages")
    login(page, "clerk_pages", "pw-clerk_pages-long")
    for path in ("/me/", "/me/two-factor/", "/me/tokens/", "/me/password/", "/api/docs", "/assist/hotspots/"):
        page.goto(f"{live_url}{path}")
        page.wait_for_load_state("load")
    assert page.locator(".qr-code svg").count() == 0  # the last page is not the enrolment page
    page.goto(f"{live_url}/me/two-factor/")
    assert page.locator(".qr-code svg").is_visible()
    root = User.objects.create_superuser("root_pages", password="pw-root_pages-long", role="")
    assert root.pk
    page.goto(f"{live_url}/admin/login/")
    page.fill("input[name=username]", "root_pages")
    page.fill("input[name=password]", "pw-root_pages-long")
    page.click("input[type=submit]")
    for path in ("/admin/", "/admin/org/apitoken/", "/admin/org/user/", "/admin/org/rolesigninpolicy/"):
        page.goto(f"{live_url}{path}")
        page.wait_for_load_state("load")
