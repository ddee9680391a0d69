"""`huiyin backup FILE`: one archive with a consistent copy of the live database and the attachments.

The archive is a tar file (attachments are scans and photos: they do not compress) holding
`manifest.json` (format, database vendor, every media file with its size and SHA-256), the database
as `database.sqlite3` (SQLite's online backup API: pages copied under a read lock, WAL included, never
a file copy) or `database.pgdump` (`pg_dump --format=custom`), and `media/…`: MEDIA_ROOT, or with
HUIYIN_S3_BUCKET every object of the store (read through the storage API, streamed into the archive
and hashed on the way; docs/deploy.md).

The database is copied first, then the media: attachments are written before their case commits and
never changed (cases.Attachment is append-only), so every file the copied database names is on disk
by the time the media are read. `huiyin restore` puts both back.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media/"


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The libpq environment for pg_dump/pg_restore, so no password appears on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    env["PGDATABASE"] = str(settings_dict["NAME"])
    return env


def sqlite_backup_to(target: Path) -> None:
    """Copy the live database into `target` with SQLite's online backup API (through Django's own
    connection, so it also works for an in-memory database)."""
    connection.ensure_connection()
    dst = sqlite3.connect(str(target))
    try:
        connection.connection.backup(dst)
    finally:
        dst.close()


def sqlite_restore_from(source: Path) -> None:
    """Copy `source` over the live database with the backup API (one consistent switch)."""
    connection.ensure_connection()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        src.backup(connection.connection)
    finally:
        src.close()


def pg_dump_to(target: Path) -> None:
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"],
        env=pg_environment(connection.settings_dict),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise CommandError(f"pg_dump 失败：{result.stderr.strip()}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> list[Path]:
    """Regular files under MEDIA_ROOT (symlinks are not followed: nothing outside it is archived)."""
    if not root.is_dir():
        return []
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return sorted(found)


def on_local_disk() -> bool:
    """The files are under MEDIA_ROOT (not on an S3 store, huiyin/core/objectstore.py)."""
    return isinstance(default_storage, FileSystemStorage)


def stored_names(storage: Storage, folder: str = "") -> list[str]:
    """Every file's name in `storage` under `folder`, through the storage API (an S3 store has no path)."""
    dirs, files = storage.listdir(folder)
    names = [folder + f for f in files]
    for d in dirs:
        names += stored_names(storage, f"{folder}{d}/")
    return sorted(names)


class _Hashing:
    """A file read once into the archive, hashed on the way (the object is fetched once)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk: bytes = self.raw.read(size)
        self.digest.update(chunk)
        return chunk


def _add_disk_media(tar: tarfile.TarFile, media_root: Path) -> list[dict[str, Any]]:
    media = []
    for path in media_files(media_root):
        name = path.relative_to(media_root).as_posix()
        entry: dict[str, Any] = {
            "name": name,
            "size": path.stat().st_size,
            "sha256": sha256_of(path),
        }
        tar.add(path, arcname=MEDIA_PREFIX + name, recursive=False)
        media.append(entry)
    return media


def _add_stored_media(tar: tarfile.TarFile, storage: Storage) -> list[dict[str, Any]]:
    media = []
    for name in stored_names(storage):
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError:  # an export file expired since the listing
            continue
        with handle:
            info = tarfile.TarInfo(MEDIA_PREFIX + name)
            info.size = handle.size
            info.mtime = int(timezone.now().timestamp())
            reader = _Hashing(handle)
            tar.addfile(info, reader)  # reads exactly info.size bytes, or fails
        media.append({"name": name, "size": info.size, "sha256": reader.digest.hexdigest()})
    return media


def write_archive(target: Path) -> dict[str, Any]:
    """Write the database and the media into the tar archive `target`; return the manifest."""
    vendor = connection.vendor
    if vendor not in DB_MEMBER:  # pragma: no cover - settings refuse other engines
        raise CommandError(f"不支持的数据库：{vendor}")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".huiyin-backup-") as tmp:
        db_copy = Path(tmp) / DB_MEMBER[vendor]
        if vendor == "sqlite":
            sqlite_backup_to(db_copy)
        else:
            pg_dump_to(db_copy)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(db_copy, arcname=DB_MEMBER[vendor])
            # the media after the database (see the module docstring); the manifest last, once every
            # file's size and hash are known (restore reads it after unpacking)
            if on_local_disk():
                media = _add_disk_media(tar, Path(settings.MEDIA_ROOT))
            else:
                media = _add_stored_media(tar, default_storage)
            manifest = {
                "format": ARCHIVE_FORMAT,
                "vendor": vendor,
                "created_at": timezone.now().isoformat(),
                "database": {
                    "name": DB_MEMBER[vendor],
                    "size": db_copy.stat().st_size,
                    "sha256": sha256_of(db_copy),
                },
                "media": media,
            }
            manifest_path = Path(tmp) / MANIFEST
            manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            tar.add(manifest_path, arcname=MANIFEST)
        partial.replace(target)  # a crash mid-way never leaves a truncated FILE that looks complete
    return manifest


class Command(BaseCommand):
    help = "Back up the database and the attachments (MEDIA_ROOT or the S3 store) into one archive FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write the backup (refuses to overwrite unless --force)")
        parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    def handle(self, *args: Any, file: str, force: bool, **options: Any) -> None:
        target = Path(file).resolve()
        if target.exists() and not force:
            raise CommandError(f"{target} 已存在（加 --force 覆盖）")
        target.parent.mkdir(parents=True, exist_ok=True)
        manifest = write_archive(target)
        self.stdout.write(
            f"已备份数据库和 {len(manifest['media'])} 个附件到 {target}（{target.stat().st_size} 字节）"
        )
