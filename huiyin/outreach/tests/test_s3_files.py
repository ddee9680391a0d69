"""Outreach photos and commitment evidence on an S3-compatible store (issue 15 item 4): the same
private bucket as case attachments (tests/s3.py runs a real S3 server), nothing on the local disk."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huiyin.outreach.choices import CommitmentAction
from huiyin.outreach.tests.test_commitments import _act, promise  # noqa: F401  # the commitment fixture
from tests.s3 import objects

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

pytestmark = pytest.mark.django_db


def test_a_diary_photo_is_stored_in_the_bucket(make_entry, clock, store):
    clock.set(date(2025, 3, 3))
    entry = make_entry(photos=[SimpleUploadedFile("road.png", PNG, content_type="image/png")])
    photo = entry.photos.get()
    assert objects(store) == {f"huiyin/{photo.file.name}": PNG}
    assert list(Path(store.media_root).rglob("*")) == []


def test_commitment_evidence_is_stored_in_the_bucket(promise, handler_wang_unit_a, store):  # noqa: F811
    png = SimpleUploadedFile("done.png", PNG, content_type="image/png")
    update = _act(promise, CommitmentAction.PROGRESS, handler_wang_unit_a, evidence=png)
    assert objects(store) == {f"huiyin/{update.evidence.name}": PNG}
    assert list(Path(store.media_root).rglob("*")) == []
