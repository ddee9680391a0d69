"""Writes about the organisation: API tokens for integrations (SPEC §3.10)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from huiyin.core import timeutil
from huiyin.core.errors import ValidationFailed
from huiyin.org.models import ApiToken, User

TOKEN_PREFIX = "hy_"
# Writing last_used_at on every request would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token for `user`; return (token, raw). The raw token is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed("请填写令牌用途", extra={"fields": {"name": "请填写令牌用途"}})
    if not user.is_active:
        raise ValidationFailed("账号已停用，不能签发令牌", extra={"fields": {"user": "账号已停用"}})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:80], key_hash=hash_token(raw), prefix=raw[:10])
    return token, raw


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token; requests carrying it are refused from now on."""
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a live token, or None. Records when the token was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.filter(key_hash=hash_token(raw), revoked=False, user__is_active=True)
        .select_related("user__unit__territory")
        .first()
    )
    if token is None:
        return None
    now = timeutil.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
