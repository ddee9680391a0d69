"""`huiyin backup` / `huiyin restore` on SQLite (the online backup API)."""

from __future__ import annotations

import sqlite3
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from huiyin.org.choices import TerritoryLevel
from huiyin.org.models import Territory

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup path")


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_the_data_it_was_taken_with(tmp_path):
    # given a database with one territory, backed up
    Territory.objects.create(code="43", name="示范省", level=TerritoryLevel.PROVINCE)
    target = tmp_path / "huiyin.sqlite3"
    call_command("backup_db", str(target), stdout=StringIO())
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT name FROM org_territory").fetchall() == [("示范省",)]
    # when the data changes and the backup is restored
    Territory.objects.all().delete()
    call_command("restore_db", str(target), yes=True, stdout=StringIO())
    # then the territory is back
    assert list(Territory.objects.values_list("name", flat=True)) == ["示范省"]


@sqlite_only
@pytest.mark.django_db
def test_backup_refuses_to_overwrite_a_file(tmp_path):
    target = tmp_path / "existing.sqlite3"
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
