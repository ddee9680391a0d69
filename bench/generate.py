"""Generate a province-sized benchmark database: N cases (10k to 10M) with petitioners, events, clocks,
ratings, 督办 candidates and orders, spread over five years, with real message text (TipDM 2020 C,
settings.HUIYIN_DATA_DIR, messages_labeled.csv and messages_with_replies.csv).

Only run when asked (never part of the test suite):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin_bench1m \\
        python manage.py migrate && python -m bench.generate --cases 1000000

The database must be migrated and hold no cases; the demo organisation and staff are created first
(the same county, organs and users as `demo_data`, so the staff screens can be signed into). Prints one
JSON line with the counts and the seconds taken (and, on PostgreSQL, the seconds of each phase).
Distributions (weights below) follow the shape of a county's year: most matters online or by phone,
most closed within the statutory 60 days (条例 §34), a few percent red, about one in a hundred 督办
(条例 §40). The same --seed and --today give the same rows.

How it is fast (issue 15; docs/bench.md "Generating the benchmark database"):
- Rows are built as COPY text lines (tab-separated, `\\N` for NULL) from pools prepared once: the
  escaped message texts with their categories, each reply's event JSON, one string per day and per
  second of the day for the timestamps, the event steps of each (status, assigned, rated); ids are
  assigned here so no row needs a round trip. SQLite (small sizes) takes the same lines, split back
  into rows, through `executemany`.
- PostgreSQL: a second thread COPYs each round of 20,000 cases (one transaction) while the next round
  is built, so Python and the server work at the same time.
- PostgreSQL: the secondary indexes (the GIN index of character pairs too), unique constraints and
  foreign keys of the loaded tables are dropped before the load and recreated afterwards from the
  definitions read from pg_indexes and pg_constraint (two connections at a time, 1 GB of
  maintenance_work_mem each), in a `finally`, so a failed or interrupted load still leaves them in
  place. `--keep-indexes` loads into the indexed tables instead (each round then costs about 40 s
  more, most of it the GIN index). ANALYZE last, two tables at a time.
Measured on 2 shared cores (docs/bench.md "Generating the benchmark database"): 1M cases in 951 s, of
which the GIN index of character pairs 850 s (PostgreSQL 15 builds it on one core; about 15 CPU-seconds
per 20,000 cases), the load 82 s; everything but that index about 70 s per 1M at light load (before: 304).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

CHUNK = 20_000  # cases per COPY round
INDEX_MEMORY = "1GB"  # maintenance_work_mem of each connection that rebuilds the indexes

CHANNELS = (
    ("online", 38),
    ("phone", 22),
    ("visit", 14),
    ("letter", 10),
    ("mailbox", 8),
    ("api", 6),
    ("found", 1.5),
    ("fax", 0.5),
)
TYPES = (("complaint", 80), ("suggestion", 12), ("accusation", 8))
RATINGS = (("satisfied", 72), ("basically", 18), ("dissatisfied", 10))
YEARS = 5
DAY = 86_400

# COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
NULL = "\\N"


def copy_text(value: str) -> str:
    """`value` as a field of COPY's text format."""
    return value.translate(_COPY_ESCAPES)


def _field(text: str) -> str | None:
    """A COPY text field back as the value (for SQLite's executemany)."""
    if text == NULL:
        return None
    if "\\" in text:
        return re.sub(r"\\(.)", lambda m: _UNESCAPES[m[1]], text)
    return text


