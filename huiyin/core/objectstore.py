"""Case files on an on-premises S3-compatible store (MinIO, Ceph RGW), chosen by HUIYIN_S3_BUCKET
(huiyin/core/env.py, docs/deploy.md).

Attachments, export files and outreach photos hold petitioners' identity and accusations. 条例 §30
forbids passing them to the accused: a presigned URL is a bearer token that works for whoever holds
it (a forwarded link, a proxy log, a browser history), outside Huiyin's permission check and its
audit. So objects are written private and this storage makes no URL at all: every file leaves through
Huiyin's own views (attachment_download, export_job_file), which check the user and stream the object
with FileResponse(storage.open(name)).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage

from huiyin.core.errors import StoreUnavailable

# An intranet store answers in milliseconds or is down: fail within seconds, well inside gunicorn's
# 60 s worker timeout (huiyin serve), instead of boto3's 60 s connect timeout per attempt.
TIMEOUTS = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})


class ObjectUrlRefused(Exception):
    """A URL was asked of a case file on the object store: files are served only through Huiyin's
    permission-checked views (条例 §30)."""

    silent_variable_failure = True  # a template that asks {{ file.url }} renders nothing, never a link


class PrivateS3Storage(S3Storage):
    """The default storage on S3: private objects, never overwritten, no URLs."""

    default_acl = "private"  # written with ACL private: the bucket's policy alone never exposes a case file
    # an attachment is never replaced once stored (cases.Attachment): a second file of the same name gets
    # a suffix, as on the local disk
    file_overwrite = False

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.client_config = self.client_config.merge(TIMEOUTS)  # type: ignore[has-type]  # set by BaseStorage

    # Every call that reaches the store turns boto3's failures into StoreUnavailable (a missing object
    # stays FileNotFoundError / False, as django-storages reports it).
    def _open(self, name: str, mode: str = "rb") -> Any:
        with _store_call(name):
            return super()._open(name, mode)

    def _save(self, name: str, content: Any) -> str:
        with _store_call(name):
            saved: str = super()._save(name, content)
        return saved

    def exists(self, name: str) -> bool:
        with _store_call(name):
            found: bool = super().exists(name)
        return found

    def delete(self, name: str) -> None:
        with _store_call(name):
            super().delete(name)

    def size(self, name: str) -> int:
        with _store_call(name):
            n: int = super().size(name)
        return n

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        with _store_call(path):
            found: tuple[list[str], list[str]] = super().listdir(path)
        return found

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise ObjectUrlRefused(
            f"{name}: case files are served through Huiyin's views, never by URL (条例 §30)"
        )


@contextmanager
def _store_call(name: str) -> Iterator[None]:
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise StoreUnavailable(f"{name}: {exc}") from exc
