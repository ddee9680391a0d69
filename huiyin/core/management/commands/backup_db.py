"""`huiyin backup FILE`: a consistent copy of the live database while the server keeps running.

SQLite: the online backup API (pages copied under a read lock, WAL included), never a file copy.
PostgreSQL: `pg_dump --format=custom`, restorable with `huiyin restore` (pg_restore).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


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


class Command(BaseCommand):
    help = "Back up the database to FILE (SQLite online backup, or pg_dump custom format for PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write the backup (refuses to overwrite unless --force)")
        parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    def handle(self, *args: Any, file: str, force: bool, **options: Any) -> None:
        target = Path(file).resolve()
        if target.exists() and not force:
            raise CommandError(f"{target} 已存在（加 --force 覆盖）")
        target.parent.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "sqlite":
            if target.exists():
                target.unlink()
            sqlite_backup_to(target)
        elif connection.vendor == "postgresql":
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"],
                env=pg_environment(connection.settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_dump 失败：{result.stderr.strip()}")
        else:  # pragma: no cover - settings refuse other engines
            raise CommandError(f"不支持的数据库：{connection.vendor}")
        self.stdout.write(f"已备份到 {target}（{target.stat().st_size} 字节）")