class Writer:
    """Writes COPY text lines into one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        # booleans and the zone of a timestamp as each backend takes them in text (SQLite keeps naive
        # UTC text and 1/0; the column affinity turns "1" into 1)
        self.true, self.false = ("t", "f") if self.postgres else ("1", "0")
        self.zone = "+00" if self.postgres else ""

    def ts(self, moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + self.zone

    def value(self, value: object) -> str:
        """A constant (a model default) as a COPY text field."""
        if value is None:
            return NULL
        if isinstance(value, bool):
            return self.true if value else self.false
        return copy_text(str(value))

    def write(self, connection: Any, table: str, columns: Sequence[str], lines: list[str]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for start in range(0, len(lines), 10_000):
                        copy.write("".join(lines[start : start + 10_000]))
            else:
                marks = ", ".join(["%s"] * len(columns))
                rows = [[_field(f) for f in line[:-1].split("\t")] for line in lines]
                cursor.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)
        return len(lines)


def constants(model: Any, varying: Sequence[str], writer: Writer) -> tuple[list[str], str]:
    """The NOT NULL columns of `model` that `varying` leaves out, and their model defaults as the tail of
    a COPY line (COPY leaves an omitted column NULL, which only a nullable column may be)."""
    from django.db.models import JSONField
    from django.utils import timezone

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in varying or field.primary_key or field.null or field.generated:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: object = writer.ts(timezone.now())
        elif isinstance(field, JSONField):
            value = json.dumps(field.get_default())
        else:
            value = field.get_default()
        columns.append(field.column)
        values.append(writer.value(value))
    return columns, "".join("\t" + v for v in values) + "\n"


class Table:
    """One table's lines of the current round; the caller ends each line with `tail`."""

    def __init__(self, model: Any, varying: Sequence[str], writer: Writer) -> None:
        self.table = model._meta.db_table
        const_cols, self.tail = constants(model, varying, writer)
        self.columns = [*varying, *const_cols]
        self.lines: list[str] = []
        self.total = 0
        self.next_id = _max_id(model) + 1

    def take(self) -> list[str]:
        lines, self.lines = self.lines, []
        self.total += len(lines)
        return lines


def _max_id(model: Any) -> int:
    from django.db.models import Max

    return model.objects.aggregate(m=Max("pk"))["m"] or 0


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]], k: int) -> list[Any]:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs], k=k)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="the run's today (ISO date)")
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="PostgreSQL: load into the indexed tables (slower) instead of dropping and recreating them",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.db import connection

    from huiyin.cases.models import Case
    from huiyin.demo.builder import has_data

    if Case.objects.exists() or has_data():
        print("bench.generate: the database already holds data (use a fresh, migrated one)", file=sys.stderr)
        return 2
    # a plain kill (SIGTERM) unwinds through the `finally` that puts the indexes back
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return _run(args, connection)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, connection: Any) -> int:
    from django.db import transaction

    from huiyin.core.management.dbstats import refresh_planner_statistics
    from huiyin.demo.org import build_org, build_users

    started = time.monotonic()
    rng = random.Random(args.seed)
    with transaction.atomic():
        org = build_org(args.seed)
        users = build_users(org)
    today = args.today or date.today()
    phases: dict[str, float] = {}
    postgres = connection.vendor == "postgresql"
    saved = None
    slowest: dict[str, float] = {}
    if postgres and not args.keep_indexes:
        saved = drop_secondary(connection, loaded_tables())
    try:
        load_started = time.monotonic()
        counts: dict[str, Any] = generate(connection, org, users, rng, args.cases, today)
        phases["load_seconds"] = round(time.monotonic() - load_started, 1)
    finally:
        if saved is not None:
            index_started = time.monotonic()
            slowest = recreate_secondary(saved)
            phases["index_seconds"] = round(time.monotonic() - index_started, 1)
    sync_sequences(connection)
    analyse_started = time.monotonic()
    if not refresh_planner_statistics():
        # PostgreSQL: the planner must know the new rows at once; two tables at a time
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT format('ANALYZE %I.%I', schemaname, relname) FROM pg_stat_user_tables "
                "ORDER BY n_live_tup DESC"
            )
            statements = [row[0] for row in cursor.fetchall()]
        _run_parallel(statements, 2, [], {})
    counts["analyse_seconds"] = round(time.monotonic() - analyse_started, 1)
    counts.update(phases)
    if slowest:
        ranked = sorted(slowest.items(), key=lambda kv: -kv[1])
        counts["slowest_index_seconds"] = dict(ranked[:3])
        # what the other statements took, one after the other (they ran beside the slowest)
        counts["other_index_seconds"] = round(sum(t for _, t in ranked[1:]), 1)
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["backend"] = connection.vendor
    print(json.dumps(counts, ensure_ascii=False))
    return 0


