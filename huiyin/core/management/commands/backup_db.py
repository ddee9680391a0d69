"""`huiyin backup FILE`: one archive with a consistent copy of the live database and the attachments.

The archive is a tar file (attachments are scans and photos: they do not compress) holding
`manifest.json` (format, database vendor, every media file with its size and SHA-256), the database
as `database.sqlite3` (SQLite's online backup API: pages copied under a read lock, WAL included, never
a file copy) or `database.pgdump` (`pg_dump --format=custom`), and `media/…` (MEDIA_ROOT).

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


def write_archive(target: Path) -> dict[str, Any]:
    """Write the database and the media into the tar archive `target`; return the manifest."""
    vendor = connection.vendor
    if vendor not in DB_MEMBER:  # pragma: no cover - settings refuse other engines
        raise CommandError(f"不支持的数据库：{vendor}")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".huiyin-backup-") as tmp:
        db_copy = Path(tmp) / DB_MEMBER[vendor]
        if vendor == "sqlite":
            sqlite_backup_to(db_copy)
        else:
            pg_dump_to(db_copy)
        files = media_files(media_root)  # after the database: see the module docstring
        media: list[dict[str, Any]] = [
            {"name": p.relative_to(media_root).as_posix(), "size": p.stat().st_size, "sha256": sha256_of(p)}
            for p in files
        ]
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
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(manifest_path, arcname=MANIFEST)
            tar.add(db_copy, arcname=DB_MEMBER[vendor])
            for path, entry in zip(files, media, strict=True):
                tar.add(path, arcname=MEDIA_PREFIX + entry["name"], recursive=False)
        partial.replace(target)  # a crash mid-way never leaves a truncated FILE that looks complete
    return manifest


class Command(BaseCommand):
    help = "Back up the database and the attachments (MEDIA_ROOT) into one archive FILE."

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
