"""Staff sign-in that resists attack (SPEC §4; issue 9): a second factor, lockout, strong passwords.

Each test attacks one rule: a wrong or replayed code, a recovery code used twice, a session that skips
the second step, password guessing against one account or from one address."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from huiyin.core.models import AuditEntry
from huiyin.org.models import RoleSignInPolicy
from huiyin.org.services import two_factor_confirm, two_factor_pending_device, two_factor_reset

PASSWORD_OF = "pw-{}"  # conftest's personas


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    """The authenticator app's current code for `device` (what the phone would show)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


@pytest.fixture
def no_totp_throttle(settings):
    # django-otp slows a device down after a wrong code (1 s, 2 s, 4 s…); tests try codes back to back
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def enrolled(clerk_li):
    """The clerk has enrolled an authenticator app; returns (device, recovery codes)."""
    device = two_factor_pending_device(user=clerk_li)
    codes = two_factor_confirm(user=clerk_li, device=device, code=code_for(device))
    assert codes is not None
    device.refresh_from_db()
    device.last_t = -1  # the confirming code is spent; let the first sign-in use the current step
    device.save(update_fields=["last_t"])
    return device, codes


def password_step(client: Client, username: str, password: str | None = None, **extra):
    return client.post(
        reverse("login"),
        {"username": username, "password": password or PASSWORD_OF.format(username)},
        **extra,
    )


# --- the second step ------------------------------------------------------------------------


def test_an_enrolled_account_is_asked_for_a_code_after_the_password(client, clerk_li, enrolled):
    response = password_step(client, "clerk_li")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login_verify"))
    # the password alone opens nothing
    assert client.get(reverse("workbench"))["Location"].startswith(reverse("login_verify"))
    assert client.get("/api/me").status_code == 401


