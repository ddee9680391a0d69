"""Free-text search by character pairs on PostgreSQL (issue 15; ADR 0010).

`huiyin_grams(text)` is every pair of adjacent characters of a text, as an array; the GIN index over the pairs of a case's upper-cased title and content lets
`search_cases` find the cases holding every pair of the query before it checks the words with
LIKE. Chinese has no spaces, so words cannot be tokens, and pg_trgm extracts no trigram from a
two-character query (物业, 供暖: the most common length), which leaves it a full scan.

SQLite keeps its LIKE scan (the embedded default holds one county's cases); nothing runs there.
"""

from django.db import migrations

# every pair at an even offset, then every pair at an odd one: a regular expression is about eight
# times faster here than substr() over generate_series (measured over 3,000 real messages); the
# order and repeats do not matter to GIN, which indexes each distinct element once
FUNCTION = """
CREATE OR REPLACE FUNCTION huiyin_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(
        SELECT m[1] FROM regexp_matches(t, '(..)', 'g') AS m
        UNION ALL
        SELECT m[1] FROM regexp_matches(substr(t, 2), '(..)', 'g') AS m
    )
$$
"""
# CONCURRENTLY: building it over a live table of millions of cases takes a while, and a plain CREATE
# INDEX would hold every intake back until it is done (a SHARE lock on the case table)
INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS cases_case_text_grams ON cases_case "
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
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS cases_case_text_grams")
    schema_editor.execute("DROP FUNCTION IF EXISTS huiyin_grams(text)")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction
    dependencies = [("cases", "0011_t18_paper_export_job")]

    operations = [migrations.RunPython(forwards, backwards)]
