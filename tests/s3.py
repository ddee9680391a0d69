"""A real S3 server for the tests that put files on an S3-compatible store (tests/test_s3_storage.py,
huiyin/outreach/tests/test_s3_files.py): moto's ThreadedMotoServer on 127.0.0.1 and an ephemeral port,
reached over HTTP by boto3 exactly as an on-premises MinIO would be. Loaded by the root conftest.py.

moto and django-storages are in the dev extra; when one is missing the tests that ask for the store
fail, they never skip (a skipped test would pass CI with S3 untested)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from huiyin.core.env import env_default_storage


def require_module(module: str) -> Any:
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        pytest.fail(
            f"{module} is missing: install the dev extra (pip install -e '.[dev]', as bin/_venv.sh does); "
            "the S3 tests fail rather than skip",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A local S3 server for this module's tests, over real HTTP."""
    require_module("storages.backends.s3")
    server = require_module("moto.server").ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def store(s3_endpoint, settings, monkeypatch, tmp_path) -> Any:
    """A fresh private bucket, configured through the HUIYIN_S3_* variables as a deployment would;
    MEDIA_ROOT is an empty folder that must stay empty. Returns a boto3 client for looking inside."""
    boto3 = require_module("boto3")
    bucket = f"huiyin-{uuid.uuid4().hex[:12]}"
    env = {
        "HUIYIN_S3_BUCKET": bucket,
        "HUIYIN_S3_ENDPOINT_URL": s3_endpoint,
        "HUIYIN_S3_ACCESS_KEY_ID": "huiyin-test",
        "HUIYIN_S3_SECRET_ACCESS_KEY": "huiyin-test-secret",
        "HUIYIN_S3_PREFIX": "huiyin",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # a small spool threshold: downloads go through the disk-spooled path that large scans take
    config = env_default_storage(max_memory_size=1024)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="huiyin-test",
        aws_secret_access_key="huiyin-test-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "default": config}
    settings.MEDIA_ROOT = tmp_path
    client.bucket = bucket
    client.endpoint = s3_endpoint
    client.media_root = tmp_path
    return client


def objects(store: Any) -> dict[str, bytes]:
    listed = store.list_objects_v2(Bucket=store.bucket).get("Contents", [])
    return {o["Key"]: store.get_object(Bucket=store.bucket, Key=o["Key"])["Body"].read() for o in listed}


def assert_no_store_url(response: Any, store: Any) -> bytes:
    """The response (streamed or not) names neither the store nor a signed URL; returns its body."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    host = store.endpoint.split("//", 1)[1]
    assert not 300 <= response.status_code < 400, response.get("Location")
    for header, value in response.items():
        for marker in (host, "X-Amz-", "AWSAccessKeyId", store.bucket):
            assert marker not in value, (header, value)
    for marker in (host.encode(), b"X-Amz-", b"AWSAccessKeyId", store.bucket.encode()):
        assert marker not in body
    return body
