"""`huiyin backup` / `huiyin restore`: one archive with the database and the attachments.

SQLite uses the online backup API, PostgreSQL pg_dump/pg_restore (run this file with a PostgreSQL
DATABASE_URL to test that path); the attachments under MEDIA_ROOT travel in the same archive.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tarfile
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from huiyin.cases.models import Attachment
from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup path")
pg_tools = pytest.mark.skipif(
    connection.vendor == "postgresql" and not shutil.which("pg_dump"), reason="pg_dump is not on PATH"
)


@pg_tools
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_the_data_and_the_attachments_it_was_taken_with(tmp_path, settings):
    # given a database with one territory and an attachment file on disk
    settings.MEDIA_ROOT = str(tmp_path / "media")
    Territory.objects.create(code="43", name="示范省", level=TerritoryLevel.PROVINCE)
    scan = tmp_path / "media" / "attachments" / "2025" / "03" / "信访件.pdf"
    scan.parent.mkdir(parents=True)
    scan.write_bytes(b"%PDF-1.4 scan of the letter")
    target = tmp_path / "huiyin-backup.tar"
    call_command("backup_db", str(target), stdout=StringIO())
    # the archive holds the manifest, the database and the media file
    with tarfile.open(target) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert "media/attachments/2025/03/信访件.pdf" in names
    assert manifest["vendor"] == connection.vendor
    assert [m["name"] for m in manifest["media"]] == ["attachments/2025/03/信访件.pdf"]
    if connection.vendor == "sqlite":
        with tarfile.open(target) as tar:
            tar.extract("database.sqlite3", tmp_path / "x", filter="data")
        with sqlite3.connect(tmp_path / "x" / "database.sqlite3") as copy:
            assert copy.execute("SELECT name FROM org_territory").fetchall() == [("示范省",)]
    # when the data changes, the file is lost, and the backup is restored
    Territory.objects.all().delete()
    scan.unlink()
    out = StringIO()
    call_command("restore_db", str(target), yes=True, stdout=out)
    # then the territory and the attachment are back
    assert list(Territory.objects.values_list("name", flat=True)) == ["示范省"]
    assert scan.read_bytes() == b"%PDF-1.4 scan of the letter"
    assert "1 个附件" in out.getvalue()


@sqlite_only
@pytest.mark.django_db
def test_backup_refuses_to_overwrite_a_file(tmp_path):
    target = tmp_path / "existing.tar"
    target.write_bytes(b"precious")
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup_db", str(target), stdout=StringIO())
    assert target.read_bytes() == b"precious"


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    with pytest.raises(CommandError):
        call_command("restore_db", str(bogus), yes=True, stdout=StringIO())


def _archive(path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.mark.django_db
def test_restore_refuses_an_archive_that_would_write_outside_the_media_folder(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    evil = tmp_path / "evil.tar"
    _archive(evil, {"manifest.json": b"{}", "../../etc/cron.d/x": b"boom"})
    with pytest.raises(CommandError, match="不安全"):
        call_command("restore_db", str(evil), yes=True, stdout=StringIO())
    assert not (tmp_path.parent / "etc").exists()


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_damaged_archive_before_touching_anything(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.txt").write_bytes(b"original")
    good = tmp_path / "good.tar"
    call_command("backup_db", str(good), stdout=StringIO())
    with tarfile.open(good) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
    members["media/a.txt"] = b"tampered"
    bad = tmp_path / "bad.tar"
    _archive(bad, members)
    Territory.objects.create(code="44", name="后来的省", level=TerritoryLevel.PROVINCE)
    with pytest.raises(CommandError, match="校验不符"):
        call_command("restore_db", str(bad), yes=True, stdout=StringIO())
    assert Territory.objects.filter(code="44").exists()  # the database was not replaced


@pytest.mark.django_db
def test_downloading_an_attachment_whose_file_is_missing_is_a_clear_404(
    client, register_case, clerk_li, settings, tmp_path
):
    # given an attachment whose file has gone from the disk (a restore without media, a lost disk)
    settings.MEDIA_ROOT = str(tmp_path)
    case = register_case()
    attachment = Attachment(
        case=case, original_name="a.pdf", content_type="application/pdf", size=1, sha256="0" * 64
    )
    attachment.file.save("a.pdf", SimpleUploadedFile("a.pdf", b"x"), save=False)
    attachment.save()
    (tmp_path / attachment.file.name).unlink()
    # when staff download it
    client.force_login(clerk_li)
    response = client.get(reverse("attachment_download", args=[case.code, attachment.pk]))
    # then a 404 that says what happened, not a 500
    assert response.status_code == 404
    assert "附件文件缺失" in response.content.decode()
