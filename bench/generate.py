"""Generate a province-sized benchmark database: N cases (10k to 10M) with petitioners, events, clocks,
ratings, 督办 candidates and orders, spread over five years, with real message text (TipDM 2020 C,
settings.HUIYIN_DATA_DIR, messages_labeled.csv and messages_with_replies.csv).

Rows are written with COPY on PostgreSQL (psycopg's `cursor.copy`) and `executemany` on SQLite, with
ids assigned here so no row needs a round trip. Only run when asked (never part of the test suite):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin_bench1m \\
        python manage.py migrate && python -m bench.generate --cases 1000000

The database must be migrated and hold no cases; the demo organisation and staff are created first
(the same county, organs and users as `demo_data`, so the staff screens can be signed into). Prints one
JSON line with the counts and the seconds taken. Distributions (weights below) follow the shape of a
county's year: most matters online or by phone, most closed within the statutory 60 days (条例 §34),
a few percent red, about one in a hundred 督办 (条例 §40).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

CHUNK = 20_000  # cases per COPY round

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


class Writer:
    """COPY (PostgreSQL) or executemany (SQLite) of rows into one table, given its column names."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def ts(self, moment: datetime) -> str:
        """A timestamp as the backend stores it (Django keeps naive UTC text on SQLite)."""
        text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return text + "+00" if self.postgres else text

    def flag(self, value: bool) -> object:
        return value if self.postgres else int(value)

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
        count = 0
        with self.connection.cursor() as cursor:
            if self.postgres:
                cols = ", ".join(f'"{c}"' for c in columns)
                with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                rows = list(rows)
                marks = ", ".join(["%s"] * len(columns))
                cols = ", ".join(f'"{c}"' for c in columns)
                cursor.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)
                count = len(rows)
        return count


def constants(model: Any, varying: Sequence[str], writer: Writer) -> tuple[list[str], tuple[object, ...]]:
    """The NOT NULL columns of `model` that `varying` leaves out, with their model defaults as the database
    takes them (COPY leaves an omitted column NULL, which only a nullable column may be)."""
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
            if isinstance(value, bool):
                value = writer.flag(value)
        columns.append(field.column)
        values.append(value)
    return columns, tuple(values)


class Table:
    def __init__(self, model: Any, varying: Sequence[str], writer: Writer) -> None:
        self.table = model._meta.db_table
        self.writer = writer
        const_cols, self.const = constants(model, varying, writer)
        self.columns = [*varying, *const_cols]
        self.rows: list[tuple[object, ...]] = []
        self.total = 0
        self.next_id = _max_id(model) + 1

    def add(self, *values: object) -> None:
        self.rows.append(values + self.const)

    def take_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def flush(self) -> None:
        if self.rows:
            self.total += self.writer.write(self.table, self.columns, self.rows)
            self.rows = []


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
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from huiyin.cases.models import Case
    from huiyin.core.management.dbstats import refresh_planner_statistics
    from huiyin.demo.builder import has_data
    from huiyin.demo.org import build_org, build_users

    if Case.objects.exists() or has_data():
        print("bench.generate: the database already holds data (use a fresh, migrated one)", file=sys.stderr)
        return 2
    started = time.monotonic()
    rng = random.Random(args.seed)
    with transaction.atomic():
        org = build_org(args.seed)
        users = build_users(org)
    today = args.today or date.today()
    counts = generate(connection, org, users, rng, args.cases, today)
    sync_sequences(connection)
    analyse_started = time.monotonic()
    if not refresh_planner_statistics():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # PostgreSQL: the planner must know the new rows at once
    counts["analyse_seconds"] = round(time.monotonic() - analyse_started, 1)
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["backend"] = connection.vendor
    print(json.dumps(counts, ensure_ascii=False))
    return 0


