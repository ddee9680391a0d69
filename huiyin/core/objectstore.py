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

from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage

# An intranet store answers in milliseconds or is down: fail within seconds, well inside gunicorn's
# 60 s worker timeout (huiyin serve), instead of boto3's 60 s connect timeout per attempt.
TIMEOUTS = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})


class ObjectUrlRefused(Exception):
    """A URL was asked of a case file on the object store: files are served only through Huiyin's
    permission-checked views (条例 §30)."""

    silent_variable_failure = True  # a template that asks {{ file.url }} renders nothing, never a link


class StoreUnavailable(OSError):
    """The object store did not answer or refused Huiyin's keys: the download views show a 503 page."""


class PrivateS3Storage(S3Storage):
    """The default storage on S3: private objects, never overwritten, no URLs."""

    default_acl = "private"  # written with ACL private: the bucket's policy alone never exposes a case file
    # an attachment is never replaced once stored (cases.Attachment): a second file of the same name gets
    # a suffix, as on the local disk
    file_overwrite = False

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.client_config = self.client_config.merge(TIMEOUTS)  # type: ignore[has-type]  # set by BaseStorage

    def _open(self, name: str, mode: str = "rb") -> Any:
        try:
            return super()._open(name, mode)
        except (BotoCoreError, ClientError) as exc:  # a missing object is FileNotFoundError already
            raise StoreUnavailable(f"{name}: {exc}") from exc

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise ObjectUrlRefused(
            f"{name}: case files are served through Huiyin's views, never by URL (条例 §30)"
        )
