"""Staff sign-in (password, then the second factor), sign-out, the own-profile page, the own password
and the own API tokens (Django's auth views with Huiyin's templates)."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from huiyin.core import timeutil
from huiyin.core.errors import ApplicationError, NotFound
from huiyin.org import roles, services
from huiyin.org.middleware import ENROL, SESSION_KEY, VERIFY, pending_second_factor, second_factor_done
from huiyin.org.models import ApiToken, User
from huiyin.org.selectors import tokens_of

MSG_WRONG_CODE = "验证码不正确或已使用过，请输入身份验证器上的新验证码，或一个未用过的恢复码。"
MSG_CODE_THROTTLED = "验证码错误次数过多，请稍后再试。"
MSG_ENROLLED = "两步验证已启用。请妥善保存下面的恢复码，它们只显示这一次。"
MSG_TOKEN_REVOKED = "令牌已吊销"
TOKEN_DAY_CHOICES = (30, 90, 180, 365)


class LoginView(auth_views.LoginView):
    """Step one: the password (throttled by django-axes). Step two, if owed, is `login_verify`."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        owed = pending_second_factor(self.request)
        if owed:
            step = reverse("login_verify" if owed == VERIFY else "two_factor_enrol")
            return f"{step}?{urlencode({self.redirect_field_name: url})}"
        return url


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the nav bar's 退出 button is a form."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **nav_context(self.request, "profile")}


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **nav_context(self.request, "profile")}


def nav_context(request: HttpRequest, nav: str = "") -> dict[str, object]:
    """Which navigation entry is current (the entries themselves come from the modules' declarations:
    huiyin.org.context_processors.navigation), and the flags a few pages still ask."""
    user = request.user
    return {
        "nav": nav,
        "can_register": roles.has(user, roles.REGISTER),
        "is_leader": getattr(user, "role", None) == "leader",
    }


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("workbench")


def _device(model: type[TOTPDevice] | type[StaticDevice], user: User) -> Any:
    return model.objects.filter(user=user, confirmed=True).first()


@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """Step two of signing in: a code from the authenticator app, or one recovery code (used up)."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponseRedirect(reverse("login"))
    if pending_second_factor(request) != VERIFY:
        return HttpResponseRedirect(_next_url(request))
    assert isinstance(user, User)
    if not services.two_factor_enrolled(user):  # reset by an administrator since this sign-in
        from huiyin.org.signals import second_factor_owed

        request.session[SESSION_KEY] = second_factor_owed(user)
        return HttpResponseRedirect(
            reverse("two_factor_enrol") if request.session[SESSION_KEY] else _next_url(request)
        )
    error = ""
    if request.method == "POST":
        code = request.POST.get("otp_token", "").strip().replace(" ", "")
        # six digits: the authenticator; ten: a recovery code (each works once)
        model = TOTPDevice if len(code) == 6 else StaticDevice
        device = _device(model, user) if code.isascii() and code.isdigit() else None
        allowed, _why = device.verify_is_allowed() if device is not None else (True, None)
        verified = verify_token(user, device.persistent_id, code) if device is not None and allowed else None
        if verified is not None:
            otp_login(request, verified)
            second_factor_done(request)
            request.session.cycle_key()
            return HttpResponseRedirect(_next_url(request))
        # a wrong code counts as a failed sign-in for the account's lockout (django-axes)
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return HttpResponseRedirect(reverse("login"))
        error = MSG_CODE_THROTTLED if not allowed else MSG_WRONG_CODE
    return render(
        request,
        "registration/login_verify.html",
        {"error": error, "next": _next_url(request)},
        status=400 if error else 200,
    )


def _qr_svg(url: str) -> str:
    # drawn here, no outside service; segno's SVG has no style attributes (CSP style-src 'self')
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (QR code and the secret in text), then show the recovery codes once."""
    user = request.user
    assert isinstance(user, User)
    owed = pending_second_factor(request)
    context: dict[str, Any] = {**nav_context(request, "profile"), "next": _next_url(request)}
    if services.two_factor_enrolled(user):
        if owed:  # enrolled but not verified in this session: verify instead
            return HttpResponseRedirect(reverse("login_verify"))
        if request.method == "POST" and request.POST.get("action") == "recovery":
            context["recovery_codes"] = services.recovery_codes_issue(user=user)
        context["enrolled"] = True
        context["recovery_left"] = sum(
            d.token_set.count() for d in StaticDevice.objects.filter(user=user, confirmed=True)
        )
        return render(request, "registration/two_factor.html", context)
    device = services.two_factor_pending_device(user=user)
    if request.method == "POST":
        codes = services.two_factor_confirm(user=user, device=device, code=request.POST.get("otp_token", ""))
        if codes is not None:
            otp_login(request, device)
            second_factor_done(request)
            request.session.cycle_key()
            messages.success(request, MSG_ENROLLED)
            context.update(enrolled=True, recovery_codes=codes, just_enrolled=True, signin_pending=False)
            return render(request, "registration/two_factor.html", context)
        context["error"] = MSG_WRONG_CODE
    context.update(
        qr_svg=_qr_svg(device.config_url),
        secret=_b32(device),
        required=owed == ENROL,
    )
    return render(request, "registration/two_factor.html", context, status=400 if "error" in context else 200)


def _b32(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    context = {**nav_context(request, "profile"), "two_factor": services.two_factor_enrolled(user)}
    return render(request, "org/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_tokens(request: HttpRequest) -> HttpResponse:
    """One's own API tokens: issue (the token is shown once), list, revoke (SPEC §3.10)."""
    user = request.user
    assert isinstance(user, User)
    context: dict[str, Any] = {
        **nav_context(request, "profile"),
        "scopes": ApiToken.Scope.choices,
        "day_choices": TOKEN_DAY_CHOICES,
        "now": timeutil.now(),
    }
    status = 200
    if request.method == "POST":
        days = request.POST.get("days", "")
        try:
            token, raw = services.token_issue(
                user=user,
                name=request.POST.get("name", ""),
                scope=request.POST.get("scope", ""),
                days=int(days) if days.isascii() and days.isdigit() and len(days) < 5 else 0,
            )
        except ApplicationError as exc:
            context["error"] = exc.message
            status = 400
        else:
            context.update(issued=token, raw_token=raw)
    context["tokens"] = tokens_of(user)
    return render(request, "org/tokens.html", context, status=status)


@login_required
@require_POST
def my_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        services.token_revoke_own(actor=user, token_id=pk)
    except NotFound:
        raise Http404("没有这个令牌") from None  # anyone else's token: the same as a missing one
    messages.success(request, MSG_TOKEN_REVOKED)
    return HttpResponseRedirect(reverse("my_tokens"))
