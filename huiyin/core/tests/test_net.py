"""The client address for limits and audit: X-Forwarded-For only from configured trusted proxies."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from huiyin.core.env import env_networks
from huiyin.core.net import client_ip
from huiyin.portal import throttle

rf = RequestFactory()


def req(remote: str, xff: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return rf.get("/", **extra)


def test_a_spoofed_forwarded_for_from_an_untrusted_address_is_ignored(settings):
    settings.HUIYIN_TRUSTED_PROXIES = ["10.0.0.1"]
    assert client_ip(req("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_without_configured_proxies_forwarded_for_is_never_believed(settings):
    settings.HUIYIN_TRUSTED_PROXIES = []
    assert client_ip(req("127.0.0.1", "198.51.100.1")) == "127.0.0.1"


def test_behind_a_trusted_proxy_the_client_is_the_rightmost_untrusted_hop(settings):
    settings.HUIYIN_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # the client forged "1.2.3.4" on the left; nginx (10.0.0.5) appended the real peer; the edge appended 10.0.0.5
    assert client_ip(req("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.5")) == "198.51.100.7"


def test_behind_a_trusted_proxy_two_citizens_get_two_buckets(settings):
    settings.HUIYIN_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.HUIYIN_PORTAL_LIMITS = {"track_ip": (2, 900)}
    a, b = req("127.0.0.1", "198.51.100.1"), req("127.0.0.1", "198.51.100.2")
    assert [throttle.hit("track_ip", throttle.client_ip(a)) is None for _ in range(3)] == [True, True, False]
    assert throttle.hit("track_ip", throttle.client_ip(b)) is None


def test_garbage_in_the_header_never_becomes_the_address(settings):
    settings.HUIYIN_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(req("127.0.0.1", "<script>, 198.51.100.3")) == "198.51.100.3"
    assert client_ip(req("127.0.0.1", "not-an-ip")) == "127.0.0.1"
    assert client_ip(req("127.0.0.1", "")) == "127.0.0.1"
    assert client_ip(req("", "198.51.100.3")) == "unknown"


def test_ipv6_and_ports_are_understood(settings):
    settings.HUIYIN_TRUSTED_PROXIES = ["::1", "127.0.0.1"]
    assert client_ip(req("::1", "[2001:db8::5]:4711")) == "2001:db8::5"
    assert client_ip(req("127.0.0.1", "198.51.100.4:5555")) == "198.51.100.4"
    assert client_ip(req("::ffff:127.0.0.1", "198.51.100.4")) == "198.51.100.4"


def test_a_malformed_trusted_proxy_refuses_to_start(monkeypatch):
    monkeypatch.setenv("HUIYIN_TRUSTED_PROXIES", "10.0.0.1, nginx")
    with pytest.raises(ImproperlyConfigured, match="nginx"):
        env_networks("HUIYIN_TRUSTED_PROXIES", [])
    monkeypatch.setenv("HUIYIN_TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12, ::1")
    assert env_networks("HUIYIN_TRUSTED_PROXIES", []) == ["10.0.0.1", "172.16.0.0/12", "::1"]
