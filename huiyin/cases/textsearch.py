"""The free-text index of the case table: every pair of adjacent characters of a case's title and
content (issue 15; ADR 0010). Chinese has no spaces between words, so words cannot be the tokens; a
two-character query (物业, 供暖) is the most common length, and every substring of two or more
characters is a run of consecutive pairs.

- PostgreSQL: the SQL function `huiyin_grams` and the GIN index `cases_case_text_grams` over
  `huiyin_grams(upper(title || ' ' || content))` (migration 0012); a query holds when the case has
  every pair of the query.
- SQLite: the FTS5 table `cases_case_text` (migration 0013, contentless) holds each case's pairs as
  words, kept by triggers that call `pairs` (registered on every connection as `huiyin_pairs`); a
  query is the phrase of its pairs, consecutive as in the text. SQLite drops a table's triggers with
  the table, and Django's SQLite schema editor remakes `cases_case` for many a field change (0015 did),
  so `ensure_sqlite_index` runs after every `migrate` and puts back what a migration took away.

Either way the index only narrows: `selectors.search_cases` checks the words with the same LIKE as
before, so the index can never find more than LIKE, and it finds all that LIKE finds.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, F, Func, Value

FTS_TABLE = "cases_case_text"


def pairs(text: str | None) -> str:
    """The pairs of adjacent characters of `text`, upper-cased, in order, separated by spaces (the
    words of the SQLite index; a pair holding a space or punctuation tokenises to its other half)."""
    if not text:
        return ""
    up = text.upper()
    return " ".join(up[i : i + 2] for i in range(len(up) - 1))


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created`: give every SQLite connection `huiyin_pairs`, which the index's triggers
    call on every write of a case (a connection without it — the sqlite3 shell — cannot write cases)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("huiyin_pairs", 1, pairs, deterministic=True)


TRIGGERS = {
    # a contentless table forgets what it indexed: a delete gives back the same words it was given
    f"{FTS_TABLE}_ai": f"""AFTER INSERT ON cases_case BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, content)
        VALUES (new.id, huiyin_pairs(new.title), huiyin_pairs(new.content));
    END""",
    f"{FTS_TABLE}_ad": f"""AFTER DELETE ON cases_case BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, content)
        VALUES ('delete', old.id, huiyin_pairs(old.title), huiyin_pairs(old.content));
    END""",
    f"{FTS_TABLE}_au": f"""AFTER UPDATE OF title, content ON cases_case BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, content)
        VALUES ('delete', old.id, huiyin_pairs(old.title), huiyin_pairs(old.content));
        INSERT INTO {FTS_TABLE}(rowid, title, content)
        VALUES (new.id, huiyin_pairs(new.title), huiyin_pairs(new.content));
    END""",
}


def ensure_sqlite_index(connection: Any) -> bool:
    """Make the SQLite index whole: the FTS5 table, its three triggers, and — when any was missing,
    so writes may have gone unindexed — its words refilled from every case. Returns whether it had
    to. Nothing on PostgreSQL, nor before the case table exists."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        # the case table, its triggers and the FTS5 table, in one read
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE tbl_name = 'cases_case' OR name = %s", [FTS_TABLE]
        )
        present = {name for (name,) in cursor.fetchall()}
        if "cases_case" not in present or {FTS_TABLE, *TRIGGERS} <= present:
            return False
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
            "USING fts5(title, content, content='', tokenize='unicode61')"
        )
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, title, content) "
            "SELECT id, huiyin_pairs(title), huiyin_pairs(content) FROM cases_case"
        )
    return True


def repair_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """`post_migrate`: the index survives every later migration of the case table (see above)."""
    from django.db import connections

    ensure_sqlite_index(connections[using])


def indexable(key: str) -> bool:
    """Whether the index can answer `key`: two characters or more, one of them a letter or digit
    (the SQLite tokenizer drops the rest; a query of punctuation alone is left to LIKE)."""
    return len(key) >= 2 and any(ch.isalnum() for ch in key)


class HasPairsOf(Func):
    """The case holds every pair of adjacent characters of `key`, read from the index.

    On PostgreSQL the left side is the expression of the index `cases_case_text_grams` word for word,
    on whatever alias the query gives the case table: PostgreSQL uses an expression index only for
    that very expression. On SQLite it is the phrase of the pairs in the FTS5 table."""

    output_field = BooleanField()

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(F("pk"), F("title"), F("content"), Value(key))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        _, (title, tp), (content, cp), (key, kp) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        sql = f"huiyin_grams(upper(({title})::text || ' ' || {content})) @> huiyin_grams(upper({key}))"
        return sql, [*tp, *cp, *kp]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        pk, params = compiler.compile(self.get_source_expressions()[0])
        phrase = '"' + pairs(self.key).replace('"', '""') + '"'
        return f"{pk} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)", [*params, phrase]
