"""Free-text search by character pairs on SQLite (issue 15; ADR 0010): a contentless FTS5 table holds
each case's title and content as the words `textsearch.pairs` makes of them, kept by triggers on
every insert, update of the text and delete (`huiyin_pairs` is registered on every connection by
`textsearch.register_sqlite_function`), and filled from the cases already there
(`textsearch.ensure_sqlite_index`). Nothing runs on PostgreSQL (migration 0012 is its index)."""

from django.db import migrations


def forwards(apps, schema_editor):
    # the same statements run after every migrate (`textsearch.repair_after_migrate`), so a later
    # migration that remakes the case table on SQLite (dropping its triggers) loses nothing
    from huiyin.cases.textsearch import ensure_sqlite_index

    ensure_sqlite_index(schema_editor.connection)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for trigger in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cases_case_text_{trigger}")
        schema_editor.execute("DROP TABLE IF EXISTS cases_case_text")


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_t19_search_grams")]

    operations = [migrations.RunPython(forwards, backwards)]
