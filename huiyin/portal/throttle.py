"""Rate limits kept in Django's cache (no outside service): fixed windows per key.

In production with several server processes the cache must be shared (e.g. the database cache);
with the default per-process memory cache each process counts on its own.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# (requests, seconds) per scope; override with HUIYIN_PORTAL_LIMITS = {"submit_ip": (5, 3600), …}
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "submit_ip": (10, 3600),
    "submit_phone": (5, 86400),
    "track_ip": (20, 900),
    "track_code": (8, 3600),
    "code_ip": (10, 3600),
    "code_address": (3, 3600),
    "open311_ip": (30, 3600),
}


@dataclass(frozen=True)
class Limited:
    scope: str
    retry_after: int  # seconds

    @property
    def minutes(self) -> int:
        return max(1, (self.retry_after + 59) // 60)


def limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "HUIYIN_PORTAL_LIMITS", {})}


def _key(scope: str, value: str, window: int) -> tuple[str, int]:
    now = int(time.time())
    start = now - now % window
    digest = hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()[:32]
    return f"portal:rl:{scope}:{digest}:{start}", start + window - now


def hit(scope: str, value: str) -> Limited | None:
    """Count one attempt in `scope` for `value`; return Limited once the window's quota is used up."""
    if not value:
        return None
    allowed, window = limits()[scope]
    key, remaining = _key(scope, value, window)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return Limited(scope, remaining) if count > allowed else None


def peek(scope: str, value: str) -> Limited | None:
    """Whether `value` is already over the quota, without counting an attempt."""
    if not value:
        return None
    allowed, window = limits()[scope]
    key, remaining = _key(scope, value, window)
    return Limited(scope, remaining) if (cache.get(key) or 0) >= allowed else None


def client_ip(request: HttpRequest) -> str:
    """The peer address (a proxy in front sets REMOTE_ADDR through its own configuration)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")
