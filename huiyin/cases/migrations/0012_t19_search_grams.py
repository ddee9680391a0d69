"""Free-text search by character pairs on PostgreSQL (issue 15; ADR 0010).

`huiyin_grams(text)` is every pair of adjacent characters of a text, as a sorted array without
repeats; the GIN index over the pairs of a case's upper-cased title and content lets
`search_cases` find the cases holding every pair of the query before it checks the words with
LIKE. Chinese has no spaces, so words cannot be tokens, and pg_trgm extracts no trigram from a
two-character query (物业, 供暖: the most common length), which leaves it a full scan.

SQLite keeps its LIKE scan (the embedded default holds one county's cases); nothing runs there.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION huiyin_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
    FROM generate_series(1, char_length(t) - 1) AS i
$$
"""
INDEX = (
    "CREATE INDEX IF NOT EXISTS cases_case_text_grams ON cases_case "
    "USING gin (huiyin_grams(upper((title)::text || ' ' || content)))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS cases_case_text_grams")
    schema_editor.execute("DROP FUNCTION IF EXISTS huiyin_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_t18_paper_export_job")]

    operations = [migrations.RunPython(forwards, backwards)]