def test_the_right_code_opens_the_workbench(client, clerk_li, enrolled):
    device, _ = enrolled
    password_step(client, "clerk_li")
    response = client.post(reverse("login_verify"), {"otp_token": code_for(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("workbench")).status_code == 200
    assert client.get("/api/me").status_code == 200


def test_a_wrong_totp_code_is_refused(client, clerk_li, enrolled, no_totp_throttle):
    device, _ = enrolled
    password_step(client, "clerk_li")
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("login_verify"), {"otp_token": wrong})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert client.get(reverse("workbench")).status_code == 302


def test_a_totp_code_cannot_be_used_twice(clerk_li, enrolled, no_totp_throttle):
    # given a code that signed one session in
    device, _ = enrolled
    first, second = Client(), Client()
    password_step(first, "clerk_li")
    code = code_for(device)
    assert first.post(reverse("login_verify"), {"otp_token": code}).status_code == 302
    # when someone who saw it replays it in another session, then it is refused
    password_step(second, "clerk_li")
    assert second.post(reverse("login_verify"), {"otp_token": code}).status_code == 400
    assert second.get(reverse("workbench")).status_code == 302


def test_wrong_codes_count_towards_the_accounts_lockout(client, clerk_li, enrolled, no_totp_throttle):
    # given someone who has the password but not the phone
    device, _ = enrolled
    password_step(client, "clerk_li")
    wrong = f"{(int(code_for(device)) + 7) % 1_000_000:06d}"
    statuses = [client.post(reverse("login_verify"), {"otp_token": wrong}).status_code for _ in range(5)]
    # then the fifth wrong code locks the account and ends the session
    assert statuses[-1] == 429 and statuses[:4] == [400] * 4
    assert client.get(reverse("workbench"))["Location"].startswith(reverse("login"))
    assert password_step(Client(), "clerk_li", REMOTE_ADDR="10.9.9.9").status_code == 429


def test_a_recovery_code_works_once(clerk_li, enrolled, no_totp_throttle):
    _device, codes = enrolled
    first, second = Client(), Client()
    password_step(first, "clerk_li")
    assert first.post(reverse("login_verify"), {"otp_token": codes[0]}).status_code == 302
    assert first.get(reverse("workbench")).status_code == 200
    password_step(second, "clerk_li")
    assert second.post(reverse("login_verify"), {"otp_token": codes[0]}).status_code == 400
    assert second.post(reverse("login_verify"), {"otp_token": codes[1]}).status_code == 302


def test_a_role_that_requires_2fa_reaches_neither_the_workbench_nor_the_api_before_enrolling(
    client, clerk_li
):
    # given the administrator requires 2FA of window clerks
    RoleSignInPolicy.objects.update_or_create(role="clerk", defaults={"require_two_factor": True})
    # when a clerk without an authenticator signs in (however: here the test client's session)
    client.force_login(clerk_li)
    # then every staff page sends them to enrolment, the API refuses the session, the admin too
    assert client.get(reverse("workbench"))["Location"].startswith(reverse("two_factor_enrol"))
    assert client.get(reverse("search"))["Location"].startswith(reverse("two_factor_enrol"))
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor_enrol"))
    assert client.get("/api/me").status_code == 401
    assert client.post("/api/cases", {}, content_type="application/json").status_code == 401
    # the enrolment page shows a QR code drawn here and the secret in text
    page = client.get(reverse("two_factor_enrol"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and 'data-testid="otp-secret"' in body


def test_enrolling_shows_recovery_codes_once_and_opens_the_workbench(client, clerk_li):
    RoleSignInPolicy.objects.update_or_create(role="clerk", defaults={"require_two_factor": True})
    client.force_login(clerk_li)
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=clerk_li, confirmed=False)
    response = client.post(reverse("two_factor_enrol"), {"otp_token": code_for(device)})
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="recovery-code"') == 10
    assert client.get(reverse("workbench")).status_code == 200
    # shown once: the page does not show them again
    assert 'data-testid="recovery-code"' not in client.get(reverse("two_factor_enrol")).content.decode()


def test_a_role_without_the_requirement_signs_in_with_the_password(client, handler_wang_unit_a):
    assert password_step(client, "handler_wang")["Location"] == reverse("workbench")
    assert client.get(reverse("workbench")).status_code == 200


def test_the_administrator_role_requires_2fa_by_default(db):
    required = set(RoleSignInPolicy.objects.filter(require_two_factor=True).values_list("role", flat=True))
    assert required == {"admin"}


def test_an_administrator_resets_2fa_with_an_audit_row(clerk_li, supervisor_chen, enrolled):
    two_factor_reset(user=clerk_li, actor=supervisor_chen, ip="10.0.0.9")
    assert not TOTPDevice.objects.filter(user=clerk_li).exists()
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.OTP_RESET)
    assert entry.actor == supervisor_chen and entry.detail["user_id"] == clerk_li.pk
    assert entry.ip_address == "10.0.0.9"


def test_after_a_reset_the_pending_session_is_sent_to_enrol_again(
    client, clerk_li, supervisor_chen, enrolled
):
    RoleSignInPolicy.objects.update_or_create(role="clerk", defaults={"require_two_factor": True})
    password_step(client, "clerk_li")
    two_factor_reset(user=clerk_li, actor=supervisor_chen)
    response = client.get(reverse("login_verify"))
    assert response["Location"] == reverse("two_factor_enrol")


def test_the_admin_action_resets_2fa_and_audits(client, clerk_li, enrolled, org):
    from huiyin.org.models import User

    root = User.objects.create_superuser("root_admin", password="pw-root_admin-x", role="")
    client.force_login(root)
    response = client.post(
        "/admin/org/user/", {"action": "reset_two_factor", "_selected_action": [clerk_li.pk]}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(kind="otp_reset", actor=root).count() == 1
    assert not TOTPDevice.objects.filter(user=clerk_li).exists()


# --- lockout (django-axes) ------------------------------------------------------------------


def test_the_sixth_try_is_locked_out_even_with_the_right_password(client, clerk_li):
    # given five wrong passwords for the clerk, each from a different address
    statuses = [
        password_step(client, "clerk_li", "wrong-password", REMOTE_ADDR=f"10.1.0.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    # when the right password comes, from yet another address
    response = password_step(client, "clerk_li", REMOTE_ADDR="10.1.0.99")
    # then the account is locked: a clear message, no session
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert client.get(reverse("workbench")).status_code == 302


def test_one_address_is_locked_out_across_accounts(client, clerk_li, dispatcher_zhou, handler_wang_unit_a):
    for n in range(5):
        password_step(client, f"guess_{n}", "wrong-password", REMOTE_ADDR="10.2.0.1")
    # the same address with a real account and its right password: locked
    assert password_step(client, "dispatcher_zhou", REMOTE_ADDR="10.2.0.1").status_code == 429
    # another address is not
    assert password_step(client, "handler_wang", REMOTE_ADDR="10.2.0.2").status_code == 302


def test_the_admin_login_is_throttled_too(client, clerk_li):
    for _ in range(5):
        client.post("/admin/login/", {"username": "clerk_li", "password": "wrong"}, REMOTE_ADDR="10.3.0.1")
    response = client.post(
        "/admin/login/", {"username": "clerk_li", "password": "pw-clerk_li"}, REMOTE_ADDR="10.3.0.2"
    )
    assert response.status_code == 429


# --- passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["short-1x", "1234567890123", "password123", "clerk_li_2025"],
    ids=["shorter-than-10", "all-digits", "common", "like-the-username"],
)
def test_weak_passwords_are_refused(clerk_li, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=clerk_li)


def test_staff_change_their_own_password(client, clerk_li):
    client.force_login(clerk_li)
    assert client.get(reverse("password_change")).status_code == 200
    weak = client.post(
        reverse("password_change"),
        {"old_password": "pw-clerk_li", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200 and 'data-testid="password-error"' in weak.content.decode()
    done = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-clerk_li",
            "new_password1": "窗口-春天-Lamp-42",
            "new_password2": "窗口-春天-Lamp-42",
        },
    )
    assert done.status_code == 302
    clerk_li.refresh_from_db()
    assert clerk_li.check_password("窗口-春天-Lamp-42")
