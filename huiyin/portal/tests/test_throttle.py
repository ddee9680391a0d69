"""Rate limits: a window is fixed from its first hit on every cache backend the project supports.

The production cache is the file cache (settings.CACHES); the database cache and a Redis cache are
the shared alternatives; memory is for development. Before the fix, `cache.incr` on the file and
database caches re-set each counter with the default 300-s timeout, so "8 tries per code per hour"
was 8 per five quiet minutes (about 96 an hour).
"""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command

from huiyin.portal import throttle

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own; the test never flushes it


def _redis_answers() -> bool:
    try:
        import redis  # noqa: F401
    except ImportError:
        return False
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.3) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Clock:
    """time.time() under the test's control (the file and memory caches expire by it too)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1_900_000_000.0
        monkeypatch.setattr(time, "time", lambda: self.now)
        # the database cache compares expiry with timezone.now()
        monkeypatch.setattr(
            "django.core.cache.backends.db.tz_now", lambda: datetime.fromtimestamp(self.now, tz=UTC)
        )

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(params=["locmem", "file", "db"])
def backend(request, settings, tmp_path):
    kind = request.param
    if kind == "locmem":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    elif kind == "file":  # what production runs (settings.CACHES without DEBUG)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path),
            }
        }
    else:
        request.getfixturevalue("db")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "huiyin_test_rl",
            }
        }
        call_command("createcachetable", verbosity=0)
    return kind


def hits(scope: str, value: str, n: int) -> list[bool]:
    return [throttle.hit(scope, value) is not None for _ in range(n)]


def test_eight_tries_per_code_per_hour_stay_eight_after_five_quiet_minutes(backend, monkeypatch):
    # given a code tried 8 times (the hourly quota)
    clock = Clock(monkeypatch)
    assert hits("track_code", "HY-ABC", 8) == [False] * 8
    assert throttle.hit("track_code", "HY-ABC") is not None
    # when the attacker waits longer than the cache's default timeout (300 s)
    clock.advance(400)
    # then the code is still locked for the rest of the hour
    limited = throttle.hit("track_code", "HY-ABC")
    assert limited is not None and 3000 <= limited.retry_after <= 3200
    assert throttle.peek("track_code", "HY-ABC") is not None


def test_the_window_does_not_extend_with_each_hit(backend, monkeypatch):
    # given a code hit once at the window's start and then every ten minutes (always over quota)
    clock = Clock(monkeypatch)
    hits("track_code", "HY-XYZ", 9)
    for _ in range(5):
        clock.advance(600)
        assert throttle.hit("track_code", "HY-XYZ") is not None
    # when the hour since the FIRST hit is over
    clock.advance(601)
    # then a new window opens, although the last hit was ten minutes ago
    assert throttle.peek("track_code", "HY-XYZ") is None
    assert hits("track_code", "HY-XYZ", 8) == [False] * 8
    assert throttle.hit("track_code", "HY-XYZ") is not None


def test_other_values_and_scopes_count_on_their_own(backend, monkeypatch):
    Clock(monkeypatch)
    hits("code_address", "13800000000", 4)
    assert throttle.hit("code_address", "13800000001") is None
    assert throttle.hit("code_ip", "13800000000") is None


@pytest.mark.skipif(not _redis_answers(), reason="no Redis at 127.0.0.1:6379 (or no redis client)")
def test_on_redis_the_counter_expires_at_the_end_of_the_first_hits_window(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"huiyin-test-{time.time_ns()}",
        }
    }
    value = f"HY-{time.time_ns()}"
    assert hits("track_code", value, 9) == [False] * 8 + [True]
    client = cache._cache.get_client(write=False)  # type: ignore[attr-defined]
    keys = [k for k in client.keys(f"*{throttle._base('track_code', value)}*")]
    assert len(keys) == 2  # the window's start and its counter
    ttls = [client.ttl(k) for k in keys]
    # the hour runs from the first hit: neither 300 s (Django's default timeout) nor longer than the hour
    assert all(3500 <= ttl <= 3600 for ttl in ttls), ttls
    client.delete(*keys)