def loaded_tables() -> list[str]:
    from huiyin.cases.models import Case, CaseEvent, CasePetitioner, Petitioner
    from huiyin.supervision.models import SupervisionCandidate, SupervisionOrder
    from huiyin.workflow.models import Clock

    models = (Case, Petitioner, CasePetitioner, CaseEvent, Clock, SupervisionCandidate, SupervisionOrder)
    return [m._meta.db_table for m in models]


class Secondary:
    """The secondary indexes, unique and foreign-key constraints of some tables, as their definitions."""

    def __init__(self) -> None:
        self.indexes: list[tuple[str, str, str]] = []  # (table, name, CREATE INDEX …)
        self.uniques: list[tuple[str, str, str]] = []  # (table, name, UNIQUE (…))
        self.foreign: list[tuple[str, str, str]] = []  # (table, name, FOREIGN KEY … REFERENCES …)


def drop_secondary(connection: Any, tables: Sequence[str]) -> Secondary:
    """Drop the secondary indexes, unique constraints and foreign keys of `tables` (the primary keys and
    CHECK constraints stay) in one transaction, and return their definitions for recreate_secondary.
    A unique constraint that a foreign key of any table depends on stays too."""
    from django.db import transaction

    saved = Secondary()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
              AND NOT (c.contype = 'u' AND EXISTS (
                  SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid))
            ORDER BY c.contype, c.conrelid::regclass::text, c.conname
            """,
            [list(tables)],
        )
        for table, name, kind, definition in cursor.fetchall():
            (saved.foreign if kind == "f" else saved.uniques).append((table, name, definition))
        cursor.execute(
            """
            SELECT i.tablename, i.indexname, i.indexdef
            FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (
                  SELECT 1 FROM pg_constraint c
                  WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass)
            ORDER BY i.tablename, i.indexname
            """,
            [list(tables)],
        )
        saved.indexes = list(cursor.fetchall())
        qn = connection.ops.quote_name
        for table, name, _ in saved.foreign + saved.uniques:
            cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        for _, name, _ in saved.indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
    return saved


def recreate_secondary(saved: Secondary, workers: int = 2) -> dict[str, float]:
    """Recreate what drop_secondary dropped, from its definitions: the indexes and unique constraints
    first (the GIN index, the slowest, at once), then the foreign keys; `workers` connections at a time.
    Every statement is tried; those that failed are printed with their error and the first is raised.
    Returns the seconds each statement took, by the name of what it made."""
    from django.db import connection as main_connection

    qn = main_connection.ops.quote_name
    # the unique constraints first (ADD CONSTRAINT locks its table out, and would wait for the whole GIN
    # build), then the GIN index, then the biggest tables' indexes, so the last statements are short ones
    weight = {"cases_caseevent": 3, "cases_case": 2}
    indexes = sorted(saved.indexes, key=lambda t: (" gin " not in t[2].lower(), -weight.get(t[0], 0)))
    first = [(n, f"ALTER TABLE {qn(t)} ADD CONSTRAINT {qn(n)} {d}") for t, n, d in saved.uniques] + [
        (n, d) for _, n, d in indexes
    ]
    second = [(n, f"ALTER TABLE {qn(t)} ADD CONSTRAINT {qn(n)} {d}") for t, n, d in saved.foreign]
    failures: list[tuple[str, BaseException]] = []
    seconds: dict[str, float] = {}
    for statements in (first, second):
        names = dict((d, n) for n, d in statements)
        took: dict[str, float] = {}
        _run_parallel([d for _, d in statements], workers, failures, took)
        seconds.update((names[d], round(t, 1)) for d, t in took.items())
    if failures:
        for statement, error in failures:
            print(f"bench.generate: could not recreate: {statement}: {error}", file=sys.stderr)
        raise failures[0][1]
    return seconds


def _run_parallel(
    statements: list[str],
    workers: int,
    failures: list[tuple[str, BaseException]],
    took: dict[str, float],
) -> None:
    """Run `statements` in order over `workers` threads, each on its own connection (autocommit); note
    each failure in `failures` and each statement's seconds in `took`."""
    import threading

    from django.db import connection

    pending = list(reversed(statements))
    lock = threading.Lock()

    def work() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SET maintenance_work_mem = '{INDEX_MEMORY}'")
                while True:
                    with lock:
                        if not pending:
                            return
                        statement = pending.pop()
                    started = time.monotonic()
                    try:
                        cursor.execute(statement)
                    except Exception as error:  # every statement is tried
                        with lock:
                            failures.append((statement, error))
                    took[statement] = time.monotonic() - started
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(work) for _ in range(workers)]:
            future.result()


