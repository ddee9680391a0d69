"""Rate limits kept in Django's cache (no outside service): fixed windows per key.

A window starts at the first hit and lasts its full length whatever happens inside it: the window's
start is stored (`cache.add`, so the first hit wins) and the counter's key includes it, so a counter
never outlives its window nor carries over into the next one. `cache.incr` alone is not enough: the
file and database caches implement it as get + set with the *default* timeout (300 s), which turned
"8 tries per code per hour" into 8 per five minutes of quiet, about 96 an hour; after every increment
the counter's expiry is put back to the window's end with `cache.touch`.

In production with several server processes the cache must be shared (the file cache under the var
directory, or the database or a Redis cache); with the per-process memory cache each process counts
on its own. Limits key on the client address from `huiyin.core.net.client_ip` (trusted proxies only).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from huiyin.core import net

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


def _base(scope: str, value: str) -> str:
    digest = hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()[:32]
    return f"portal:rl:{scope}:{digest}"


def _window(base: str, window: int, *, start_if_missing: bool) -> tuple[str, int] | None:
    """(counter key, seconds left) of the window now running for `base`; opens one on demand."""
    now = time.time()
    if start_if_missing:
        cache.add(f"{base}:start", now, timeout=window)
    start = cache.get(f"{base}:start")
    if start is None:
        if not start_if_missing:
            return None
        start = now  # the start key vanished between add and get (eviction): count from now
    remaining = max(1, math.ceil(float(start) + window - now))
    return f"{base}:{int(float(start) * 1000)}", remaining


def hit(scope: str, value: str) -> Limited | None:
    """Count one attempt in `scope` for `value`; return Limited once the window's quota is used up."""
    if not value:
        return None
    allowed, window = limits()[scope]
    current = _window(_base(scope, value), window, start_if_missing=True)
    assert current is not None
    key, remaining = current
    cache.add(key, 0, timeout=remaining)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=remaining)
        count = 1
    # BaseCache.incr (file, database caches) re-sets the value with the default timeout: put back the
    # window's end so the count cannot expire early (and never later: the window does not extend).
    cache.touch(key, remaining)
    return Limited(scope, remaining) if count > allowed else None


def peek(scope: str, value: str) -> Limited | None:
    """Whether `value` is already over the quota, without counting an attempt."""
    if not value:
        return None
    allowed, window = limits()[scope]
    current = _window(_base(scope, value), window, start_if_missing=False)
    if current is None:
        return None
    key, remaining = current
    return Limited(scope, remaining) if (cache.get(key) or 0) >= allowed else None


def client_ip(request: HttpRequest) -> str:
    """The client address the limits count (huiyin.core.net.client_ip: X-Forwarded-For from trusted proxies)."""
    return net.client_ip(request)
