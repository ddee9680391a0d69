"""Strict parsing of settings from the environment: a malformed value refuses to start."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of IP addresses / CIDR blocks; a malformed entry refuses to start."""
    items = env_list(name, default)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8)"
            ) from None
    return items


S3_ADDRESSING_STYLES = ("path", "virtual", "auto")
_S3_NAMES = (
    "HUIYIN_S3_ENDPOINT_URL",
    "HUIYIN_S3_ACCESS_KEY_ID",
    "HUIYIN_S3_SECRET_ACCESS_KEY",
    "HUIYIN_S3_REGION",
    "HUIYIN_S3_ADDRESSING_STYLE",
    "HUIYIN_S3_PREFIX",
    "HUIYIN_S3_VERIFY",
)


def env_default_storage(*, max_memory_size: int) -> dict[str, Any]:
    """STORAGES["default"]: the local disk (MEDIA_ROOT), or, when HUIYIN_S3_BUCKET is set, the private
    bucket of an on-premises S3-compatible store (MinIO, Ceph RGW; docs/deploy.md). Every HUIYIN_S3_*
    value is checked here, so a half-configured store refuses to start instead of failing at the first
    upload. `max_memory_size`: past this a file read from the store spools to disk, not memory."""
    bucket = env_str("HUIYIN_S3_BUCKET", "").strip()
    if not bucket:
        stray = [name for name in _S3_NAMES if os.environ.get(name)]
        if stray:
            raise ImproperlyConfigured(f"{', '.join(stray)} set without HUIYIN_S3_BUCKET")
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured("HUIYIN_S3_BUCKET needs django-storages[s3]: pip install 'huiyin[s3]'")
    endpoint = env_str("HUIYIN_S3_ENDPOINT_URL", "").strip()
    parsed = urlsplit(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.path.strip("/"):
        raise ImproperlyConfigured(
            f"HUIYIN_S3_ENDPOINT_URL={endpoint!r} must be the store's http(s)://host[:port] "
            "(the intranet has no public S3: the endpoint is always named)"
        )
    key_id = env_str("HUIYIN_S3_ACCESS_KEY_ID", "")
    secret = env_str("HUIYIN_S3_SECRET_ACCESS_KEY", "")
    if not key_id or not secret:
        # never fall back to boto3's search (~/.aws, AWS_* variables): one place names the credentials
        raise ImproperlyConfigured(
            "HUIYIN_S3_BUCKET needs HUIYIN_S3_ACCESS_KEY_ID and HUIYIN_S3_SECRET_ACCESS_KEY"
        )
    style = env_str("HUIYIN_S3_ADDRESSING_STYLE", "path").strip().lower()
    if style not in S3_ADDRESSING_STYLES:
        raise ImproperlyConfigured(
            f"HUIYIN_S3_ADDRESSING_STYLE={style!r} is not one of {', '.join(S3_ADDRESSING_STYLES)}"
        )
    verify: bool | str
    raw_verify = os.environ.get("HUIYIN_S3_VERIFY", "").strip()
    if not raw_verify:
        verify = True
    elif raw_verify.lower() in _TRUE | _FALSE:
        verify = raw_verify.lower() in _TRUE
    elif os.path.isfile(raw_verify):
        verify = raw_verify  # the intranet CA's bundle
    else:
        raise ImproperlyConfigured(
            f"HUIYIN_S3_VERIFY={raw_verify!r} is neither a boolean nor a CA bundle file that exists"
        )
    return {
        "BACKEND": "huiyin.core.objectstore.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "access_key": key_id,
            "secret_key": secret,
            "region_name": env_str("HUIYIN_S3_REGION", "us-east-1").strip() or "us-east-1",
            "addressing_style": style,
            "signature_version": "s3v4",
            "location": env_str("HUIYIN_S3_PREFIX", "").strip().strip("/"),
            "verify": verify,
            "use_ssl": parsed.scheme == "https",
            "max_memory_size": max_memory_size,
        },
    }