def _citizen_numbers(rng: random.Random) -> Callable[[], str]:
    """citizen_number (huiyin.demo.people) without its per-number region lookup: which (region, birth
    year) pairs stdnum accepts is read once, and the check digit (ISO 7064 MOD 11-2) computed here."""
    from stdnum.cn import ric

    from huiyin.demo.people import REGIONS

    first = date(1945, 1, 1).toordinal()
    years = range(1945, 2006)
    valid = {
        (region, year): ric.is_valid(
            f"{region}{year}0101001" + ric.calc_check_digit(f"{region}{year}01010010")
        )
        for region in set(REGIONS)
        for year in years
    }
    born_text = [date.fromordinal(first + d).strftime("%Y%m%d") for d in range(365 * 60)]
    born_year = [int(t[:4]) for t in born_text]
    random_ = rng.random
    n_regions = len(REGIONS)

    def number() -> str:
        while True:
            d = int(random_() * 365 * 60)
            region = REGIONS[int(random_() * n_regions)]
            if valid[(region, born_year[d])]:
                body = f"{region}{born_text[d]}{int(random_() * 1000):03d}"
                check = (1 - 2 * int(body, 13)) % 11  # stdnum: ric.calc_check_digit(body + "0")
                return body + ("X" if check == 10 else str(check))

    return number


