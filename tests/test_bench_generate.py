"""bench/generate.py at a small size on the suite's database (SQLite, or PostgreSQL in CI): the rows
arrive, and on PostgreSQL the indexes and constraints it drops for the load are back afterwards, exactly
as they were, also when the load fails (the benchmark itself, 1M cases and more, is never run here)."""

import json

import pytest
from django.db import connection
from stdnum.cn import ric

from bench import generate
from huiyin.cases.models import Case, CaseEvent, CasePetitioner, Petitioner
from huiyin.workflow.models import Clock

pytestmark = pytest.mark.django_db(transaction=True)  # the writer thread commits on its own connection


def _schema() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every index and constraint definition of the database."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
            return cursor.fetchall(), []
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() ORDER BY indexname"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, "
            "condeferred, convalidated FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace ORDER BY conrelid::regclass::text, conname"
        )
        return indexes, cursor.fetchall()


def test_the_generator_writes_the_cases_and_puts_every_index_back(capsys):
    # given the migrated database's indexes and constraints
    before = _schema()

    # when 450 cases are generated (more than one round would be 20,000: the rows of one round)
    assert generate.main(["--cases", "450", "--today", "2026-12-01"]) == 0

    # then the cases, each with its petitioner, its history and (once accepted) its clock
    counts = json.loads(capsys.readouterr().out)
    assert counts["cases_case"] == Case.objects.count() == 450
    assert CasePetitioner.objects.count() == 450
    assert Petitioner.objects.count() == counts["cases_petitioner"] < 450  # some come back
    assert CaseEvent.objects.filter(event_type="register").count() == 450
    assert Clock.objects.count() == Case.objects.exclude(status="registered").count()
    assert Case.objects.values("code").distinct().count() == 450
    assert all(ric.is_valid(number) for number in Petitioner.objects.values_list("id_number", flat=True))
    # and every index and constraint as it was
    assert _schema() == before


def test_a_failed_load_still_puts_every_index_back(monkeypatch):
    before = _schema()
    real_generate = generate.generate

    def failing(*args, **kwargs):
        real_generate(*args, **kwargs)  # some rows are in
        if connection.vendor == "postgresql":  # the indexes are gone during the load
            assert _schema() != before
        raise RuntimeError("the load broke")

    monkeypatch.setattr(generate, "generate", failing)

    with pytest.raises(RuntimeError, match="the load broke"):
        generate.main(["--cases", "50", "--today", "2026-12-01"])

    assert _schema() == before
