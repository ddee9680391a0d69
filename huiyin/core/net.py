"""The client's address as the rate limits and the audit log must record it.

Behind a reverse proxy (docs/operations.md: nginx in front of gunicorn) REMOTE_ADDR is the proxy, so
every citizen would share one rate-limit bucket and every audit row would name the proxy. The proxy
passes the real peer in `X-Forwarded-For`, but anybody can send that header: it is believed only when
the connection comes from an address in HUIYIN_TRUSTED_PROXIES, and then only as far as the chain of
trusted proxies reaches (walking from the right, the first address that is not a trusted proxy is the
client — entries to its left were written by the client itself and are never trusted).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


def parse_trusted_proxies(items: Iterable[str]) -> tuple[Network, ...]:
    """IP addresses or CIDR blocks → networks; a malformed entry refuses to start (STYLE: strict settings)."""
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"HUIYIN_TRUSTED_PROXIES: {item!r} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8)"
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(raw: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_trusted_proxies(raw)


def _trusted() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "HUIYIN_TRUSTED_PROXIES", ()) or ()))


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _is_trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]
) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's IP address: X-Forwarded-For only from a configured trusted proxy, else REMOTE_ADDR.

    Always a valid IP address string or "unknown" (never the raw header), so it can be stored in a
    GenericIPAddressField and used as a rate-limit key.
    """
    peer = _address(str(request.META.get("REMOTE_ADDR") or ""))
    if peer is None:
        return UNKNOWN
    networks = _trusted()
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")  # repeated headers arrive joined by ","
    client = peer
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:  # garbage in the chain: stop at the last address we could trust
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


def audit_ip(request: HttpRequest) -> str | None:
    """client_ip for an audit row's ip_address (None when unknown)."""
    ip = client_ip(request)
    return None if ip == UNKNOWN else ip


def axes_username(request: HttpRequest, credentials: dict[str, object] | None) -> str:
    """The account name django-axes keys a failed sign-in by, cut to the longest a username can be
    (150), so a pasted essay in the field is a refused sign-in, not a database error in axes' log."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw)[:150]