def generate(connection: Any, org: Any, users: dict[str, Any], rng: random.Random, n: int, today: date):  # type: ignore[no-untyped-def]
    from django.db import connection as thread_connection
    from django.db import transaction

    from huiyin.cases.models import Case, CaseEvent, CasePetitioner, Category, Petitioner
    from huiyin.demo.messages import load_messages
    from huiyin.demo.org import GIVEN, SURNAMES
    from huiyin.demo.people import MOBILE_PREFIXES
    from huiyin.supervision.models import SupervisionCandidate, SupervisionOrder
    from huiyin.workflow.models import Clock

    writer = Writer(connection)
    true, false, zone = writer.true, writer.false, writer.zone
    labelled, with_replies = load_messages()
    categories = list(Category.objects.order_by("id"))
    by_label: dict[str, list[int]] = {}
    for cat in categories:
        by_label.setdefault(cat.full_name.split("/")[0].strip(), []).append(cat.pk)
    all_categories = [c.pk for c in categories]
    # each message once, escaped for COPY, with the categories its label allows
    messages = [
        (copy_text(m.title[:200]), copy_text(m.text), by_label.get(m.label) or all_categories)
        for m in labelled + with_replies
    ]
    reply_data = [copy_text(json.dumps({"summary": m.reply[:120]}, ensure_ascii=False)) for m in with_replies]
    rating_data = {r: copy_text(json.dumps({"rating": r})) for r, _ in RATINGS}
    empty_data = copy_text(json.dumps({}))

    # territories: townships and villages, a few busy places get most of the matters (Zipf-like)
    places = []
    for t in org.townships:
        places.append((t.territory.pk, t.office.pk, t.government.pk, t.territory.name))
        for v in t.villages:
            places.append((v.pk, t.office.pk, t.government.pk, f"{t.territory.name}{v.name}"))
    rng.shuffle(places)
    place_weights = [1 / (i + 1) ** 0.8 for i in range(len(places))]
    places = [(str(a), str(b), str(c), copy_text(f"示范县{name}")) for a, b, c, name in places]
    departments = [str(u.pk) for u in org.departments.values()]
    county_office = str(org.county_office.pk)
    clerk = str(users["clerk"].pk)
    issuer = str(users["supervisor"].pk)

    t_case = Table(
        Case,
        [
            "id",
            "code",
            "status",
            "channel",
            "petition_type",
            "category_id",
            "title",
            "content",
            "territory_id",
            "address",
            "office_id",
            "handling_unit_id",
            "rating",
            "problem_solved",
            "is_final",
            "registered_by_id",
            "registered_at",
            "updated_at",
        ],
        writer,
    )
    t_pet = Table(Petitioner, ["id", "name", "id_number", "phone", "address", "created_at"], writer)
    t_link = Table(CasePetitioner, ["id", "case_id", "petitioner_id", "is_representative", "phone"], writer)
    t_event = Table(
        CaseEvent,
        [
            "id",
            "case_id",
            "event_type",
            "from_status",
            "to_status",
            "actor_id",
            "actor_unit_id",
            "data",
            "created_at",
        ],
        writer,
    )
    t_clock = Table(
        Clock,
        [
            "id",
            "case_id",
            "kind",
            "unit_id",
            "rule_days",
            "rule_unit",
            "rule_article",
            "trigger",
            "started_on",
            "due_on",
            "warn_on",
            "state",
            "stopped_on",
        ],
        writer,
    )
    t_cand = Table(
        SupervisionCandidate, ["id", "case_id", "unit_id", "reason", "detail", "found_at", "state"], writer
    )
    t_order = Table(
        SupervisionOrder,
        [
            "id",
            "case_id",
            "unit_id",
            "level",
            "candidate_id",
            "instructions",
            "due_on",
            "issued_by_id",
            "issued_at",
            "state",
            "answer",
            "answered_at",
        ],
        writer,
    )
    tables = (t_case, t_pet, t_link, t_event, t_clock, t_cand, t_order)

    # the case's history, one event per step it went through: for each (status, assigned, rated) the
    # steps as (event_type, from_status, to_status, the handling unit acts)
    to_of = {
        "register": "registered",
        "accept": "accepted",
        "assign": "in_handling",
        "reply": "replied",
        "close": "closed",
        "request_review": "under_review",
    }
    statuses = ("registered", "accepted", "in_handling", "replied", "closed", "final", "under_review")
    history: dict[tuple[str, bool, bool], list[tuple[str, str, str, bool]]] = {}
    for status in statuses:
        for assigned in (False, True):
            for rated in (False, True):
                steps = ["register"]
                if status != "registered":
                    steps.append("accept")
                if assigned:
                    steps.append("assign")
                if status in ("replied", "closed", "final", "under_review"):
                    steps += ["reply", "deliver"]
                if rated:
                    steps.append("rate")
                if status in ("closed", "final", "under_review"):
                    steps.append("close")
                if status in ("under_review", "final"):
                    steps.append("request_review")
                prev, rows = "", []
                for step in steps:
                    to = to_of.get(step, "")
                    rows.append((step, prev if to else "", to, assigned and step in ("reply", "deliver")))
                    if to:
                        prev = to
                history[(status, assigned, rated)] = rows

    # time as whole seconds since the epoch (UTC); days and seconds of the day formatted once
    span_days = 365 * YEARS
    end = datetime.combine(today, datetime.min.time(), tzinfo=UTC) - timedelta(hours=8)
    end_s = int(end.timestamp())
    today_day = today.toordinal() - date(1970, 1, 1).toordinal()
    first_day = (end_s - span_days * DAY) // DAY - 2
    day_text = {
        d: (date(1970, 1, 1) + timedelta(days=d)).isoformat() for d in range(first_day, today_day + 400)
    }
    day_code = {d: "HY" + text[2:4] + text[5:7] + text[8:10] for d, text in day_text.items()}
    clock_text = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]

    def ts(s: int) -> str:
        return f"{day_text[s // DAY]} {clock_text[s % DAY]}{zone}"

    random_ = rng.random
    citizen_number = _citizen_numbers(rng)
    n_given, n_surnames, n_prefixes = len(GIVEN), len(SURNAMES), len(MOBILE_PREFIXES)
    n_messages, n_replies, n_departments = len(messages), len(reply_data), len(departments)
    case_tail, pet_tail, link_tail = t_case.tail, t_pet.tail, t_link.tail
    event_tail, clock_tail, cand_tail, order_tail = t_event.tail, t_clock.tail, t_cand.tail, t_order.tail

    petitioners: list[tuple[int, str]] = []  # (id, phone) of earlier petitioners; about 18% come back
    codes_per_day: dict[int, int] = {}
    ids = {t.table: t.next_id for t in tables}
    case_id, pet_id, link_id = ids[t_case.table], ids[t_pet.table], ids[t_link.table]
    event_id, clock_id = ids[t_event.table], ids[t_clock.table]
    cand_id, order_id = ids[t_cand.table], ids[t_order.table]

    postgres = writer.postgres
    pool = ThreadPoolExecutor(max_workers=1) if postgres else None
    in_flight: Future[None] | None = None

    def write_round(round_lines: list[tuple[Table, list[str]]]) -> None:
        # on PostgreSQL in the writer thread, over its own connection; one transaction per round
        conn = thread_connection if postgres else connection
        with transaction.atomic():
            for table, lines in round_lines:
                if lines:
                    writer.write(conn, table.table, table.columns, lines)

    try:
        for chunk_start in range(0, n, CHUNK):
            size = min(CHUNK, n - chunk_start)
            channels = _weighted(rng, CHANNELS, size)
            types = _weighted(rng, TYPES, size)
            chosen = rng.choices(places, place_weights, k=size)
            case_lines, pet_lines, link_lines = t_case.lines, t_pet.lines, t_link.lines
            event_lines, clock_lines = t_event.lines, t_clock.lines
            for i in range(size):
                age = int(span_days * (1 - random_() ** 0.75))  # days before today, rising towards now
                registered = end_s - age * DAY - 8 * 3600 - int(random_() * (10 * 3600 + 1))
                reg_day = registered // DAY
                seq = codes_per_day.get(reg_day, 0) + 1
                codes_per_day[reg_day] = seq
                territory, township_office, township_gov, address = chosen[i]
                title, text, allowed = messages[int(random_() * n_messages)]
                category = allowed[int(random_() * len(allowed))]
                # the older the matter, the further along; open matters are the recent ones
                r = random_()
                if age > 120:
                    status = "final" if r < 0.04 else "closed" if r < 0.985 else "in_handling"
                elif age > 60:
                    status = (
                        "closed"
                        if r < 0.80
                        else "replied"
                        if r < 0.88
                        else "in_handling"
                        if r < 0.97
                        else "under_review"
                    )
                elif age > 10:
                    status = (
                        "closed"
                        if r < 0.35
                        else "replied"
                        if r < 0.50
                        else "in_handling"
                        if r < 0.92
                        else "accepted"
                    )
                else:
                    status = "registered" if r < 0.35 else "accepted" if r < 0.55 else "in_handling"
                office = township_office if random_() < 0.45 else county_office
                if status == "registered" or status == "accepted":
                    handling = ""
                elif random_() < 0.3:
                    handling = township_gov
                else:
                    handling = departments[int(random_() * n_departments)]
                rating = ""
                solved = NULL
                if (status == "closed" or status == "final" or status == "under_review") and random_() < 0.8:
                    r = random_() * 100  # RATINGS: 72, 18, 10
                    rating = "satisfied" if r < 72 else "basically" if r < 90 else "dissatisfied"
                    solved = false if rating == "dissatisfied" else true
                case_ts = ts(registered)
                case_lines.append(
                    f"{case_id}\t{day_code[reg_day]}{seq:06d}\t{status}\t{channels[i]}\t{types[i]}\t"
                    f"{category}\t{title}\t{text}\t{territory}\t{address}\t{office}\t{handling or NULL}\t"
                    f"{rating}\t{solved}\t{true if status == 'final' else false}\t{clerk}\t{case_ts}\t"
                    f"{case_ts}{case_tail}"
                )
                if petitioners and random_() < 0.18:
                    person, phone = petitioners[int(random_() * len(petitioners))]
                else:
                    person = pet_id
                    pet_id += 1
                    phone = (
                        f"{MOBILE_PREFIXES[int(random_() * n_prefixes)]}{int(random_() * 100_000_000):08d}"
                    )
                    name = SURNAMES[int(random_() * n_surnames)] + GIVEN[int(random_() * n_given)]
                    if random_() < 0.7:
                        name += GIVEN[int(random_() * n_given)]
                    pet_lines.append(
                        f"{person}\t{name}\t{citizen_number()}\t{phone}\t{address}\t{case_ts}{pet_tail}"
                    )
                    if len(petitioners) < 200_000:
                        petitioners.append((person, phone))
                    else:
                        petitioners[int(random_() * len(petitioners))] = (person, phone)
                link_lines.append(f"{link_id}\t{case_id}\t{person}\t{true}\t{phone}{link_tail}")
                link_id += 1
                moment = registered
                for step, from_status, to_status, by_handler in history[
                    (status, bool(handling), bool(rating))
                ]:
                    if step == "reply" and n_replies:
                        data = reply_data[int(random_() * n_replies)]
                    elif step == "rate":
                        data = rating_data[rating]
                    else:
                        data = empty_data
                    event_lines.append(
                        f"{event_id}\t{case_id}\t{step}\t{from_status}\t{to_status}\t{clerk}\t"
                        f"{handling if by_handler else office}\t{data}\t{ts(moment)}{event_tail}"
                    )
                    event_id += 1
                    # 0-12 days and 1-600 minutes later
                    moment += int(random_() * 13) * DAY + (1 + int(random_() * 600)) * 60
                # the 60-day handling clock (条例 §34) once accepted; live for open matters
                if status != "registered":
                    started = (registered + int(random_() * 4) * DAY) // DAY
                    due = started + 60
                    warn = started + 48
                    open_case = status == "accepted" or status == "in_handling"
                    if open_case:
                        state = "red" if due < today_day else "yellow" if warn <= today_day else "running"
                        stopped = NULL
                    else:
                        finished = started + min(age, 10 + int(random_() * 66))
                        state, stopped = ("met" if finished <= due else "late"), day_text[finished]
                    unit = handling or office
                    clock_lines.append(
                        f"{clock_id}\t{case_id}\thandling\t{unit}\t60\tcalendar_day\t《信访工作条例》第三十四条\t"
                        f"accept\t{day_text[started]}\t{day_text[due]}\t{day_text[warn]}\t{state}\t{stopped}{clock_tail}"
                    )
                    clock_id += 1
                    # 督办: a red open matter becomes a candidate, one in three of those an order (条例 §40)
                    if open_case and state == "red":
                        ordered = random_() < 0.35
                        found = registered + 62 * DAY
                        t_cand.lines.append(
                            f"{cand_id}\t{case_id}\t{unit}\toverdue\t办理期限已过\t{ts(found)}\t"
                            f"{'ordered' if ordered else 'open'}{cand_tail}"
                        )
                        if ordered:
                            issued = found + DAY
                            answered = random_() < 0.6
                            t_order.lines.append(
                                f"{order_id}\t{case_id}\t{unit}\t1\t{cand_id}\t请于十个工作日内报告办理情况\t"
                                f"{day_text[(issued + 14 * DAY) // DAY]}\t{issuer}\t{ts(issued)}\t"
                                f"{'answered' if answered else 'open'}\t"
                                f"{'已督促承办单位办理' if answered else ''}\t"
                                f"{ts(issued + 5 * DAY) if answered else NULL}{order_tail}"
                            )
                            order_id += 1
                        cand_id += 1
                case_id += 1
            round_lines = [(table, table.take()) for table in tables]
            if pool is None:
                write_round(round_lines)
            else:
                if in_flight is not None:
                    in_flight.result()  # one round in flight at a time; raises the writer's error
                in_flight = pool.submit(write_round, round_lines)
        if in_flight is not None:
            in_flight.result()
    finally:
        if pool is not None:
            pool.submit(lambda: thread_connection.close()).result()  # the writer thread's connection
            pool.shutdown()
    return {table.table: table.total for table in tables}


def sync_sequences(connection: Any) -> None:
    """Set every PostgreSQL id sequence past the ids written here (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    from django.apps import apps
    from django.core.management.color import no_style

    models = [m for m in apps.get_models() if m._meta.managed]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


if __name__ == "__main__":
    sys.exit(main())
