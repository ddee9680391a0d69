"""`huiyin restore FILE`: put back the database and the attachments from a `huiyin backup` archive.

Stop the web server and the worker first. Every member is checked before anything is replaced: the
manifest's format and database vendor, each file's size and SHA-256, and that no member would land
outside MEDIA_ROOT. Then the database (SQLite: the backup API copies it over the live database, one
consistent switch; PostgreSQL: `pg_restore --clean --if-exists`), then the media files into MEDIA_ROOT,
or with HUIYIN_S3_BUCKET into the store under the same names (files there that the archive does not
hold are left alone: nothing is deleted).

A file from before archives (a bare SQLite database or pg_dump file) restores the database only.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from huiyin.core.management.commands.backup_db import (
    ARCHIVE_FORMAT,
    DB_MEMBER,
    MANIFEST,
    MEDIA_PREFIX,
    on_local_disk,
    pg_environment,
    sha256_of,
    sqlite_restore_from,
)


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise CommandError(f"备份中的文件名不安全：{name}")
    return path


class Command(BaseCommand):
    help = "Restore the database and attachments from FILE (made by `huiyin backup`). Stop the server first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, file: str, yes: bool, **options: Any) -> None:
        source = Path(file).resolve()
        if not source.is_file():
            raise CommandError(f"找不到备份文件 {source}")
        name = connection.settings_dict["NAME"]
        if not yes:
            answer = input(f"将用 {source} 覆盖数据库 {name} 和附件，现有数据会丢失。继续？[y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("已取消")
        if not tarfile.is_tarfile(source):
            self._restore_database(source)  # a bare database file from before archives
            self.stdout.write(f"已从 {source} 恢复数据库（该文件不含附件）")
            return
        with tempfile.TemporaryDirectory(prefix=".huiyin-restore-") as tmp:
            manifest = self._unpack(source, Path(tmp))
            self._restore_database(Path(tmp) / manifest["database"]["name"])
            count = self._restore_media(Path(tmp) / "media", manifest)
        self.stdout.write(f"已从 {source} 恢复数据库和 {count} 个附件")

    # --- checks and unpacking ------------------------------------------------------------------

    def _unpack(self, source: Path, into: Path) -> dict[str, Any]:
        try:
            with tarfile.open(source, "r") as tar:
                members = tar.getmembers()
                for member in members:
                    _safe_name(member.name)
                    if not (member.isfile() or member.isdir()):
                        raise CommandError(f"备份中有不允许的条目：{member.name}")
                tar.extractall(into, filter="data")
        except tarfile.TarError as exc:
            raise CommandError(f"{source} 不是有效的备份：{exc}") from None
        try:
            manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise CommandError(f"{source} 缺少有效的 {MANIFEST}") from None
        if manifest.get("format") != ARCHIVE_FORMAT:
            raise CommandError(f"不认识的备份格式：{manifest.get('format')!r}")
        if manifest.get("vendor") != connection.vendor:
            raise CommandError(
                f"这是 {manifest.get('vendor')} 的备份，当前数据库是 {connection.vendor}（换库请用 dumpdata/loaddata）"
            )
        expected = [manifest["database"]] + [
            {**m, "name": MEDIA_PREFIX + str(_safe_name(m["name"]))} for m in manifest["media"]
        ]
        if manifest["database"]["name"] != DB_MEMBER[connection.vendor]:
            raise CommandError("备份中的数据库文件名不对")
        for entry in expected:
            path = into / entry["name"]
            if (
                not path.is_file()
                or path.stat().st_size != entry["size"]
                or sha256_of(path) != entry["sha256"]
            ):
                raise CommandError(f"备份已损坏：{entry['name']} 缺失或校验不符")
        checked: dict[str, Any] = manifest
        return checked

    def _restore_database(self, dump: Path) -> None:
        if connection.vendor == "sqlite":
            self._check_sqlite(dump)
            sqlite_restore_from(dump)
        elif connection.vendor == "postgresql":
            connection.close()
            result = subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    f"--dbname={connection.settings_dict['NAME']}",
                    str(dump),
                ],
                env=pg_environment(connection.settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_restore 失败：{result.stderr.strip()}")
        else:  # pragma: no cover - settings refuse other engines
            raise CommandError(f"不支持的数据库：{connection.vendor}")

    @staticmethod
    def _restore_media(unpacked: Path, manifest: dict[str, Any]) -> int:
        if not on_local_disk():
            for entry in manifest["media"]:
                default_storage.delete(entry["name"])  # the archive's copy wins, as on the disk
                with (unpacked / entry["name"]).open("rb") as fh:
                    saved = default_storage.save(entry["name"], File(fh))
                if saved != entry["name"]:  # pragma: no cover - the server writes meanwhile
                    raise CommandError(f"{entry['name']} 已被改写为 {saved}：请先停止服务器和后台任务")
            return len(manifest["media"])
        root = Path(settings.MEDIA_ROOT)
        for entry in manifest["media"]:
            target = root / entry["name"]
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".restoring")
            shutil.copyfile(unpacked / entry["name"], partial)
            partial.replace(target)
        return len(manifest["media"])

    @staticmethod
    def _check_sqlite(source: Path) -> None:
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as db:
                (status,) = db.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise CommandError(f"{source} 不是有效的 SQLite 备份：{exc}") from None
        if status != "ok":
            raise CommandError(f"{source} 完整性检查未通过：{status}")
