"""Writes about the organisation: API tokens for integrations (SPEC §3.10) and staff sign-in factors."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from huiyin.core import timeutil
from huiyin.core.errors import NotFound, ValidationFailed
from huiyin.core.models import AuditEntry
from huiyin.org.models import ApiToken, RoleSignInPolicy, User

TOKEN_PREFIX = "hy_"
# Writing last_used_at on every request would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "身份验证器"
RECOVERY_DEVICE_NAME = "恢复码"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(
    *,
    user: User,
    name: str,
    scope: str = ApiToken.Scope.FULL,
    days: int = DEFAULT_TOKEN_DAYS,
) -> tuple[ApiToken, str]:
    """Issue a token for `user`; return (token, raw). The raw token is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed("请填写令牌用途", extra={"fields": {"name": "请填写令牌用途"}})
    if scope not in ApiToken.Scope.values:
        raise ValidationFailed("权限范围只能是 read、intake 或 full", extra={"fields": {"scope": "无效"}})
    if not 1 <= days <= MAX_TOKEN_DAYS:
        message = f"有效期须为 1 至 {MAX_TOKEN_DAYS} 天"
        raise ValidationFailed(message, extra={"fields": {"days": message}})
    if not user.is_active:
        raise ValidationFailed("账号已停用，不能签发令牌", extra={"fields": {"user": "账号已停用"}})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:80],
        key_hash=hash_token(raw),
        prefix=raw[:10],
        scope=scope,
        expires_at=timeutil.now() + timedelta(days=days),
    )
    return token, raw


def token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    """Revoke a token; requests carrying it are refused from now on."""
    if not token.revoked:
        token.revoked = True
        token.revoked_at = timeutil.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked", "revoked_at", "revoked_by"])
    return token


def token_revoke_own(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of `actor`'s own tokens; anyone else's is the same 404 as a missing one."""
    token = ApiToken.objects.filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound("没有这个令牌")
    return token_revoke(token=token, actor=actor)


def token_lookup(raw: str) -> ApiToken | None:
    """The live token behind `raw` (not revoked, not expired, its account active), or None.

    Records when the token was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    now = timeutil.now()
    found = ApiToken.objects.filter(
        key_hash=hash_token(raw), revoked=False, expires_at__gt=now, user__is_active=True
    ).select_related("user__unit__territory")[:1]  # key_hash is unique: no ORDER BY needed
    token = next(iter(found), None)
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a live token, or None."""
    token = token_lookup(raw)
    return token.user if token is not None else None


# --- two-factor sign-in (SPEC §4) -------------------------------------------------------------


def role_requires_two_factor(role: str) -> bool:
    return bool(role) and RoleSignInPolicy.objects.filter(role=role, require_two_factor=True).exists()


def two_factor_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_pending_device(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator device being enrolled (created on first visit, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def two_factor_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm `device` with a code from the app; return the new recovery codes (shown once), or None."""
    code = code.strip().replace(" ", "")
    if not code.isascii() or not code.isdigit() or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace `user`'s recovery codes with new ones; each works once. Only the codes' device stores them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def two_factor_reset(*, user: User, actor: User, ip: str | None = None) -> None:
    """An administrator removes `user`'s authenticator and recovery codes (lost phone); audited.

    The user enrols again at the next sign-in if the role requires it."""
    totp = TOTPDevice.objects.filter(user=user).delete()[0]
    static = StaticDevice.objects.filter(user=user).delete()[0]
    AuditEntry.objects.create(
        kind=AuditEntry.Kind.OTP_RESET,
        actor=actor,
        detail={"user_id": user.pk, "username": user.username, "devices_removed": totp + static},
        ip_address=ip or None,
    )