def generate(connection: Any, org: Any, users: dict[str, Any], rng: random.Random, n: int, today: date):  # type: ignore[no-untyped-def]
    from django.db import transaction

    from huiyin.cases.models import Case, CaseEvent, CasePetitioner, Category, Petitioner
    from huiyin.demo.messages import load_messages
    from huiyin.demo.people import citizen_number, mobile, person_name
    from huiyin.org.models import Unit
    from huiyin.supervision.models import SupervisionCandidate, SupervisionOrder
    from huiyin.workflow.models import Clock

    writer = Writer(connection)
    labelled, with_replies = load_messages()
    messages = [(m.title[:200], m.text, m.label) for m in labelled + with_replies]
    replies = [m.reply for m in with_replies]
    categories = list(Category.objects.order_by("id"))
    by_label: dict[str, list[int]] = {}
    for cat in categories:
        by_label.setdefault(cat.full_name.split("/")[0].strip(), []).append(cat.pk)
    all_categories = [c.pk for c in categories]

    # territories: townships and villages, a few busy places get most of the matters (Zipf-like)
    places = []
    for t in org.townships:
        places.append((t.territory.pk, t.office.pk, t.government.pk, t.territory.name))
        for v in t.villages:
            places.append((v.pk, t.office.pk, t.government.pk, f"{t.territory.name}{v.name}"))
    rng.shuffle(places)
    place_weights = [1 / (i + 1) ** 0.8 for i in range(len(places))]
    departments = [u.pk for u in org.departments.values()]
    county_office = org.county_office.pk
    clerk = users["clerk"].pk
    leader_unit = org.county_office.parent_id or county_office
    issuer = users["supervisor"].pk
    del Unit

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

    span_days = 365 * YEARS
    end = datetime.combine(today, datetime.min.time(), tzinfo=UTC) - timedelta(hours=8)
    # more matters in later years (growing online use): day offsets drawn from a rising density
    petitioners: list[tuple[int, str]] = []  # (id, phone) of earlier petitioners; about 18% come back
    codes_per_day: dict[date, int] = {}
    ev_empty = json.dumps({})
    for chunk_start in range(0, n, CHUNK):
        size = min(CHUNK, n - chunk_start)
        channels = _weighted(rng, CHANNELS, size)
        types = _weighted(rng, TYPES, size)
        chosen = rng.choices(places, place_weights, k=size)
        for i in range(size):
            age = int(span_days * (1 - rng.random() ** 0.75))  # days before today, rising towards now
            registered = end - timedelta(days=age, seconds=rng.randint(8 * 3600, 18 * 3600))
            reg_day = registered.date()
            seq = codes_per_day.get(reg_day, 0) + 1
            codes_per_day[reg_day] = seq
            territory, township_office, township_gov, place_name = chosen[i]
            title, text, label = messages[rng.randrange(len(messages))]
            category = rng.choice(by_label.get(label) or all_categories)
            # the older the matter, the further along; open matters are the recent ones
            r = rng.random()
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
            office = township_office if rng.random() < 0.45 else county_office
            handling = (
                None
                if status in ("registered", "accepted")
                else (township_gov if rng.random() < 0.3 else rng.choice(departments))
            )
            rating = ""
            solved: object = None
            if status in ("closed", "final", "under_review") and rng.random() < 0.8:
                rating = _weighted(rng, RATINGS, 1)[0]
                solved = writer.flag(rating != "dissatisfied")
            case_id = t_case.take_id()
            ts = writer.ts(registered)
            t_case.add(
                case_id,
                f"HY{reg_day:%y%m%d}{seq:06d}",
                status,
                channels[i],
                types[i],
                category,
                title,
                text,
                territory,
                f"示范县{place_name}",
                office,
                handling,
                rating,
                solved,
                writer.flag(status == "final"),
                clerk,
                ts,
                ts,
            )
            if petitioners and rng.random() < 0.18:
                pet_id, phone = petitioners[rng.randrange(len(petitioners))]
            else:
                pet_id = t_pet.take_id()
                phone = mobile(rng)
                t_pet.add(pet_id, person_name(rng), citizen_number(rng), phone, f"示范县{place_name}", ts)
                if len(petitioners) < 200_000:
                    petitioners.append((pet_id, phone))
                else:
                    petitioners[rng.randrange(len(petitioners))] = (pet_id, phone)
            t_link.add(t_link.take_id(), case_id, pet_id, writer.flag(True), phone)
            # the case's history, one event per step it went through
            steps = ["register"]
            if status != "registered":
                steps.append("accept")
            if handling is not None:
                steps.append("assign")
            if status in ("replied", "closed", "final", "under_review"):
                steps += ["reply", "deliver"]
            if rating:
                steps.append("rate")
            if status in ("closed", "final", "under_review"):
                steps.append("close")
            if status in ("under_review", "final"):
                steps.append("request_review")
            moment = registered
            prev = ""
            to_of = {
                "register": "registered",
                "accept": "accepted",
                "assign": "in_handling",
                "reply": "replied",
                "close": "closed",
                "request_review": "under_review",
            }
            for step in steps:
                to = to_of.get(step, "")
                data = ev_empty
                if step == "reply" and replies:
                    data = json.dumps(
                        {"summary": replies[rng.randrange(len(replies))][:120]}, ensure_ascii=False
                    )
                elif step == "rate":
                    data = json.dumps({"rating": rating})
                t_event.add(
                    t_event.take_id(),
                    case_id,
                    step,
                    prev if to else "",
                    to,
                    clerk,
                    handling if step in ("reply", "deliver") and handling else office,
                    data,
                    writer.ts(moment),
                )
                if to:
                    prev = to
                moment += timedelta(days=rng.randint(0, 12), minutes=rng.randint(1, 600))
            # the 60-day handling clock (条例 §34) once accepted; live for open matters
            if status != "registered":
                started = (registered + timedelta(days=rng.randint(0, 3))).date()
                due = started + timedelta(days=60)
                warn = started + timedelta(days=48)
                open_case = status in ("accepted", "in_handling")
                if open_case:
                    state = "red" if due < today else "yellow" if warn <= today else "running"
                    stopped = None
                else:
                    finished = started + timedelta(days=min(age, rng.randint(10, 75)))
                    state, stopped = ("met" if finished <= due else "late"), finished.isoformat()
                t_clock.add(
                    t_clock.take_id(),
                    case_id,
                    "handling",
                    handling or office,
                    60,
                    "calendar_day",
                    "《信访工作条例》第三十四条",
                    "accept",
                    started.isoformat(),
                    due.isoformat(),
                    warn.isoformat(),
                    state,
                    stopped,
                )
                # 督办: a red open matter becomes a candidate, one in three of those an order (条例 §40)
                if open_case and state == "red":
                    cand_id = t_cand.take_id()
                    ordered = rng.random() < 0.35
                    found = registered + timedelta(days=62)
                    t_cand.add(
                        cand_id,
                        case_id,
                        handling or office,
                        "overdue",
                        "办理期限已过",
                        writer.ts(found),
                        "ordered" if ordered else "open",
                    )
                    if ordered:
                        issued = found + timedelta(days=1)
                        answered = rng.random() < 0.6
                        t_order.add(
                            t_order.take_id(),
                            case_id,
                            handling or office,
                            1,
                            cand_id,
                            "请于十个工作日内报告办理情况",
                            (issued + timedelta(days=14)).date().isoformat(),
                            issuer,
                            writer.ts(issued),
                            "answered" if answered else "open",
                            "已督促承办单位办理" if answered else "",
                            writer.ts(issued + timedelta(days=5)) if answered else None,
                        )
        with transaction.atomic():
            for table in tables:
                table.flush()
    del leader_unit
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
