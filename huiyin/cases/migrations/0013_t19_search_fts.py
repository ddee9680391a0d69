"""Free-text search by character pairs on SQLite (issue 15; ADR 0010): a contentless FTS5 table holds
each case's title and content as the words `textsearch.pairs` makes of them, kept by triggers on
every insert, update of the text and delete (`huiyin_pairs` is registered on every connection by
`textsearch.register_sqlite_function`), and filled from the cases already there. Nothing runs on
PostgreSQL (migration 0012 is its index)."""

from django.db import migrations

TABLE = "cases_case_text"
CREATE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, content, content='', tokenize='unicode61')",
    # a contentless table forgets what it indexed: a delete gives back the same words it was given
    f"""CREATE TRIGGER {TABLE}_ai AFTER INSERT ON cases_case BEGIN
        INSERT INTO {TABLE}(rowid, title, content)
        VALUES (new.id, huiyin_pairs(new.title), huiyin_pairs(new.content));
    END""",
    f"""CREATE TRIGGER {TABLE}_ad AFTER DELETE ON cases_case BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, title, content)
        VALUES ('delete', old.id, huiyin_pairs(old.title), huiyin_pairs(old.content));
    END""",
    f"""CREATE TRIGGER {TABLE}_au AFTER UPDATE OF title, content ON cases_case BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, title, content)
        VALUES ('delete', old.id, huiyin_pairs(old.title), huiyin_pairs(old.content));
        INSERT INTO {TABLE}(rowid, title, content)
        VALUES (new.id, huiyin_pairs(new.title), huiyin_pairs(new.content));
    END""",
    f"""INSERT INTO {TABLE}(rowid, title, content)
        SELECT id, huiyin_pairs(title), huiyin_pairs(content) FROM cases_case""",
]
DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_{t}" for t in ("ai", "ad", "au")] + [f"DROP TABLE IF EXISTS {TABLE}"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_t19_search_grams")]

    operations = [migrations.RunPython(forwards, backwards)]
