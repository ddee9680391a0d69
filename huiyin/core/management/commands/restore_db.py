"""`huiyin restore FILE`: replace the database with a backup made by `huiyin backup`.

Stop the web server and the worker first. SQLite: the backup API copies FILE over the live database
(a consistent switch, WAL included). PostgreSQL: `pg_restore --clean --if-exists` into the database.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from huiyin.core.management.commands.backup_db import pg_environment, sqlite_restore_from


class Command(BaseCommand):
    help = "Restore the database from FILE (made by `huiyin backup`). Stop the server and worker first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, file: str, yes: bool, **options: Any) -> None:
        source = Path(file).resolve()
        if not source.is_file():
            raise CommandError(f"找不到备份文件 {source}")
        name = connection.settings_dict["NAME"]
        if not yes:
            answer = input(f"将用 {source} 覆盖数据库 {name}，现有数据会丢失。继续？[y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("已取消")
        if connection.vendor == "sqlite":
            self._check_sqlite(source)
            sqlite_restore_from(source)
        elif connection.vendor == "postgresql":
            connection.close()
            result = subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={name}", str(source)],
                env=pg_environment(connection.settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_restore 失败：{result.stderr.strip()}")
        else:  # pragma: no cover - settings refuse other engines
            raise CommandError(f"不支持的数据库：{connection.vendor}")
        self.stdout.write(f"已从 {source} 恢复数据库")

    @staticmethod
    def _check_sqlite(source: Path) -> None:
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as db:
                (status,) = db.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise CommandError(f"{source} 不是有效的 SQLite 备份：{exc}") from None
        if status != "ok":
            raise CommandError(f"{source} 完整性检查未通过：{status}")
